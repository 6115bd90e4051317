// k6 script: peering latency against a running `oneclick up` world, through its API. Each iteration
// asks a peer to dial an org afresh (POST /api/peers/<peer>/dial); the world times the dial inside
// the peer's network (through its NAT and the provider's edge) and k6 records it in the Trend
// `peering_ms`. Stages, VUs and thresholds are k6's own: edit `options` or pass k6 flags.
//
// Run by `oneclick load --k6 scenarios/load/k6/peering.js` (finds the world and passes
// ONECLICK_API, ONECLICK_TOKEN, ONECLICK_PEERS and ONECLICK_ORGS in k6's environment), or by hand:
//   ONECLICK_API=http://127.0.0.1:<port> ONECLICK_TOKEN=<token from the world file> \
//   ONECLICK_PEERS=peer1 ONECLICK_ORGS=org1 k6 run scenarios/load/k6/peering.js
/* global __ENV, __VU, __ITER */
import http from 'k6/http';
import { check } from 'k6';
import { Trend } from 'k6/metrics';

const api = __ENV.ONECLICK_API;
const token = __ENV.ONECLICK_TOKEN;
const peers = (__ENV.ONECLICK_PEERS || '').split(',').filter(Boolean);
const orgs = (__ENV.ONECLICK_ORGS || '').split(',').filter(Boolean);
if (!api || !token || !peers.length || !orgs.length)
  throw new Error('set ONECLICK_API, ONECLICK_TOKEN, ONECLICK_PEERS and ONECLICK_ORGS');

const peering = new Trend('peering_ms', true);

export const options = {
  scenarios: {
    peering: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [
        { duration: __ENV.ONECLICK_DURATION || '30s', target: Number(__ENV.ONECLICK_VUS || peers.length) },
      ],
    },
  },
  thresholds: { peering_ms: ['p(95)<5000'], checks: ['rate>0.95'] },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export default function () {
  const peer = peers[(__VU - 1) % peers.length];
  const org = orgs[(__VU + __ITER) % orgs.length];
  const res = http.post(`${api}/api/peers/${peer}/dial`, JSON.stringify({ org }), {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    timeout: '60s',
    tags: { peer, org },
  });
  const ok = check(res, { 'dial answered 200': (r) => r.status === 200 });
  if (ok) peering.add(res.json('ms'), { peer, org });
}
