/**
 * The deployer's durable state, one SQLite file (better-sqlite3, WAL). The watcher writes the
 * chain's side of an org (expiry, stop, desired, anchors, cursor) with one `commitStep` per step, in
 * one transaction, so a SIGKILL at any moment leaves the state of the last whole step; the
 * reconciler will own the other columns (status, port, NID, container, volume).
 *
 * Block numbers are INTEGER. `expiry` is a uint64 and may exceed SQLite's signed 64 bits, so it is
 * stored as 20-digit zero-padded decimal text, which sorts and compares like the number.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Address, Hash, Hex } from 'viem';
import type { Desired, DesiredOrg, DeploymentState, Verdict } from './desired.js';
import type { Anchor, LogPosition, ProviderEvent } from './events.js';

export type Status = 'pending' | 'active' | 'expiring' | 'stopped' | 'gone';

export interface Cursor {
  number: bigint;
  hash: Hash;
}

/** An org as stored: the watcher's desired state plus the reconciler's columns. */
export interface OrgRow extends DesiredOrg {
  changesAt?: bigint;
  status: Status;
  port?: number;
  nid?: string;
  containerId?: string;
  volume?: string;
}

/** The reconciler's columns; `null` clears one, a missing key leaves it as it is. */
export interface RuntimeUpdate {
  status?: Status;
  port?: number | null;
  nid?: string | null;
  containerId?: string | null;
  volume?: string | null;
}

export interface StoredAnchor {
  org: Address;
  id: Hex;
  repo: string;
  tag: number;
  multihash: Hex;
  blockNumber: bigint;
}

export interface OrgUpdate {
  org: Address;
  deployment: DeploymentState;
  verdict: Verdict;
  block: bigint;
}

export interface AnchorScan {
  org: Address;
  next: bigint;
  until: bigint;
}

/** Everything one watcher step changes, written in one transaction. */
export interface StepWrite {
  /** Forget everything above this block first (a reorg). */
  rewindTo?: bigint;
  cursor: Cursor;
  events: readonly ProviderEvent[];
  anchors: readonly Anchor[];
  orgs: readonly OrgUpdate[];
  /** Orgs with no deployment left (expiry 0): deleted unless the reconciler holds something of theirs. */
  removed: readonly Address[];
  scans: readonly AnchorScan[];
  /** Cursor history kept for walking back on reorgs. */
  keepBlocksFrom: bigint;
}

export const STATE_FILE = 'deployer.sqlite';

/** Versioned migrations: index i brings `user_version` from i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE orgs (
    address       TEXT PRIMARY KEY,
    expiry        TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    stopped_at    INTEGER,
    desired       TEXT NOT NULL CHECK (desired IN ('run', 'stop', 'purge')),
    changes_at    TEXT,
    updated_block INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'active', 'expiring', 'stopped', 'gone')),
    port          INTEGER UNIQUE,
    nid           TEXT,
    container_id  TEXT,
    volume        TEXT
  );
  CREATE INDEX orgs_changes_at ON orgs (changes_at) WHERE changes_at IS NOT NULL;
  CREATE TABLE cursor (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    number INTEGER NOT NULL,
    hash   TEXT NOT NULL
  );
  CREATE TABLE blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
  CREATE TABLE logs (
    block_hash   TEXT NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    org          TEXT NOT NULL,
    event        TEXT NOT NULL CHECK (event IN ('top-up', 'stopped')),
    value        TEXT NOT NULL,
    PRIMARY KEY (block_hash, tx_hash, log_index)
  ) WITHOUT ROWID;
  CREATE INDEX logs_block ON logs (block_number);
  CREATE INDEX logs_org ON logs (org, block_number, log_index);
  CREATE TABLE anchors (
    block_hash   TEXT NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    org          TEXT NOT NULL,
    repo         TEXT NOT NULL,
    id           TEXT NOT NULL,
    tag          INTEGER NOT NULL,
    multihash    TEXT NOT NULL,
    PRIMARY KEY (block_hash, tx_hash, log_index)
  ) WITHOUT ROWID;
  CREATE INDEX anchors_block ON anchors (block_number);
  CREATE INDEX anchors_org ON anchors (org, block_number, log_index);
  CREATE TABLE anchor_scans (
    org         TEXT PRIMARY KEY,
    next_block  INTEGER NOT NULL,
    until_block INTEGER NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** uint64 as text that sorts like the number. */
export function padBlock(n: bigint): string {
  return n.toString().padStart(20, '0');
}

type Row = Record<string, unknown>;

function migrate(db: Database.Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length) {
    throw new Error(`state schema version ${current} is newer than this deployer's ${MIGRATIONS.length}`);
  }
  MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    })();
  });
}

function orgOf(row: Row): OrgRow {
  return {
    org: row.address as Address,
    expiry: BigInt(row.expiry as string),
    ...(row.stopped_at !== null && { stoppedAt: row.stopped_at as bigint }),
    active: row.active === 1n,
    desired: row.desired as Desired,
    block: row.updated_block as bigint,
    ...(row.changes_at !== null && { changesAt: BigInt(row.changes_at as string) }),
    status: row.status as Status,
    ...(row.port !== null && { port: Number(row.port) }),
    ...(row.nid !== null && { nid: row.nid as string }),
    ...(row.container_id !== null && { containerId: row.container_id as string }),
    ...(row.volume !== null && { volume: row.volume as string }),
  };
}

/** The desired-state part of a stored org (what the watcher emits). */
export function desiredOfRow(row: OrgRow): DesiredOrg {
  return {
    org: row.org,
    expiry: row.expiry,
    ...(row.stoppedAt !== undefined && { stoppedAt: row.stoppedAt }),
    active: row.active,
    desired: row.desired,
    block: row.block,
  };
}

export type Store = ReturnType<typeof openStore>;

/**
 * Opens (creating and migrating) the state in `dir`. `identity` pins the state to one provider on
 * one chain: opening it for another is an error, not a silent mix of two providers' orgs.
 */
export function openStore(dir: string, identity: { chainId: number; provider: Address }) {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, STATE_FILE), { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.defaultSafeIntegers(true);
  migrate(db);
  pinIdentity(db, identity);

  const q = {
    cursor: db.prepare('SELECT number, hash FROM cursor WHERE id = 1'),
    setCursor: db.prepare(
      'INSERT INTO cursor (id, number, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash',
    ),
    addBlock: db.prepare('INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)'),
    pruneBlocks: db.prepare('DELETE FROM blocks WHERE number < ?'),
    knownBlocks: db.prepare(`
      SELECT number, hash FROM blocks WHERE number >= @from
      UNION SELECT block_number, block_hash FROM logs WHERE block_number >= @from
      UNION SELECT block_number, block_hash FROM anchors WHERE block_number >= @from
      ORDER BY number DESC`),
    knownBlockBelow: db.prepare(`
      SELECT number, hash FROM (
        SELECT number, hash FROM blocks WHERE number < @below
        UNION SELECT block_number, block_hash FROM logs WHERE block_number < @below
      ) ORDER BY number DESC LIMIT 1`),
    org: db.prepare('SELECT * FROM orgs WHERE address = ?'),
    orgs: db.prepare('SELECT * FROM orgs ORDER BY address'),
    addresses: db.prepare('SELECT address FROM orgs ORDER BY address').pluck(),
    due: db.prepare('SELECT * FROM orgs WHERE changes_at IS NOT NULL AND changes_at <= ?'),
    touchedAfter: db.prepare('SELECT DISTINCT org FROM logs WHERE block_number > ?').pluck(),
    updatedAfter: db.prepare('SELECT address FROM orgs WHERE updated_block > ?').pluck(),
    anchoredAfter: db.prepare('SELECT DISTINCT org FROM anchors WHERE block_number > ?').pluck(),
    lastEvent: db.prepare(
      'SELECT event, value FROM logs WHERE org = ? AND block_number <= ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
    ),
    hasLog: db.prepare('SELECT 1 FROM logs WHERE block_hash = ? AND tx_hash = ? AND log_index = ?').pluck(),
    upsertOrg: db.prepare(`
      INSERT INTO orgs (address, expiry, active, stopped_at, desired, changes_at, updated_block)
      VALUES (@address, @expiry, @active, @stoppedAt, @desired, @changesAt, @block)
      ON CONFLICT (address) DO UPDATE SET
        expiry = excluded.expiry, active = excluded.active, stopped_at = excluded.stopped_at,
        desired = excluded.desired, changes_at = excluded.changes_at, updated_block = excluded.updated_block`),
    deleteFreeOrg: db.prepare(`
      DELETE FROM orgs WHERE address = ? AND status = 'pending'
        AND port IS NULL AND nid IS NULL AND container_id IS NULL AND volume IS NULL`),
    addLog: db.prepare(
      'INSERT OR IGNORE INTO logs (block_hash, tx_hash, log_index, block_number, org, event, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    addAnchor: db.prepare(
      'INSERT OR IGNORE INTO anchors (block_hash, tx_hash, log_index, block_number, org, repo, id, tag, multihash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    anchorsOf: db.prepare(
      'SELECT org, id, repo, tag, multihash, block_number FROM anchors WHERE org = ? ORDER BY block_number, log_index',
    ),
    deleteAnchorsOf: db.prepare('DELETE FROM anchors WHERE org = ?'),
    rewindLogs: db.prepare('DELETE FROM logs WHERE block_number > ?'),
    rewindAnchors: db.prepare('DELETE FROM anchors WHERE block_number > ?'),
    rewindBlocks: db.prepare('DELETE FROM blocks WHERE number > ?'),
    rewindScans: db.prepare('UPDATE anchor_scans SET until_block = @to WHERE until_block > @to'),
    addScan: db.prepare('INSERT OR IGNORE INTO anchor_scans (org, next_block, until_block) VALUES (?, ?, ?)'),
    advanceScan: db.prepare('UPDATE anchor_scans SET next_block = ? WHERE org = ?'),
    finishScans: db.prepare('DELETE FROM anchor_scans WHERE next_block > until_block'),
    deleteScan: db.prepare('DELETE FROM anchor_scans WHERE org = ?'),
    firstScanBlock: db.prepare('SELECT MIN(next_block) FROM anchor_scans').pluck(),
    scansFrom: db.prepare(
      'SELECT org, next_block, until_block FROM anchor_scans WHERE next_block = ? LIMIT ?',
    ),
    count: (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck(),
    usedPorts: db
      .prepare('SELECT port FROM orgs WHERE port IS NOT NULL AND port BETWEEN ? AND ? ORDER BY port')
      .pluck(),
    setPort: db.prepare('UPDATE orgs SET port = ? WHERE address = ?'),
    statusCounts: db.prepare('SELECT status, COUNT(*) AS n FROM orgs GROUP BY status'),
  };

  const cursor = (): Cursor | undefined => {
    const row = q.cursor.get() as Row | undefined;
    return row && { number: row.number as bigint, hash: row.hash as Hash };
  };

  function insertAnchors(anchors: readonly Anchor[]): Address[] {
    const anchored = new Set<Address>();
    for (const a of anchors) {
      const { blockHash, transactionHash, logIndex, blockNumber } = a.at;
      const added = q.addAnchor.run(
        blockHash,
        transactionHash,
        logIndex,
        blockNumber,
        a.org,
        a.repo,
        a.id,
        a.tag,
        a.multihash,
      );
      if (added.changes > 0) anchored.add(a.org);
    }
    return [...anchored];
  }

  /** Writes one watcher step atomically; returns the orgs that got new anchors and those deleted. */
  const commitStep = db.transaction((step: StepWrite) => {
    if (step.rewindTo !== undefined) {
      q.rewindLogs.run(step.rewindTo);
      q.rewindAnchors.run(step.rewindTo);
      q.rewindBlocks.run(step.rewindTo);
      q.rewindScans.run({ to: step.rewindTo });
    }
    for (const e of step.events) {
      const { blockHash, transactionHash, logIndex, blockNumber } = e.at;
      const value = e.kind === 'top-up' ? e.expiry : e.atBlock;
      q.addLog.run(blockHash, transactionHash, logIndex, blockNumber, e.org, e.kind, padBlock(value));
    }
    const anchored = insertAnchors(step.anchors);
    for (const u of step.orgs) {
      q.upsertOrg.run({
        address: u.org,
        expiry: padBlock(u.deployment.expiry),
        active: u.verdict.active ? 1 : 0,
        stoppedAt: u.deployment.stoppedAt ?? null,
        desired: u.verdict.desired,
        changesAt: u.verdict.changesAt === undefined ? null : padBlock(u.verdict.changesAt),
        block: u.block,
      });
    }
    for (const s of step.scans) q.addScan.run(s.org, s.next, s.until);
    const deleted: Address[] = [];
    for (const org of step.removed) {
      q.deleteScan.run(org);
      if (q.deleteFreeOrg.run(org).changes > 0) {
        q.deleteAnchorsOf.run(org);
        deleted.push(org);
      }
    }
    q.finishScans.run();
    q.setCursor.run(step.cursor.number, step.cursor.hash);
    q.addBlock.run(step.cursor.number, step.cursor.hash);
    q.pruneBlocks.run(step.keepBlocksFrom);
    return { anchored: anchored.filter((org) => !deleted.includes(org)), deleted };
  });

  /** Records anchors found by a backfill scan and moves the scanned orgs past `through`. */
  const commitScan = db.transaction(
    (orgs: readonly Address[], through: bigint, anchors: readonly Anchor[]) => {
      const anchored = insertAnchors(anchors);
      for (const org of orgs) q.advanceScan.run(through + 1n, org);
      q.finishScans.run();
      return anchored;
    },
  );

  /** Sets the reconciler's columns of an existing org (one statement: atomic). */
  function setRuntime(address: Address, update: RuntimeUpdate): void {
    const columns: Record<keyof RuntimeUpdate, string> = {
      status: 'status',
      port: 'port',
      nid: 'nid',
      containerId: 'container_id',
      volume: 'volume',
    };
    const keys = (Object.keys(update) as Array<keyof RuntimeUpdate>).filter((k) => update[k] !== undefined);
    if (keys.length === 0) return;
    const sql = `UPDATE orgs SET ${keys.map((k) => `${columns[k]} = @${k}`).join(', ')} WHERE address = @address`;
    const values = Object.fromEntries(keys.map((k) => [k, update[k]]));
    db.prepare(sql).run({ ...values, address });
  }

  /**
   * The org's p2p port: the recorded one, else the lowest free one of [min, max], recorded in the
   * same transaction (the column is UNIQUE: two orgs never share a port).
   */
  const allocatePort = db.transaction((address: Address, min: number, max: number): number => {
    const row = q.org.get(address) as Row | undefined;
    if (!row) throw new Error(`no org ${address} in the state`);
    if (row.port !== null) return Number(row.port);
    const used = new Set((q.usedPorts.all(min, max) as bigint[]).map(Number));
    for (let port = min; port <= max; port++) {
      if (!used.has(port)) {
        q.setPort.run(port, address);
        return port;
      }
    }
    throw new Error(`no free p2p port left in ${min}-${max}`);
  });

  return {
    db,
    cursor,
    commitStep,
    setRuntime,
    allocatePort,
    /** Orgs per reconciler status. */
    statusCounts(): Record<Status, number> {
      const out: Record<Status, number> = { pending: 0, active: 0, expiring: 0, stopped: 0, gone: 0 };
      for (const r of q.statusCounts.all() as Row[]) out[r.status as Status] = Number(r.n);
      return out;
    },
    commitScan,
    /** Stored (number, hash) pairs at or above `from`, newest first: candidates for the fork point. */
    knownBlocks(from: bigint): Cursor[] {
      return (q.knownBlocks.all({ from }) as Row[]).map((r) => ({
        number: r.number as bigint,
        hash: r.hash as Hash,
      }));
    },
    knownBlockBelow(below: bigint): Cursor | undefined {
      const row = q.knownBlockBelow.get({ below }) as Row | undefined;
      return row && { number: row.number as bigint, hash: row.hash as Hash };
    },
    org(address: Address): OrgRow | undefined {
      const row = q.org.get(address) as Row | undefined;
      return row && orgOf(row);
    },
    orgs(): OrgRow[] {
      return (q.orgs.all() as Row[]).map(orgOf);
    },
    desiredOrgs(): DesiredOrg[] {
      return (q.orgs.all() as Row[]).map((row) => desiredOfRow(orgOf(row)));
    },
    orgAddresses(): Address[] {
      return q.addresses.all() as Address[];
    },
    /** Orgs whose active/desired changes by itself at or before `block`. */
    dueOrgs(block: bigint): OrgRow[] {
      return (q.due.all(padBlock(block)) as Row[]).map(orgOf);
    },
    /** Orgs with deployment logs above `block`. */
    orgsTouchedAfter(block: bigint): Address[] {
      return q.touchedAfter.all(block) as Address[];
    },
    /** Orgs whose verdict was computed at a block above `block`. */
    orgsUpdatedAfter(block: bigint): Address[] {
      return q.updatedAfter.all(block) as Address[];
    },
    orgsAnchoredAfter(block: bigint): Address[] {
      return q.anchoredAfter.all(block) as Address[];
    },
    /** The org's latest recorded deployment event at or before `block`. */
    lastEvent(org: Address, block: bigint): { event: ProviderEvent['kind']; value: bigint } | undefined {
      const row = q.lastEvent.get(org, block) as Row | undefined;
      return row && { event: row.event as ProviderEvent['kind'], value: BigInt(row.value as string) };
    },
    isProcessed(at: LogPosition): boolean {
      return q.hasLog.get(at.blockHash, at.transactionHash, at.logIndex) !== undefined;
    },
    anchorsOf(org: Address): StoredAnchor[] {
      return (q.anchorsOf.all(org) as Row[]).map((r) => ({
        org: r.org as Address,
        id: r.id as Hex,
        repo: r.repo as string,
        tag: Number(r.tag),
        multihash: r.multihash as Hex,
        blockNumber: r.block_number as bigint,
      }));
    },
    /** The next batch of orgs to scan for anchors older than the block they were first seen at. */
    nextScans(limit: number): AnchorScan[] {
      const first = q.firstScanBlock.get() as bigint | null;
      if (first === null) return [];
      return (q.scansFrom.all(first, limit) as Row[]).map((r) => ({
        org: r.org as Address,
        next: r.next_block as bigint,
        until: r.until_block as bigint,
      }));
    },
    counts() {
      const n = (table: string) => Number(q.count(table).get() as bigint);
      return {
        orgs: n('orgs'),
        logs: n('logs'),
        anchors: n('anchors'),
        blocks: n('blocks'),
        scans: n('anchor_scans'),
      };
    },
    close(): void {
      if (db.open) db.close();
    },
  };
}

function pinIdentity(db: Database.Database, identity: { chainId: number; provider: Address }): void {
  const wanted = { chain_id: String(identity.chainId), provider: identity.provider };
  db.transaction(() => {
    for (const [key, value] of Object.entries(wanted)) {
      const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
        { value: string } | undefined;
      if (!row) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value);
      else if (row.value !== value) {
        throw new Error(
          `state in this directory belongs to ${key} ${row.value}, not ${value}: use another DEPLOYER_STATE_DIR`,
        );
      }
    }
  })();
}
