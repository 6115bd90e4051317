/** A watcher on a temp state dir against the test world's chain, and helpers to pay many orgs fast. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { encodeFunctionData, type Address } from 'viem';
import { ethProviderAbi } from '../../contracts/index.js';
import { packagePrice } from '../../harness/chain/actions.js';
import { mineUntilIncluded, sendMany } from '../../harness/chain/bulk.js';
import { useManualMining, useAutomine } from '../../harness/chain/mining.js';
import type { WalletClient } from '../../harness/chain/clients.js';
import { DEFAULTS } from '../../harness/deployer/config.js';
import { memoryLogger } from '../../harness/deployer/log.js';
import { rpcChainReader, type ChainReader } from '../../harness/deployer/rpc.js';
import { openStore, type Store } from '../../harness/deployer/state/index.js';
import { createWatcher, type Change, type WatcherConfig } from '../../harness/deployer/watcher/index.js';
import type { World } from '../contracts/fixture.js';

export interface Watching {
  watcher: ReturnType<typeof createWatcher>;
  store: Store;
  dir: string;
  config: WatcherConfig;
  changes: Change[];
  log: ReturnType<typeof memoryLogger>;
}

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'oneclick-deployer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function watcherConfig(w: World, overrides: Partial<WatcherConfig> = {}): WatcherConfig {
  return {
    chainId: w.chain.chainId,
    providerAddress: w.d.ethProvider,
    confirmations: 2n,
    graceBlocks: 5n,
    retentionBlocks: 20n,
    logRangeBlocks: DEFAULTS.logRangeBlocks,
    startBlock: w.d.deployedAtBlock,
    maxReorgDepth: 64n,
    pollIntervalMs: 20,
    backoffMaxMs: 1000,
    ...overrides,
  };
}

/** A watcher (closed and removed after the test); `dir` reuses a state dir, `reader` wraps the RPC. */
export function watch(
  w: World,
  overrides: Partial<WatcherConfig> = {},
  { dir = tempDir(), reader = rpcChainReader(w.chain.rpcUrl) }: { dir?: string; reader?: ChainReader } = {},
): Watching {
  const config = watcherConfig(w, overrides);
  const store = openStore(dir, { chainId: config.chainId, provider: config.providerAddress });
  stores.push(store);
  const log = memoryLogger();
  const changes: Change[] = [];
  const watcher = createWatcher({
    config,
    store,
    reader,
    log: log.log,
    onChange: (c) => void changes.push(c),
  });
  return { watcher, store, dir, config, changes, log };
}

/** Fresh, never-used org addresses (providers accept any address as org), lowercase as the deployer keys them. */
export function org(n: number): Address {
  return `0x${(0x0dec0de000 + n).toString(16).padStart(40, '0')}`;
}

/**
 * Tops up `orgs` one package each, `perBlock` transactions a block, with manual mining; back to
 * automine after. Returns the head.
 */
export async function topUpMany(
  w: World,
  provider: Address,
  orgs: readonly Address[],
  { perBlock = 100, payer = w.user }: { perBlock?: number; payer?: WalletClient } = {},
): Promise<bigint> {
  const value = await packagePrice(w.test, provider);
  await useManualMining(w.test);
  try {
    let head = await w.test.getBlockNumber({ cacheTime: 0 });
    for (let i = 0; i < orgs.length; i += perBlock) {
      const calls = orgs.slice(i, i + perBlock).map((o) => ({
        to: provider,
        data: encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [o] }),
        value,
      }));
      const hashes = await sendMany(payer, calls);
      head = await mineUntilIncluded(w.test, hashes[hashes.length - 1]!);
    }
    return head;
  } finally {
    await useAutomine(w.test);
  }
}
