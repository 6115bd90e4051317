// k6 script: replication latency against a running `oneclick up` world, through its API. Each VU
// writes one repository anchored on an org (its first push creates and anchors it); every iteration
// pushes a commit (Trend `push_ms`) and waits until a reader peer has fetched the new ref from the
// org's node (Trend `replication_ms`, timed by the world from the end of the push request).
//
// Run by `oneclick load --k6 scenarios/load/k6/replication.js` (finds the world and passes
// ONECLICK_API, ONECLICK_TOKEN, ONECLICK_PEERS and ONECLICK_ORGS in k6's environment; it needs two
// peers: `oneclick up --peers 2`), or by hand:
//   ONECLICK_API=http://127.0.0.1:<port> ONECLICK_TOKEN=<token from the world file> \
//   ONECLICK_PEERS=peer1,peer2 ONECLICK_ORGS=org1 k6 run scenarios/load/k6/replication.js
/* global __ENV, __VU */
import http from 'k6/http';
import { check, fail } from 'k6';
import { Trend } from 'k6/metrics';

const api = __ENV.ONECLICK_API;
const token = __ENV.ONECLICK_TOKEN;
const peers = (__ENV.ONECLICK_PEERS || '').split(',').filter(Boolean);
const orgs = (__ENV.ONECLICK_ORGS || '').split(',').filter(Boolean);
if (!api || !token || peers.length < 2 || !orgs.length)
  throw new Error('set ONECLICK_API, ONECLICK_TOKEN, ONECLICK_PEERS (two or more) and ONECLICK_ORGS');

const pushMs = new Trend('push_ms', true);
const replication = new Trend('replication_ms', true);

export const options = {
  vus: Number(__ENV.ONECLICK_VUS || 1),
  duration: __ENV.ONECLICK_DURATION || '60s',
  thresholds: { replication_ms: ['p(95)<30000'], checks: ['rate>0.95'] },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

const params = {
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  timeout: '180s',
};

export default function () {
  const writer = peers[(__VU - 1) % peers.length];
  const reader = peers[__VU % peers.length];
  const org = orgs[(__VU - 1) % orgs.length];
  const repo = `k6-vu${__VU}`;
  const pushed = http.post(`${api}/api/peers/${writer}/push`, JSON.stringify({ repo, org }), params);
  if (!check(pushed, { 'push answered 200': (r) => r.status === 200 })) fail(`push: ${pushed.body}`);
  pushMs.add(pushed.json('ms'), { writer, org });
  const waited = http.post(
    `${api}/api/peers/${reader}/wait-ref`,
    JSON.stringify({ org, repo, seconds: 90 }),
    params,
  );
  const ok = check(waited, {
    'wait-ref answered 200': (r) => r.status === 200,
    'the reader has the ref': (r) => r.status === 200 && r.json('holds') === true,
  });
  if (ok) replication.add(waited.json('ms'), { reader, org });
}
