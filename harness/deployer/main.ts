/**
 * The reference provider's process: watcher → store → reconciler, with /healthz and /metrics.
 * Reads the ONECLICK_* environment, opens the state in DEPLOYER_STATE_DIR, watches the
 * provider contract and (when DNS, the org-node image, the public network and the run id are set)
 * runs org-nodes, until SIGINT/SIGTERM; then it stops both loops and exits 0. Deployments keep
 * running: they are the service, not the controller.
 * Usage: node --import tsx harness/deployer/main.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  parseConfig,
  redactions,
  requireRuntime,
  safeUrl,
  type RuntimeConfig,
} from './config.js';
import { startDefect } from './defects.js';
import { engine } from './docker.js';
import { createLogger, errorMessage, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createReconciler, type Reconciler } from './reconcile.js';
import { rpcChainReader, type ChainReader } from './rpc.js';
import { openStore, STATE_FILE, type Store } from './state.js';
import { createWatcher } from './watcher.js';

/** A reader that remembers the last head it saw (for the lag metric). */
function headTracking(reader: ChainReader): ChainReader & { lastHead(): bigint | undefined } {
  let last: bigint | undefined;
  return {
    ...reader,
    async head() {
      last = await reader.head();
      return last;
    },
    lastHead: () => last,
  };
}

function serve(
  port: number,
  log: Logger,
  handlers: { healthy(): { ok: boolean; detail: Record<string, unknown> }; metrics(): string },
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

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().error('invalid configuration', { problems: error.problems });
    return 2;
  }
  const log = createLogger({ level: config.logLevel, redact: redactions(config) });
  const reader = headTracking(rpcChainReader(config.rpcUrl));
  // DEPLOYER_DEFECT (oneclick's mutant providers only): what the deployer acts on instead.
  config = await startDefect(config, {
    stateFile: join(config.stateDir, STATE_FILE),
    head: reader.head,
    log,
  });
  let runtime: RuntimeConfig | undefined;
  try {
    runtime = requireRuntime(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.warn('watching only: no org-nodes will run', { missing: error.problems });
  }
  const store = openStore(config.stateDir, { chainId: config.chainId, provider: config.providerAddress });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.info('stopping', { signal });
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log.info('starting', {
    rpc: safeUrl(config.rpcUrl),
    chainId: config.chainId,
    provider: config.providerAddress,
    confirmations: config.confirmations,
    graceBlocks: config.graceBlocks,
    stateDir: config.stateDir,
    ...(config.defect && { defect: config.defect }),
    cursor: store.cursor()?.number ?? null,
    ...(runtime && {
      runId: runtime.runId,
      zone: runtime.dns.zone,
      orgNodeImage: runtime.orgNodeImage,
      edgeImage: runtime.edgeImage,
      publicNetwork: runtime.publicNetwork,
      clusterNetwork: runtime.clusterNetwork ?? null,
    }),
  });

  const metrics = createMetrics();
  const reconciler = runtime && createReconciler({ config: runtime, store, docker: engine(), log, metrics });
  const watcher = createWatcher({
    config,
    store,
    reader,
    log,
    onChange: () => reconciler?.kick(),
  });
  const server = await serve(config.httpPort, log, {
    healthy: () => health(store, reader.lastHead(), reconciler),
    metrics: () =>
      metrics.render({
        statusCounts: () => store.statusCounts(),
        lagBlocks: () => {
          const head = reader.lastHead();
          const cursor = store.cursor()?.number;
          return head === undefined || cursor === undefined ? undefined : head - cursor;
        },
      }),
  });

  const loops: Array<Promise<unknown>> = [];
  let code = 0;
  loops.push(
    watcher.run({ signal: stop.signal }).catch((error: unknown) => {
      log.error('watcher stopped', { error: errorMessage(error) });
      code = 1;
      stop.abort();
    }),
  );
  if (reconciler) loops.push(reconciler.run({ signal: stop.signal }));
  try {
    await Promise.all(loops);
    return code;
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    store.close();
  }
}

function health(
  store: Store,
  head: bigint | undefined,
  reconciler: Reconciler | undefined,
): { ok: boolean; detail: Record<string, unknown> } {
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly: an RPC transport's timers must not keep a stopped deployer alive.
  process.exit(await main());
}
