// A oneclick provider skeleton: it reads the harness's environment (SPEC.md §3), answers readiness
// on $PROVIDER_HTTP_PORT/healthz and stops on SIGTERM. Everything a provider must make observable
// (SPEC.md §4) is still to be written: see the TODOs below and the guide, docs/writing-a-provider.md.
import { createServer } from 'node:http';

/** The thirteen variables the harness always sets (SPEC.md §3). */
const REQUIRED = [
  'ONECLICK_RPC_URL',
  'ONECLICK_WS_URL',
  'ONECLICK_CHAIN_ID',
  'ONECLICK_PROVIDER_ADDRESS',
  'ONECLICK_ORG_FACTORY_ADDRESS',
  'ONECLICK_CONFIRMATIONS',
  'ONECLICK_GRACE_BLOCKS',
  'ONECLICK_DNS_SERVER',
  'ONECLICK_DNS_ZONE',
  'ONECLICK_DNS_TSIG',
  'ONECLICK_ORGNODE_IMAGE',
  'ONECLICK_PUBLIC_NETWORK',
  'ONECLICK_RUN_ID',
] as const;

/** ONECLICK_DNS_TSIG holds a secret: it is read, never printed. */
const SECRET = new Set<string>(['ONECLICK_DNS_TSIG']);

type Config = Record<(typeof REQUIRED)[number], string>;

function readConfig(env: NodeJS.ProcessEnv): Config {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length) {
    throw new Error(`not set: ${missing.join(', ')} (the harness sets them, SPEC.md §3)`);
  }
  return Object.fromEntries(REQUIRED.map((name) => [name, env[name] ?? ''])) as Config;
}

const config = readConfig(process.env);
for (const name of REQUIRED) if (!SECRET.has(name)) console.log(`${name}=${config[name]}`);

// TODO(CHAIN-*, PROV-CONFIRMATIONS, PROV-FOREIGN, PROV-REORG): follow NewTopUp and DeploymentStopped
// logs of ONECLICK_PROVIDER_ADDRESS only, acting on a log once it is ONECLICK_CONFIRMATIONS deep.
// TODO(PROV-CONTROLLER-RESTART): keep that state on disk; the container may be SIGKILLed.
// TODO(PROV-PROVISION, PROV-P2P, PROV-NAT, PROV-NODE-RESTART): run one ONECLICK_ORGNODE_IMAGE container
// per org (labels oneclick.run and oneclick.org, a volume on /radicle, a public p2p port).
// TODO(PROV-DNS): publish A, SRV and TXT (nid=, expiry=) with RFC 2136 + TSIG.
// TODO(PROV-HTTP, PROV-ISOLATION): route http://<label>.<zone>/ on port 80 by Host to the org's node.
// TODO(PROV-EXTEND, PROV-GRACE, PROV-EXPIRY, PROV-STOP, PROV-RENEWAL): extend in place, remove at
// expiry + grace or on DeploymentStopped, keep the volume for a renewal.

const server = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok\n' : 'not found\n');
});
server.listen(Number(process.env.PROVIDER_HTTP_PORT ?? 9100), () => {
  console.log('skeleton: ready, serving no org yet (see the TODOs in src/main.ts)');
});
const stop = () => server.close(() => console.log('stopped'));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
