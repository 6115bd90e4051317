/**
 * The store's writes: one transaction per watcher step or anchor scan (a SIGKILL at any moment
 * leaves the state of the last whole one), and the reconciler's columns.
 */
import type Database from 'better-sqlite3';
import type { Address } from 'viem';
import type { Anchor } from '../events.js';
import { ORG_BATCH, type Queries } from './queries.js';
import { blockColumn, encodeLogs, orgKey, padBlock, type Row } from './rows.js';
import type { LoggedEvent, RuntimeUpdate, StepWrite } from './types.js';

function byBlock(events: readonly LoggedEvent[]): Map<bigint, LoggedEvent[]> {
  const out = new Map<bigint, LoggedEvent[]>();
  for (const e of events) {
    const block = out.get(e.at.blockNumber);
    if (block) block.push(e);
    else out.set(e.at.blockNumber, [e]);
  }
  return out;
}

export function writers(db: Database.Database, q: Queries) {
  function insertAnchors(anchors: readonly Anchor[]): Address[] {
    const anchored = new Set<Address>();
    for (const a of anchors) {
      const { blockHash, transactionHash, logIndex, blockNumber } = a.at;
      const org = orgKey(a.org);
      const added = q.addAnchor.run(
        blockHash,
        transactionHash,
        logIndex,
        blockNumber,
        org,
        a.repo,
        a.id,
        a.tag,
        a.multihash,
      );
      if (added.changes > 0) anchored.add(org);
    }
    return [...anchored];
  }

  /** The watcher's columns of `count` orgs from `start`, positional (binding an object per row cost a third of the writes). */
  function orgParams(orgs: StepWrite['orgs'], start: number, count: number): unknown[] {
    const params = new Array<unknown>(count * 7);
    let i = 0;
    for (let k = start; k < start + count; k++) {
      const { org, deployment, verdict, block } = orgs[k]!;
      params[i++] = orgKey(org);
      params[i++] = padBlock(deployment.expiry);
      params[i++] = verdict.active ? 1 : 0;
      params[i++] = deployment.stoppedAt ?? null;
      params[i++] = verdict.desired;
      params[i++] = verdict.changesAt === undefined ? null : blockColumn(verdict.changesAt);
      params[i++] = block;
    }
    return params;
  }

  /** ORG_BATCH orgs per statement run, the rest one at a time; in key order, so the B-tree appends. */
  function upsertOrgs(unsorted: StepWrite['orgs']): void {
    const orgs = [...unsorted].sort((a, b) => (a.org < b.org ? -1 : 1));
    const batched = orgs.length - (orgs.length % ORG_BATCH);
    for (let i = 0; i < batched; i += ORG_BATCH) q.upsertOrgBatch.run(orgParams(orgs, i, ORG_BATCH));
    for (let i = batched; i < orgs.length; i++) q.upsertOrg.run(orgParams(orgs, i, 1));
  }

  /**
   * A write of the chain's side, synced only with the next reconciler write (synchronous NORMAL in
   * WAL): it holds what the chain gives again, so a power loss may take back the last steps, never
   * part of one, and a SIGKILL takes back nothing. Each reconciler write syncs the log, and with it
   * every step before it (a tenth of a catch-up was this sync).
   */
  function chainSide<A extends unknown[], R>(write: (...args: A) => R): (...args: A) => R {
    return (...args) => {
      db.pragma('synchronous = NORMAL');
      try {
        return write(...args);
      } finally {
        db.pragma('synchronous = FULL');
      }
    };
  }

  /** Writes one watcher step atomically; returns the orgs that got new anchors and those deleted. */
  const commitStep = chainSide(
    db.transaction((step: StepWrite) => {
      if (step.rewindTo !== undefined) {
        q.rewindLogs.run(step.rewindTo);
        q.rewindAnchors.run(step.rewindTo);
        q.rewindBlocks.run(step.rewindTo);
        q.rewindScans.run({ to: step.rewindTo });
      }
      for (const events of byBlock(step.events).values()) {
        const { blockNumber, blockHash } = (events[0] as LoggedEvent).at;
        q.addBlockLogs.run(blockNumber, blockHash, encodeLogs(events));
      }
      const anchored = insertAnchors(step.anchors);
      upsertOrgs(step.orgs);
      for (const s of step.scans) q.addScan.run(orgKey(s.org), s.next, s.until);
      const deleted: Address[] = [];
      for (const org of step.removed.map(orgKey)) {
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
    }),
  );

  /** Records anchors found by a backfill scan and moves the scanned orgs past `through`. */
  const commitScan = chainSide(
    db.transaction((orgs: readonly Address[], through: bigint, anchors: readonly Anchor[]) => {
      const anchored = insertAnchors(anchors);
      for (const org of orgs) q.advanceScan.run(through + 1n, orgKey(org));
      q.finishScans.run();
      return anchored;
    }),
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
    db.prepare(sql).run({ ...values, address: orgKey(address) });
  }

  /**
   * The org's p2p port: the recorded one, else the lowest free one of [min, max], recorded in the
   * same transaction (the column is UNIQUE: two orgs never share a port).

   */
  const allocatePort = db.transaction((org: Address, min: number, max: number): number => {
    const address = orgKey(org);
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

  return { commitStep, commitScan, setRuntime, allocatePort };
}
