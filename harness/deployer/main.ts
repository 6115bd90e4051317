/**
 * The reference provider's process (so far: the watcher). Reads the ONECLICK_* environment, opens
 * the state in ONECLICK_DEPLOYER_STATE_DIR and watches the provider contract until SIGINT/SIGTERM.
 * Usage: node --import tsx harness/deployer/main.ts
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, parseConfig, redactions, safeUrl } from './config.js';
import { createLogger, errorMessage } from './log.js';
import { rpcChainReader } from './rpc.js';
import { openStore } from './state.js';
import { createWatcher } from './watcher.js';

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
    cursor: store.cursor()?.number ?? null,
  });
  const watcher = createWatcher({ config, store, reader: rpcChainReader(config.rpcUrl), log });
  try {
    await watcher.run({ signal: stop.signal });
    return 0;
  } catch (error) {
    log.error('watcher stopped', { error: errorMessage(error) });
    return 1;
  } finally {
    store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit explicitly: an RPC transport's timers must not keep a stopped deployer alive.
  process.exit(await main());
}
