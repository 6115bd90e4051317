// Time for the deployer's watcher to catch up N NewTopUp logs (fresh state each time), next to one
// raw eth_getLogs over the same blocks, interleaved in one run so machine noise hits both; after
// one uncounted warm-up round.
// Usage: npx tsx bench/watcher-catchup.ts [orgs=10000] [iterations=9]
// (Nine pairs: a median of five moved by 0.2x from run to run on this noisy machine.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, encodeFunctionData, getAddress, http, numberToHex } from 'viem';
import { ethProviderAbi } from '../contracts/index.js';
import { ROLE } from '../harness/chain/accounts.js';
import { packagePrice } from '../harness/chain/actions.js';
import { startChain } from '../harness/chain/anvil.js';
import { mineUntilIncluded, sendMany } from '../harness/chain/bulk.js';
import { testClientFor, walletClientFor } from '../harness/chain/clients.js';
import { deployAll } from '../harness/chain/deploy.js';
import { useAutomine, useManualMining } from '../harness/chain/mining.js';
import { DEFAULTS } from '../harness/deployer/config.js';
import { TOPICS } from '../harness/deployer/events.js';
import { createLogger } from '../harness/deployer/log.js';
import { rpcChainReader } from '../harness/deployer/rpc.js';
import { openStore } from '../harness/deployer/state/index.js';
import { createWatcher } from '../harness/deployer/watcher/index.js';
import { ms, summarize, timed } from './stats.js';

const orgCount = Number(process.argv[2] ?? 10_000);
const iterations = Number(process.argv[3] ?? 9);
const PER_BLOCK = 1000;

const chain = await startChain();
try {
  const test = testClientFor(chain);
  const user = walletClientFor(chain, ROLE.user);
  const d = await deployAll(chain);

  const [setupMs] = await timed(async () => {
    const value = await packagePrice(test, d.ethProvider);
    await test.setBlockGasLimit({ gasLimit: 1_000_000_000n });
    await useManualMining(test);
    for (let i = 0; i < orgCount; i += PER_BLOCK) {
      const calls = Array.from({ length: Math.min(PER_BLOCK, orgCount - i) }, (_, j) => ({
        to: d.ethProvider,
        data: encodeFunctionData({
          abi: ethProviderAbi,
          functionName: 'topUp',
          args: [getAddress(`0x${(0xb0b0000000 + i + j).toString(16).padStart(40, '0')}`)],
        }),
        value,
      }));
      const hashes = await sendMany(user, calls, { concurrency: 200 });
      await mineUntilIncluded(test, hashes[hashes.length - 1]!);
    }
    await useAutomine(test);
  });
  const head = await test.getBlockNumber({ cacheTime: 0 });
  const from = d.deployedAtBlock;
  process.stderr.write(`[bench] ${orgCount} top-ups in blocks ${from}..${head}, set up in ${ms(setupMs)}\n`);

  const reader = rpcChainReader(chain.rpcUrl);
  // No response cap: 100 000 logs are ~56 MB of JSON (viem's default cap is 10 MiB).
  const client = createPublicClient({ transport: http(chain.rpcUrl, { maxResponseBodySize: false }) });
  const rawRead = async (): Promise<number> => {
    const [rawMs, logs] = await timed(() =>
      client.request({
        method: 'eth_getLogs',
        params: [
          {
            address: d.ethProvider,
            topics: [[TOPICS.newTopUp, TOPICS.deploymentStopped]],
            fromBlock: numberToHex(from),
            toBlock: numberToHex(head),
          },
        ],
      }),
    );
    if ((logs as unknown[]).length !== orgCount)
      throw new Error(`raw eth_getLogs returned ${(logs as unknown[]).length}`);
    return rawMs;
  };

  const catchUp = async (): Promise<{ ms: number; steps: number }> => {
    const dir = mkdtempSync(join(tmpdir(), 'oneclick-bench-'));
    const store = openStore(dir, { chainId: chain.chainId, provider: d.ethProvider });
    const w = createWatcher({
      config: {
        chainId: chain.chainId,
        providerAddress: d.ethProvider,
        confirmations: 0n,
        graceBlocks: 10n,
        retentionBlocks: DEFAULTS.retentionBlocks,
        logRangeBlocks: DEFAULTS.logRangeBlocks,
        startBlock: from,
        maxReorgDepth: DEFAULTS.maxReorgDepth,
        pollIntervalMs: 100,
        backoffMaxMs: 1000,
      },
      store,
      reader,
      log: createLogger({ level: 'warn' }),
    });
    const [watchMs, steps] = await timed(() => w.sync());
    const counts = store.counts();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    if (counts.orgs !== orgCount || counts.logs !== orgCount)
      throw new Error(`watcher stored ${JSON.stringify(counts)}`);
    return { ms: watchMs, steps: steps.length };
  };

  // One uncounted round first: the first catch-up of a process also compiles the watcher's hot
  // loops and warms SQLite's page cache, which no later catch-up pays (it made the spread).
  await rawRead();
  await catchUp();
  const raw: number[] = [];
  const watcher: number[] = [];
  for (let i = 0; i < iterations; i++) {
    raw.push(await rawRead());
    const { ms: watchMs, steps } = await catchUp();
    watcher.push(watchMs);
    process.stderr.write(`\r[bench] iteration ${i + 1}/${iterations} (${steps} steps)`);
  }
  process.stderr.write('\n');

  const r = summarize(raw);
  const c = summarize(watcher);
  console.log(`raw eth_getLogs (${orgCount} logs)         p50 ${ms(r.p50)}  p95 ${ms(r.p95)}  (n=${r.n})`);
  // Committed: a SIGKILL takes back nothing; steps reach the disk with the next reconciler write.
  console.log(`watcher catch-up to committed state  p50 ${ms(c.p50)}  p95 ${ms(c.p95)}  (n=${c.n})`);
  // Each catch-up over the raw read run just before it: noise that hits both cancels in the pair.
  const paired = summarize(watcher.map((w, i) => w / (raw[i] as number)));
  console.log(`ratio (p50) watcher / raw eth_getLogs = ${(c.p50 / r.p50).toFixed(2)}x`);
  console.log(
    `ratio per pair  p50 ${paired.p50.toFixed(2)}x  p95 ${paired.p95.toFixed(2)}x  (n=${paired.n})`,
  );
  console.log(`watcher throughput (p50) = ${((orgCount / c.p50) * 1000).toFixed(0)} logs/s`);
} finally {
  await chain.stop();
}
