/**
 * The watcher's phases alone, without a chain: the range a step reads, the anchor backfills it
 * opens and the range of the next one, events applied in chain order, the base state of a step
 * (from the store, or from the state at the fork after a rewind), and what the reconciler hears.
 */
import { describe, expect, it } from 'vitest';
import type { Address, Hash } from 'viem';
import { verdictAt } from '../../harness/deployer/desired.js';
import { TOPICS, type ProviderEvent, type RpcLog } from '../../harness/deployer/events.js';
import { memoryLogger } from '../../harness/deployer/log.js';
import type { ChainReader, LogFilter } from '../../harness/deployer/rpc.js';
import { openStore, type StepWrite } from '../../harness/deployer/state/index.js';
import { watchContext, type WatcherConfig } from '../../harness/deployer/watcher/context.js';
import { readRange, splitRange } from '../../harness/deployer/watcher/read.js';
import { scanRange, scansFor } from '../../harness/deployer/watcher/scan.js';
import { applyEvents, baseOf, changesOf } from '../../harness/deployer/watcher/settle.js';
import { stepRange } from '../../harness/deployer/watcher/step.js';
import { tempDir } from './fixture.js';

const PROVIDER = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hash;
const orgN = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
const at = (block: number, logIndex = 0) => ({
  blockNumber: BigInt(block),
  blockHash: hash(block),
  transactionHash: hash(1000 + block),
  logIndex,
});

describe('the parts a range of deployment logs is read in', () => {
  const parts = (from: number, to: number) =>
    splitRange(BigInt(from), BigInt(to), 4, 4n).map((p) => [Number(p.from), Number(p.to)]);
  it('consecutive, covering the range once; at most four, of at least four blocks', () => {
    expect(parts(1, 27)).toEqual([
      [1, 7],
      [8, 14],
      [15, 21],
      [22, 27],
    ]);
    expect(parts(10, 10)).toEqual([[10, 10]]);
    expect(parts(10, 16)).toEqual([[10, 16]]);
    expect(parts(10, 17)).toEqual([
      [10, 13],
      [14, 17],
    ]);
    expect(parts(1, 2000).map(([a, b]) => b! - a! + 1)).toEqual([500, 500, 500, 500]);
  });
});

describe('the range of a step', () => {
  const config = { startBlock: 10n, logRangeBlocks: 100n };

  it('from the start block without a cursor, else after it; bounded; never past the safe head', () => {
    expect(stepRange(undefined, 1000n, config)).toEqual({ from: 10n, to: 109n });
    expect(stepRange({ number: 50n, hash: hash(50) }, 1000n, config)).toEqual({ from: 51n, to: 150n });
    expect(stepRange({ number: 50n, hash: hash(50) }, 60n, config)).toEqual({ from: 51n, to: 60n });
    // Nothing confirmed is new: empty.
    expect(stepRange({ number: 50n, hash: hash(50) }, 50n, config)).toEqual({ from: 51n, to: 50n });
  });
});

describe('anchor backfills', () => {
  it('each org first seen in a step (and not removed in it) is scanned from the start block to before it', () => {
    const [a, b] = [orgN(1), orgN(2)];
    expect(scansFor([a, b], new Set([b]), 40n, 10n)).toEqual([{ org: a, next: 10n, until: 39n }]);
    // A step starting at the start block has nothing before it to scan.
    expect(scansFor([a], new Set(), 10n, 10n)).toEqual([]);
  });

  it('the next scan covers one bounded range, up to the latest `until` of the batch, never past the cursor', () => {
    const scans = [
      { org: orgN(1), next: 10n, until: 39n },
      { org: orgN(2), next: 10n, until: 500n },
    ];
    expect(scanRange(scans, 100n, 1000n)).toEqual({ from: 10n, through: 109n });
    expect(scanRange(scans, 1000n, 1000n)).toEqual({ from: 10n, through: 500n });
    expect(scanRange(scans, 1000n, 200n)).toEqual({ from: 10n, through: 200n });
    expect(scanRange([], 100n, 1000n)).toBeUndefined();
  });
});

describe('events', () => {
  it('apply in chain order, whatever order they came in: a stop ends at its block', () => {
    const org = orgN(1);
    const events: ProviderEvent[] = [
      { kind: 'stopped', org, atBlock: 30n, at: at(30) },
      { kind: 'top-up', org, expiry: 200n, at: at(20, 1) },
      { kind: 'top-up', org, expiry: 100n, at: at(20, 0) },
    ];
    const { states, logged } = applyEvents(new Map(), events);
    expect(states.get(org)).toEqual({ expiry: 30n, stoppedAt: 30n });
    expect(logged.map((e) => [e.at.blockNumber, e.before])).toEqual([
      [20n, { expiry: 0n }],
      [20n, { expiry: 100n }],
      [30n, { expiry: 200n }],
    ]);
    expect(applyEvents(new Map([[org, { expiry: 5n }]]), events.slice(1)).states.get(org)).toEqual({
      expiry: 200n,
    });
  });
});

describe('whose deployment logs are read', () => {
  const FOREIGN = '0x00000000000000000000000000000000000f0e19' as Address;
  const topUpOf = (address: Address, org: Address, logIndex: number): RpcLog => ({
    address,
    topics: [TOPICS.newTopUp, `0x${'0'.repeat(24)}${org.slice(2)}`],
    data: `0x${'0'.repeat(62)}64`,
    blockNumber: '0x14',
    blockHash: hash(20),
    transactionHash: hash(1020),
    logIndex: `0x${logIndex}`,
  });
  /** The events read through a chain holding a top-up at the provider and one at a foreign contract. */
  const read = async (logsFrom?: 'provider' | 'any') => {
    const filters: LogFilter[] = [];
    const reader = {
      logs: async (f: LogFilter) =>
        f.topics[0] === TOPICS.anchored
          ? []
          : (filters.push(f),
            [topUpOf(PROVIDER, orgN(7), 0), topUpOf(FOREIGN, orgN(8), 1)].filter(
              (l) => !f.address || l.address === f.address,
            )),
    } as unknown as ChainReader;
    const ctx = watchContext({
      config: { providerAddress: PROVIDER } as WatcherConfig,
      store: openStore(tempDir(), { chainId: 31337, provider: PROVIDER }),
      reader,
      log: memoryLogger().log,
      ...(logsFrom && { logsFrom }),
    });
    const { events } = await readRange(ctx, 20n, 20n);
    return { addresses: filters.map((f) => f.address), orgs: events.map((e) => e.org) };
  };

  it("the provider contract's only (the reference); by topic alone, every emitter's taken for it (any-emitter)", async () => {
    expect(await read()).toEqual({ addresses: [PROVIDER], orgs: [orgN(7)] });
    expect(await read('provider')).toEqual(await read());
    expect(await read('any')).toEqual({ addresses: [undefined], orgs: [orgN(7), orgN(8)] });
  });
});

describe("a node's answers, each log taken once", () => {
  const logAt = (block: number, logIndex: number, org: number, blockHash = hash(block)): RpcLog => ({
    address: PROVIDER,
    topics: [TOPICS.newTopUp, `0x${'0'.repeat(24)}${orgN(org).slice(2)}`],
    data: `0x${'0'.repeat(62)}64`,
    blockNumber: `0x${block.toString(16)}`,
    blockHash,
    transactionHash: hash(5000 + block * 100 + logIndex),
    logIndex: `0x${logIndex.toString(16)}`,
  });
  /** readRange over `from`..`to` of a node answering each part with `answer(part)`. */
  const read = async (from: number, to: number, answer: (from: number, to: number) => RpcLog[]) => {
    const memory = memoryLogger();
    const reader = {
      logs: async (f: LogFilter) =>
        f.topics[0] === TOPICS.anchored ? [] : answer(Number(f.fromBlock), Number(f.toBlock)),
    } as unknown as ChainReader;
    const ctx = watchContext({
      config: { providerAddress: PROVIDER } as WatcherConfig,
      store: openStore(tempDir(), { chainId: 31337, provider: PROVIDER }),
      reader,
      log: memory.log,
    });
    const { events, blocks } = await readRange(ctx, BigInt(from), BigInt(to));
    const placed = events.map((e) => [Number(e.at.blockNumber), e.at.logIndex]);
    return { placed, blocks, warnings: memory.entries().filter((e) => e.level === 'warn') };
  };

  it('in chain order, or not: a log repeated in an answer is taken once; its blocks are recorded', async () => {
    const { placed, blocks } = await read(20, 21, () => [
      logAt(20, 0, 1),
      logAt(20, 1, 2),
      logAt(20, 1, 2),
      logAt(21, 0, 3),
      logAt(20, 0, 1),
      logAt(20, 2, 4),
    ]);
    expect(placed).toEqual([
      [20, 0],
      [20, 1],
      [21, 0],
      [20, 2],
    ]);
    expect(blocks).toEqual(
      new Map([
        [20n, hash(20)],
        [21n, hash(21)],
      ]),
    );
  });

  it("a log outside the part it answers is not trusted, even inside the step's range", async () => {
    // 1..8 is read as 1..4 and 5..8; the first answer also carries a log of block 6.
    const { placed, warnings } = await read(1, 8, (from) =>
      from === 1 ? [logAt(2, 0, 1), logAt(6, 0, 2)] : [logAt(6, 0, 2)],
    );
    expect(placed).toEqual([
      [2, 0],
      [6, 0],
    ]);
    expect(warnings).toMatchObject([
      { msg: 'skipped log', reason: 'outside the block range read', block: '6' },
    ]);
  });

  it('two hashes for one block: the chain moved under the reads', async () => {
    await expect(read(20, 20, () => [logAt(20, 0, 1), logAt(20, 1, 2, hash(99))])).rejects.toThrow(
      /two hashes for block 20/,
    );
    await expect(
      read(20, 21, () => [logAt(20, 0, 1), logAt(21, 0, 2), logAt(20, 1, 3, hash(99))]),
    ).rejects.toThrow(/two hashes for block 20/);
  });
});

describe('the base state of a step, and what the reconciler hears', () => {
  const step = (orgs: StepWrite['orgs'], events: StepWrite['events'], block: number): StepWrite => ({
    cursor: { number: BigInt(block), hash: hash(block) },
    events,
    anchors: [],
    orgs,
    removed: [],
    scans: [],
    keepBlocksFrom: 0n,
  });
  const org = orgN(7);
  const terms = { graceBlocks: 5n, retentionBlocks: 20n };

  function stored() {
    const store = openStore(tempDir(), { chainId: 31337, provider: PROVIDER });
    store.commitStep(
      step(
        [
          {
            org,
            deployment: { expiry: 100n },
            verdict: { active: true, desired: 'run', changesAt: 100n },
            block: 10n,
          },
        ],
        [{ kind: 'top-up', org, expiry: 100n, at: at(10), before: { expiry: 0n } }],
        10,
      ),
    );
    store.commitStep(
      step(
        [
          {
            org,
            deployment: { expiry: 20n, stoppedAt: 20n },
            verdict: { active: false, desired: 'stop', changesAt: 40n },
            block: 20n,
          },
        ],
        [{ kind: 'stopped', org, atBlock: 20n, at: at(20), before: { expiry: 100n } }],
        20,
      ),
    );
    return store;
  }

  it('without a rewind: the stored deployment; after one: the state at the fork of an org touched above it', () => {
    const store = stored();
    expect(baseOf(store).get(org)).toEqual({ expiry: 20n, stoppedAt: 20n });
    expect(baseOf(store).get(orgN(8))).toBeUndefined();
    expect(baseOf(store, store.touchedAfter(15n)).get(org)).toEqual({ expiry: 100n });
    expect(baseOf(store, store.touchedAfter(5n)).get(org)).toEqual({ expiry: 0n });
    expect(baseOf(store, store.touchedAfter(20n)).get(org)).toEqual({ expiry: 20n, stoppedAt: 20n });
    store.close();
  });

  it('hears of an org only when its desired state differs from the stored one, and not of one never stored and gone', () => {
    const store = stored();
    const ctx = { store };
    const same = {
      org,
      deployment: { expiry: 20n, stoppedAt: 20n },
      verdict: { active: false, desired: 'stop' as const },
      block: 21n,
    };
    // As settle gives them: the verdict at the step's block.
    const renewed = {
      ...same,
      deployment: { expiry: 300n },
      verdict: verdictAt({ expiry: 300n }, 21n, terms),
    };
    const never = { ...same, org: orgN(9), deployment: { expiry: 0n } };
    expect(changesOf(ctx, [same, never], 21n)).toEqual([]);
    expect(changesOf(ctx, [renewed], 21n)).toEqual([
      { org, expiry: 300n, active: true, desired: 'run', block: 21n },
    ]);
    store.close();
  });
});
