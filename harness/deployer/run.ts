/**
 * The deployer's process: watcher → store → reconciler, with /healthz and /metrics, acting as
 * `policy` decides (policy.ts). Reads the ONECLICK_* environment, opens the state in
 * DEPLOYER_STATE_DIR, watches the provider contract and (when DNS, the org-node image, the public
 * network and the run id are set) runs org-nodes, until SIGINT/SIGTERM; then it stops both loops
 * and resolves 0. Deployments keep running: they are the service, not the controller.
 */
import { join } from 'node:path';
import {
  ConfigError,
  parseConfig,
  redactions,
  requireRuntime,
  safeUrl,
  type DeployerConfig,
  type RuntimeConfig,
} from './config.js';
import { engine } from './docker.js';
import { subscribeHeads, wakeableWait } from './heads.js';
import { health, serve } from './http.js';
import { createLogger, errorMessage, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import type { Policy } from './policy.js';
import { createReconciler } from './reconcile/index.js';
import { rpcChainReader, type ChainReader } from './rpc.js';
import { openStore, STATE_FILE } from './state/index.js';
import { createWatcher } from './watcher/index.js';

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

/** The runtime part of the configuration, or undefined (watching only, said in the log). */
function runtimeOf(config: DeployerConfig, log: Logger): RuntimeConfig | undefined {
  try {
    return requireRuntime(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.warn('watching only: no org-nodes will run', { missing: error.problems });
    return undefined;
  }
}

function logStart(log: Logger, config: DeployerConfig, runtime: RuntimeConfig | undefined, cursor?: bigint) {
  log.info('starting', {
    rpc: safeUrl(config.rpcUrl),
    chainId: config.chainId,
    provider: config.providerAddress,
    confirmations: config.confirmations,
    graceBlocks: config.graceBlocks,
    stateDir: config.stateDir,
    cursor: cursor ?? null,
    ...(runtime && {
      runId: runtime.runId,
      zone: runtime.dns.zone,
      orgNodeImage: runtime.orgNodeImage,
      edgeImage: runtime.edgeImage,
      publicNetwork: runtime.publicNetwork,
      clusterNetwork: runtime.clusterNetwork ?? null,
    }),
  });
}

/** Runs until SIGINT/SIGTERM; resolves the exit code (2: invalid configuration, 1: the watcher gave up). */
export async function runDeployer(env: NodeJS.ProcessEnv, policy: Policy): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().error('invalid configuration', { problems: error.problems });
    return 2;
  }
  const log = createLogger({ level: parsed.logLevel, redact: redactions(parsed) });
  const reader = headTracking(rpcChainReader(parsed.rpcUrl));
  const config = await policy.start(parsed, {
    stateFile: join(parsed.stateDir, STATE_FILE),
    head: reader.head,
    log,
  });
  const runtime = runtimeOf(config, log);
  const store = openStore(config.stateDir, { chainId: config.chainId, provider: config.providerAddress });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.info('stopping', { signal });
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  logStart(log, config, runtime, store.cursor()?.number);

  const metrics = createMetrics();
  const reconciler =
    runtime && createReconciler({ config: runtime, store, docker: engine(), log, metrics, policy });
  const watcher = createWatcher({
    config,
    store,
    reader,
    log,
    logsFrom: policy.deploymentLogsFrom,
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

  // New heads over WebSocket end the watcher's poll at once; polling is the fallback.
  const poll = wakeableWait();
  if (config.wsUrl) subscribeHeads(config.wsUrl, poll.wake, { log, signal: stop.signal });

  let code = 0;
  const loops: Array<Promise<unknown>> = [
    watcher.run({ signal: stop.signal, poll: poll.wait }).catch((error: unknown) => {
      log.error('watcher stopped', { error: errorMessage(error) });
      code = 1;
      stop.abort();
    }),
  ];
  if (reconciler) loops.push(reconciler.run({ signal: stop.signal }));
  try {
    await Promise.all(loops);
    return code;
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    store.close();
  }
}
