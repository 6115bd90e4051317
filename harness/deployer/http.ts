/** /healthz and /metrics: readiness once the reconciler has made a pass, and the Prometheus text. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, type Logger } from './log.js';
import type { Reconciler } from './reconcile/index.js';
import type { Store } from './state/index.js';

export interface Health {
  ok: boolean;
  detail: Record<string, unknown>;
}

export function serve(
  port: number,
  log: Logger,
  handlers: { healthy(): Health; metrics(): string },
): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (path === '/healthz') {
      const { ok, detail } = handlers.healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok, ...detail }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      );
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(handlers.metrics());
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.once('error', (error) => {
      // Not fatal: the deployments matter more than the probe; readiness will say so.
      log.error('health/metrics server failed to listen', { port, error: errorMessage(error) });
      resolve(undefined);
    });
    server.listen(port, () => {
      log.info('serving /healthz and /metrics', { port: (server.address() as AddressInfo).port });
      resolve(server);
    });
  });
}

/** Ready once the chain answered and (when it runs org-nodes) the reconciler completed a pass. */
export function health(
  store: Pick<Store, 'cursor'>,
  head: bigint | undefined,
  reconciler: Pick<Reconciler, 'ready' | 'lastPassOk'> | undefined,
): Health {
  const cursor = store.cursor()?.number;
  const reconciled = reconciler ? reconciler.ready() : true;
  return {
    ok: head !== undefined && reconciled,
    detail: {
      head: head ?? null,
      cursor: cursor ?? null,
      reconciler: reconciler ? { ready: reconciler.ready(), lastPassOk: reconciler.lastPassOk() } : 'off',
    },
  };
}
