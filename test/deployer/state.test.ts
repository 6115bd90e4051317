import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Address, Hash } from 'viem';
import { verdictAt, type Terms } from '../../harness/deployer/desired.js';
import { base58, radRepoId } from '../../harness/deployer/events.js';
import { ORG_BATCH } from '../../harness/deployer/state/queries.js';
import {
  openStore,
  padBlock,
  SCHEMA_VERSION,
  STATE_FILE,
  type StepWrite,
} from '../../harness/deployer/state/index.js';
import { tempDir } from './fixture.js';

const ID = { chainId: 31337, provider: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address };
const ORG = '0x00000000000000000000000000000000000f00d1' as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hash;

function stepWith(overrides: Partial<StepWrite> = {}): StepWrite {
  return {
    cursor: { number: 10n, hash: hash(10) },
    events: [
      {
        kind: 'top-up',
        org: ORG,
        expiry: 110n,
        at: { blockNumber: 10n, blockHash: hash(10), transactionHash: hash(1010), logIndex: 0 },
        before: { expiry: 0n },
      },
    ],
    anchors: [],
    orgs: [
      {
        org: ORG,
        deployment: { expiry: 110n },
        verdict: { active: true, desired: 'run', changesAt: 110n },
        block: 10n,
      },
    ],
    removed: [],
    scans: [],
    keepBlocksFrom: 0n,
    ...overrides,
  };
}

describe('desired state rules', () => {
  const terms: Terms = { graceBlocks: 5n, retentionBlocks: 10n };
  it('active while expiry > block; runs through grace; keeps data through retention; a stop skips grace', () => {
    const d = { expiry: 100n };
    expect(verdictAt(d, 99n, terms)).toEqual({ active: true, desired: 'run', changesAt: 100n });
    expect(verdictAt(d, 100n, terms)).toEqual({ active: false, desired: 'run', changesAt: 105n });
    expect(verdictAt(d, 105n, terms)).toEqual({ active: false, desired: 'stop', changesAt: 115n });
    expect(verdictAt(d, 115n, terms)).toEqual({ active: false, desired: 'purge' });
    const stopped = { expiry: 50n, stoppedAt: 50n };
    expect(verdictAt(stopped, 50n, terms)).toEqual({ active: false, desired: 'stop', changesAt: 60n });
    expect(verdictAt({ expiry: 0n }, 7n, terms)).toEqual({ active: false, desired: 'purge' });
  });
});

describe('radicle repository ids', () => {
  it('encodes base58btc like Bitcoin, leading zeros as 1s', () => {
    expect(base58(new Uint8Array([0, 0, 1]))).toBe('112');
    expect(base58(Buffer.from('hello world'))).toBe('StV1DL6CwTryKyV');
    expect(radRepoId(`0x${'00'.repeat(20)}${'00'.repeat(12)}`)).toBe(`rad:z${'1'.repeat(20)}`);
  });
});

describe('deployer state', () => {
  it('creates the schema at the current version in WAL mode, pinned to one provider on one chain', () => {
    const dir = tempDir();
    const store = openStore(dir, ID);
    expect(store.db.pragma('user_version', { simple: true })).toBe(BigInt(SCHEMA_VERSION));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    expect(() => openStore(dir, { ...ID, provider: ORG })).toThrow(/belongs to provider/);
    expect(() => openStore(dir, { ...ID, chainId: 1 })).toThrow(/belongs to chain_id/);
    openStore(dir, ID).close(); // reopening runs no migration twice
  });

  it('opens a v1 state file (written by the deployer at 8789a42): every log kept, each with its org state before it', () => {
    const dir = tempDir();
    const file = join(dir, STATE_FILE);
    copyFileSync(join(import.meta.dirname, 'fixtures/state-v1.sqlite'), file);
    // A stop and a renewal after it, as v1 rows: the state before the renewal is the stop.
    const v1 = new Database(file);
    const addLog = v1.prepare(
      'INSERT INTO logs (block_hash, tx_hash, log_index, block_number, org, event, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const ORG2 = '0x00000000000000000000000000000000000f00d2' as Address;
    addLog.run(hash(12), hash(1212), 2, 12, ORG2, 'stopped', padBlock(12n));
    addLog.run(hash(13), hash(1313), 0, 13, ORG2, 'top-up', padBlock(300n));
    v1.close();

    const store = openStore(dir, ID);
    expect(store.db.pragma('user_version', { simple: true })).toBe(BigInt(SCHEMA_VERSION));
    expect(store.counts().logs).toBe(5);
    expect(store.touchedAfter(9n)).toEqual(
      new Map([
        [ORG, { expiry: 0n }],
        [ORG2, { expiry: 0n }],
      ]),
    );
    expect(store.touchedAfter(10n)).toEqual(
      new Map([
        [ORG2, { expiry: 0n }],
        [ORG, { expiry: 110n }],
      ]),
    );
    expect(store.touchedAfter(12n)).toEqual(new Map([[ORG2, { expiry: 12n, stoppedAt: 12n }]]));
    expect(store.knownBlocks(11n).map((b) => b.number)).toEqual([13n, 12n, 11n]);
    expect(store.org(ORG)).toMatchObject({ expiry: 210n, desired: 'run' });
    // v4 keeps the block the verdict changes at, as an INTEGER.
    expect(store.org(ORG)?.changesAt).toBe(210n);
    expect(store.dueOrgs(209n)).toEqual([]);
    expect(store.dueOrgs(210n).map((o) => o.org)).toEqual([ORG]);
    // Ports stay one per org.
    expect(store.allocatePort(ORG, 9000, 9001)).toBe(9000);
    expect(() => store.setRuntime(ORG2, { port: 9000 })).toThrow(/UNIQUE/);
    expect(store.allocatePort(ORG2, 9000, 9001)).toBe(9001);
    // v3 checks the same values, by comparisons.
    expect(() => store.setRuntime(ORG, { status: 'bogus' as 'gone' })).toThrow(/CHECK constraint/);
    expect(store.org(ORG)).toMatchObject({ status: 'pending', port: 9000 });
    store.close();
  });

  it("keys a v1 state's checksummed orgs by lowercase address: rows, logs, anchors and scans", () => {
    const dir = tempDir();
    const file = join(dir, STATE_FILE);
    copyFileSync(join(import.meta.dirname, 'fixtures/state-v1.sqlite'), file);
    const MIXED = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' as Address;
    const KEY = MIXED.toLowerCase() as Address;
    const v1 = new Database(file);
    v1.prepare(
      'INSERT INTO logs (block_hash, tx_hash, log_index, block_number, org, event, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(hash(14), hash(1414), 0, 14, MIXED, 'top-up', padBlock(400n));
    v1.prepare(
      "INSERT INTO orgs (address, expiry, active, desired, changes_at, updated_block, port) VALUES (?, ?, 1, 'run', ?, 14, 9005)",
    ).run(MIXED, padBlock(400n), padBlock(400n));
    v1.prepare(
      "INSERT INTO anchors (block_hash, tx_hash, log_index, block_number, org, repo, id, tag, multihash) VALUES (?, ?, 0, 13, ?, 'rad:z1', ?, 1, '0x')",
    ).run(hash(13), hash(1313), MIXED, hash(7));
    v1.prepare('INSERT INTO anchor_scans (org, next_block, until_block) VALUES (?, 1, 13)').run(MIXED);
    v1.close();

    const store = openStore(dir, ID);
    expect(store.org(MIXED)).toMatchObject({ org: KEY, expiry: 400n, port: 9005 });
    expect(store.org(KEY)?.org).toBe(KEY);
    expect(store.orgAddresses()).toContain(KEY);
    expect(store.touchedAfter(13n)).toEqual(new Map([[KEY, { expiry: 0n }]]));
    expect(store.anchorsOf(MIXED).map((a) => a.org)).toEqual([KEY]);
    expect(store.nextScans(10).map((s) => s.org)).toEqual([KEY]);
    expect(store.counts().logs).toBe(4);
    // Written in either case, it is the one org.
    store.commitStep(
      stepWith({
        cursor: { number: 15n, hash: hash(15) },
        events: [],
        orgs: [
          { org: MIXED, deployment: { expiry: 500n }, verdict: { active: true, desired: 'run' }, block: 15n },
        ],
      }),
    );
    expect(store.org(KEY)).toMatchObject({ expiry: 500n, port: 9005 });
    expect(store.counts().orgs).toBe(3);
    store.close();
  });

  it('writes a step of many orgs in batches, keeping what the reconciler recorded of each', () => {
    const store = openStore(tempDir(), ID);
    const many = Array.from(
      { length: 2 * ORG_BATCH + 7 },
      (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as Address,
    );
    const orgsAt = (block: bigint, expiry: bigint): StepWrite['orgs'] =>
      many.map((org) => ({
        org,
        deployment: { expiry },
        verdict: verdictAt({ expiry }, block, { graceBlocks: 5n, retentionBlocks: 10n }),
        block,
      }));
    store.commitStep(stepWith({ events: [], orgs: orgsAt(10n, 110n) }));
    store.setRuntime(many[0]!, { status: 'active', port: 9000 });
    store.setRuntime(many.at(-1)!, { status: 'active', port: 9001 });
    store.commitStep(
      stepWith({ cursor: { number: 11n, hash: hash(11) }, events: [], orgs: orgsAt(11n, 120n) }),
    );
    expect(store.counts().orgs).toBe(many.length);
    expect(store.orgs().every((o) => o.expiry === 120n && o.block === 11n && o.desired === 'run')).toBe(true);
    expect(store.org(many[0]!)).toMatchObject({ status: 'active', port: 9000 });
    expect(store.org(many.at(-1)!)).toMatchObject({ status: 'active', port: 9001 });
    store.close();
  });

  it('stores expiries beyond SQLite integers exactly, sorted like numbers', () => {
    expect(padBlock(9n) < padBlock(10n)).toBe(true);
    const store = openStore(tempDir(), ID);
    const huge = 2n ** 64n - 1n;
    store.commitStep(
      stepWith({
        orgs: [
          {
            org: ORG,
            deployment: { expiry: huge },
            verdict: { active: true, desired: 'run', changesAt: huge },
            block: 10n,
          },
        ],
      }),
    );
    expect(store.org(ORG)?.expiry).toBe(huge);
    // A change past SQLite's integers is kept as its largest block, which no chain reaches.
    expect(store.org(ORG)?.changesAt).toBe(2n ** 63n - 1n);
    expect(store.dueOrgs(10n ** 12n)).toEqual([]);
    expect(store.dueOrgs(2n ** 63n - 2n)).toEqual([]);
    expect(store.dueOrgs(huge).map((o) => o.org)).toEqual([ORG]);
    store.close();
  });

  it('a step is all or nothing: a failure inside it leaves the previous state', () => {
    const store = openStore(tempDir(), ID);
    store.commitStep(stepWith());
    const bad = stepWith({
      cursor: { number: 11n, hash: hash(11) },
      events: [],
      orgs: [
        {
          org: ORG,
          deployment: { expiry: 999n },
          verdict: { active: true, desired: 'bogus' as 'run' },
          block: 11n,
        },
      ],
    });
    expect(() => store.commitStep(bad)).toThrow(/CHECK constraint/);
    expect(store.cursor()).toEqual({ number: 10n, hash: hash(10) });
    expect(store.org(ORG)).toMatchObject({ expiry: 110n, desired: 'run', block: 10n });
    // The same log again is not recorded twice.
    store.commitStep(stepWith());
    expect(store.counts()).toMatchObject({ orgs: 1, logs: 1 });
    store.close();
  });

  it('a rewind forgets logs, anchors and blocks above the fork; an org holding nothing is deleted', () => {
    const store = openStore(tempDir(), ID);
    store.commitStep(stepWith());
    store.commitStep(
      stepWith({
        rewindTo: 9n,
        cursor: { number: 12n, hash: hash(12) },
        events: [],
        orgs: [
          { org: ORG, deployment: { expiry: 0n }, verdict: { active: false, desired: 'purge' }, block: 12n },
        ],
        removed: [ORG],
      }),
    );
    expect(store.counts()).toMatchObject({ orgs: 0, logs: 0, anchors: 0 });
    expect(store.knownBlocks(0n)).toEqual([{ number: 12n, hash: hash(12) }]);
    store.close();
  });
});
