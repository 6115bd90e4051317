import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Address } from 'viem';
import { expiryOf } from '../../harness/chain/actions.js';
import { mine } from '../../harness/chain/mining.js';
import { TOPICS } from '../../harness/deployer/events.js';
import { DEFAULTS } from '../../harness/deployer/config.js';
import { openStore, type Store } from '../../harness/deployer/state/index.js';
import { useWorld, type World } from '../contracts/fixture.js';
import { org, tempDir, topUpMany, watch } from './fixture.js';

const world = useWorld();
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSIG_SECRET = 'c2VjcmV0LXRzaWcta2V5LW5ldmVyLWxvZ2dlZA==';

interface Running {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (as JSON) matching `test`. */
  waitFor(
    test: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startDeployer(w: World, dir: string): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'harness/deployer/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ONECLICK_RPC_URL: w.chain.rpcUrl,
      ONECLICK_CHAIN_ID: String(w.chain.chainId),
      ONECLICK_PROVIDER_ADDRESS: w.d.ethProvider,
      ONECLICK_ORG_FACTORY_ADDRESS: w.d.orgFactory,
      ONECLICK_CONFIRMATIONS: '1',
      ONECLICK_GRACE_BLOCKS: '5',
      ONECLICK_DNS_SERVER: '127.0.0.1:53',
      ONECLICK_DNS_ZONE: 'orgs.test',
      ONECLICK_DNS_TSIG: `oneclick:hmac-sha256:${TSIG_SECRET}`,
      DEPLOYER_STATE_DIR: dir,
      DEPLOYER_LOG_RANGE: '1',
      DEPLOYER_POLL_MS: '50',
      DEPLOYER_START_BLOCK: String(w.d.deployedAtBlock),
      LOG_LEVEL: 'debug',
    },
  });
  const lines: string[] = [];
  const waiters: Array<{
    test: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }> = [];
  const onLine = (line: string) => {
    lines.push(line);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const waiter of [...waiters]) {
      if (waiter.test(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(`stderr: ${l}`));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (test, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no matching line in ${timeoutMs} ms; got:\n${lines.slice(-20).join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      }),
  };
}

/** The state in `dir` is that of a whole number of steps: every log up to its cursor, nothing after. */
async function expectConsistent(w: World, dir: string) {
  const store = openStore(dir, { chainId: w.chain.chainId, provider: w.d.ethProvider });
  try {
    const cursor = store.cursor();
    if (!cursor) return expect(store.counts()).toMatchObject({ orgs: 0, logs: 0 });
    expect((await w.test.getBlock({ blockNumber: cursor.number })).hash).toBe(cursor.hash);
    const onChain = await w.test.getLogs({
      address: w.d.ethProvider,
      fromBlock: w.d.deployedAtBlock,
      toBlock: cursor.number,
    });
    const topUps = onChain.filter((l) => l.topics[0] === TOPICS.newTopUp);
    expect(store.counts().logs).toBe(topUps.length);
    const orgs = new Set(topUps.map((l) => `0x${l.topics[1]!.slice(26)}`.toLowerCase()));
    expect(
      store
        .orgAddresses()
        .map((a) => a.toLowerCase())
        .sort(),
    ).toEqual([...orgs].sort());
    for (const row of store.desiredOrgs().slice(0, 25)) {
      expect(row.expiry).toBe(
        await expiryOf(w.test, w.d.ethProvider, row.org, { blockNumber: cursor.number }),
      );
    }
    return cursor.number;
  } finally {
    store.close();
  }
}

describe('deployer process: SIGKILL', () => {
  it('killed -9 mid-catch-up, again and again, converges to the state of an uninterrupted run', async () => {
    const w = world();
    const orgs: Address[] = Array.from({ length: 240 }, (_, i) => org(5000 + i));
    await topUpMany(w, w.d.ethProvider, orgs, { perBlock: 4 });
    await mine(w.test, 2);
    const safe = (await w.test.getBlockNumber({ cacheTime: 0 })) - 1n;
    const dir = tempDir();

    const cursors: bigint[] = [];
    // Killed at arbitrary moments after a run makes progress: between steps or inside a commit.
    for (const delayMs of [0, 15, 40, 5]) {
      const run = startDeployer(w, dir);
      await run.waitFor((e) => e.msg === 'step' && Number(e.applied) > 0);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      run.child.kill('SIGKILL');
      expect(await run.exited).toBeNull();
      const cursor = await expectConsistent(w, dir);
      if (cursor !== undefined) cursors.push(cursor);
      expect(run.lines.join('\n')).not.toContain(TSIG_SECRET);
    }
    // The kills landed mid-catch-up, each run going on from where the last one stopped.
    expect(cursors.length).toBeGreaterThan(0);
    expect(cursors.every((c) => c < safe)).toBe(true);
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);

    const last = startDeployer(w, dir);
    await last.waitFor((e) => e.msg === 'caught up');
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect(last.lines.join('\n')).not.toContain(TSIG_SECRET);
    const final = await expectConsistent(w, dir);

    // Same desired state and row counts as one uninterrupted in-process run.
    const reference = watch(w, {
      confirmations: 1n,
      graceBlocks: 5n,
      retentionBlocks: DEFAULTS.retentionBlocks,
      logRangeBlocks: 50n,
    });
    await reference.watcher.sync();
    expect(reference.store.cursor()!.number).toBe(final);
    const store = openStore(dir, { chainId: w.chain.chainId, provider: w.d.ethProvider });
    try {
      // `block` is where a step last touched the org, which depends on the step sizes: left out.
      const desired = (s: Store) => s.desiredOrgs().map(({ block: _, ...rest }) => rest);
      expect(desired(store)).toEqual(desired(reference.store));
      const { blocks: _b, ...counts } = store.counts();
      const { blocks: _r, ...expected } = reference.store.counts();
      expect(counts).toEqual(expected);
      expect(counts).toMatchObject({ orgs: orgs.length, logs: orgs.length });
    } finally {
      store.close();
    }
  });
});
