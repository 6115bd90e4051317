// k6 script for the HTTP part of `oneclick load` (run by `oneclick load --k6` with a k6 found on
// PATH; oneclick never downloads k6). It GETs /api/v1/node and /api/v1/repos of every org through
// the provider's edge, routed by the Host header, for ONECLICK_DURATION with ONECLICK_VUS users.
//
// By hand, against a running `oneclick provider start`:
//   k6 run -e ONECLICK_TARGETS='[{"address":"198.51.100.40","host":"<label>.oneclick.test"}]' \
//          -e ONECLICK_DURATION=10s -e ONECLICK_VUS=10 scenarios/load/k6/http.js
/* global __ENV, __VU */
import http from 'k6/http';
import { check } from 'k6';

const targets = JSON.parse(__ENV.ONECLICK_TARGETS || '[]');
if (targets.length === 0) throw new Error('ONECLICK_TARGETS is empty: give [{"address","host"}...]');
const paths = (__ENV.ONECLICK_PATHS || '/api/v1/node,/api/v1/repos').split(',');

export const options = {
  vus: Number(__ENV.ONECLICK_VUS || 10),
  duration: __ENV.ONECLICK_DURATION || '10s',
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

let i = 0;
export default function () {
  const t = targets[(__VU + i) % targets.length];
  const path = paths[i % paths.length];
  i += 1;
  const res = http.get(`http://${t.address}${path}`, {
    headers: { Host: t.host },
    tags: { endpoint: path },
    timeout: '10s',
  });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
