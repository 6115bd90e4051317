/**
 * The deployer's durable state, one SQLite file (better-sqlite3, WAL). The watcher writes the
 * chain's side of an org (expiry, stop, desired, anchors, cursor) with one `commitStep` per step, in
 * one transaction, so a SIGKILL at any moment leaves the state of the last whole step (a power
 * loss: of a whole step, maybe an earlier one, which the chain gives again; the reconciler's
 * writes are synced to disk). The reconciler owns the other columns (status, port, NID,
 * container, volume).
 *
 * Block numbers are INTEGER. `expiry` is a uint64 and may exceed SQLite's signed 64 bits, so it is
 * stored as 20-digit zero-padded decimal text, which sorts and compares like the number.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Address, Hash, Hex } from 'viem';
import type { DeploymentState, DesiredOrg } from '../desired.js';
import { prepareQueries } from './queries.js';
import { addStatesBefore, blockColumn, desiredOfRow, orgKey, orgOf, type Row } from './rows.js';
import { migrate, pinIdentity, STATE_FILE } from './schema.js';
import type { AnchorScan, Cursor, OrgRow, Status, StoredAnchor } from './types.js';
import { writers } from './write.js';

export { desiredOfRow, orgKey, padBlock } from './rows.js';
export { SCHEMA_VERSION, STATE_FILE } from './schema.js';
export type * from './types.js';

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
  // A catch-up step writes tens of thousands of rows in one transaction: keep its pages in memory
  // (the default 2 MiB spills to the WAL mid-transaction). Allocated only as used.
  db.pragma('cache_size = -65536');
  db.defaultSafeIntegers(true);
  migrate(db);
  pinIdentity(db, identity);
  const q = prepareQueries(db);
  const { commitStep, commitScan, setRuntime, allocatePort } = writers(db, q);

  const cursor = (): Cursor | undefined => {
    const row = q.cursor.get() as Row | undefined;
    return row && { number: row.number as bigint, hash: row.hash as Hash };
  };

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
      const row = q.org.get(orgKey(address)) as Row | undefined;
      return row && orgOf(row);
    },
    /** The stored ones of `addresses`. */
    orgsIn(addresses: readonly Address[]): OrgRow[] {
      if (addresses.length === 0) return [];
      return (q.orgsIn.all(JSON.stringify(addresses.map(orgKey))) as Row[]).map(orgOf);
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
      return (q.due.all(blockColumn(block)) as Row[]).map(orgOf);
    },
    /** Orgs with deployment logs above `block`, each with its state at `block` (before the first of them). */
    touchedAfter(block: bigint): Map<Address, DeploymentState> {
      const out = new Map<Address, DeploymentState>();
      for (const events of q.logsAfter.all(block) as string[]) addStatesBefore(out, events);
      return out;
    },
    /** Orgs whose verdict was computed at a block above `block`. */
    orgsUpdatedAfter(block: bigint): Address[] {
      return q.updatedAfter.all(block) as Address[];
    },
    orgsAnchoredAfter(block: bigint): Address[] {
      return q.anchoredAfter.all(block) as Address[];
    },
    anchorsOf(org: Address): StoredAnchor[] {
      return (q.anchorsOf.all(orgKey(org)) as Row[]).map((r) => ({
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
        logs: Number(q.countLogs.get() as bigint),
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
