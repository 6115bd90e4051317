/**
 * The watcher: chain logs → desired state per org in the store → a change list for the reconciler.
 *
 * Each step reads one bounded range of confirmed blocks (safe head = head − confirmations) after
 * the cursor, decodes the provider's `NewTopUp` / `DeploymentStopped` and the served orgs'
 * `Anchored`, and commits the result with the new cursor in one transaction. Before reading, it
 * checks that the cursor block is still canonical; if not, it walks back (bounded) to the newest
 * stored block that is, forgets everything above it, and recomputes every org touched since from
 * the contract (`expiryOf` at the step's block), not from event arithmetic.
 */
import type { Address, Hash } from 'viem';
import type { DeployerConfig } from './config.js';
import {
  desiredOrg,
  differs,
  verdictAt,
  type DeploymentState,
  type DesiredOrg,
  type Terms,
} from './desired.js';
import {
  byPosition,
  decodeAnchorLog,
  decodeProviderLog,
  emitters,
  TOPICS,
  type Anchor,
  type Decoded,
  type LogPosition,
  type ProviderEvent,
  type RpcLog,
} from './events.js';
import { errorMessage, type Logger } from './log.js';
import type { ChainReader } from './rpc.js';
import { desiredOfRow, type AnchorScan, type Cursor, type OrgUpdate, type Store } from './state.js';

/** Addresses per `eth_getLogs` of anchors. */
export const ADDRESS_BATCH = 500;
/** Concurrent `expiryOf` reads when recomputing after a reorg. */
const READ_CONCURRENCY = 8;
const BACKOFF_BASE_MS = 200;

export type WatcherConfig = Pick<
  DeployerConfig,
  | 'chainId'
  | 'providerAddress'
  | 'confirmations'
  | 'graceBlocks'
  | 'retentionBlocks'
  | 'logRangeBlocks'
  | 'startBlock'
  | 'maxReorgDepth'
  | 'pollIntervalMs'
  | 'backoffMaxMs'
>;

/** What the reconciler hears after a step that changed something. */
export interface Change {
  /** The cursor after the step: the state is as of this block. */
  block: bigint;
  /** Orgs whose desired state changed (an org whose only top-up was reorged away: expiry 0, purge). */
  changed: DesiredOrg[];
  /** Orgs with new anchors. */
  anchored: Address[];
}

export interface Reorg {
  /** The cursor that was no longer canonical. */
  from: bigint;
  /** The newest stored block still canonical: everything above it was forgotten. */
  fork: bigint;
  /** No stored block within `maxReorgDepth` matched: the state was rebuilt from `startBlock`. */
  rebuilt: boolean;
}

export interface StepResult {
  head: bigint;
  safe: bigint;
  /** The block range read; `from > to` when there was nothing to read. */
  from: bigint;
  to: bigint;
  /** Deployment logs applied (not seen before). */
  applied: number;
  /** Nothing confirmed is left to read. */
  caughtUp: boolean;
  reorg?: Reorg;
  change: Change;
}

export interface WatcherOptions {
  config: WatcherConfig;
  store: Store;
  reader: ChainReader;
  log: Logger;
  /** Called after each step that changed something (after the commit; the store is the truth). */
  onChange?: (change: Change) => void | Promise<void>;
}

/** The chain moved under a read (the block hashes of one range disagree): retry the step. */
export class ChainMovedError extends Error {
  override name = 'ChainMovedError';
}

/** Not worth retrying: the configuration points at the wrong chain. */
export class FatalWatcherError extends Error {
  override name = 'FatalWatcherError';
}

const minOf = (a: bigint, b: bigint) => (a < b ? a : b);
const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const keyOf = (at: LogPosition) => `${at.blockHash}:${at.transactionHash}:${at.logIndex}`;

/** Capped exponential backoff: base, 2·base, 4·base, … up to `maxMs`. */
export function backoffMs(attempt: number, maxMs: number, baseMs = BACKOFF_BASE_MS): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Applies deployment events in chain order to a base state per org. */
export function applyEvents(
  base: ReadonlyMap<Address, DeploymentState>,
  events: readonly ProviderEvent[],
): Map<Address, DeploymentState> {
  const out = new Map(base);
  for (const e of [...events].sort(byPosition)) {
    out.set(e.org, e.kind === 'top-up' ? { expiry: e.expiry } : { expiry: e.atBlock, stoppedAt: e.atBlock });
  }
  return out;
}

export function createWatcher({ config, store, reader, log, onChange }: WatcherOptions) {
  const provider = config.providerAddress;
  const providerOnly = emitters([provider]);
  const terms: Terms = { graceBlocks: config.graceBlocks, retentionBlocks: config.retentionBlocks };

  function keep<T>(decoded: Decoded<T>, raw: RpcLog): T[] {
    if ('ok' in decoded) return [decoded.ok];
    const where = {
      reason: decoded.skip,
      address: raw.address,
      block: raw.blockNumber,
      tx: raw.transactionHash,
    };
    if (decoded.foreign) log.debug('ignored log of a foreign contract', where);
    else log.warn('skipped log', { ...where, logIndex: raw.logIndex });
    return [];
  }

  /** Hash of `number`, which must exist. */
  async function hashOf(number: bigint): Promise<Hash> {
    const hash = await reader.blockHash(number);
    if (!hash) throw new ChainMovedError(`block ${number} is not on the chain (any more)`);
    return hash;
  }

  /** Every log of a range must come from the chain whose block `to` is `hash`. */
  async function checkConsistent(to: bigint, hash: Hash, positions: readonly LogPosition[]): Promise<void> {
    const seen = new Map<bigint, Hash>();
    for (const at of positions) {
      const other = seen.get(at.blockNumber);
      if (other && other !== at.blockHash)
        throw new ChainMovedError(`two hashes for block ${at.blockNumber}`);
      seen.set(at.blockNumber, at.blockHash);
    }
    const newest = [...seen.keys()].reduce<bigint | undefined>(
      (m, n) => (m === undefined || n > m ? n : m),
      undefined,
    );
    if (newest !== undefined) {
      const canonical = newest === to ? hash : await hashOf(newest);
      if (canonical !== seen.get(newest))
        throw new ChainMovedError(`logs of block ${newest} are from a stale chain`);
    }
    if ((await hashOf(to)) !== hash) throw new ChainMovedError(`block ${to} changed during the step`);
  }

  async function providerEvents(from: bigint, to: bigint): Promise<ProviderEvent[]> {
    const logs = await reader.logs({
      address: provider,
      topics: [[TOPICS.newTopUp, TOPICS.deploymentStopped]],
      fromBlock: from,
      toBlock: to,
    });
    const seen = new Set<string>();
    return logs
      .flatMap((l) => keep(decodeProviderLog(l, providerOnly), l))
      .filter((e) => !seen.has(keyOf(e.at)) && seen.add(keyOf(e.at)));
  }

  async function anchorsOf(orgs: readonly Address[], from: bigint, to: bigint): Promise<Anchor[]> {
    const served = emitters(orgs);
    const out: Anchor[] = [];
    for (const batch of chunks(orgs, ADDRESS_BATCH)) {
      const logs = await reader.logs({
        address: batch,
        topics: [TOPICS.anchored],
        fromBlock: from,
        toBlock: to,
      });
      out.push(...logs.flatMap((l) => keep(decodeAnchorLog(l, served), l)));
    }
    return out;
  }

  /** The newest stored block that is still canonical, walking back at most `maxReorgDepth`. */
  async function findFork(cursor: Cursor): Promise<{ fork: Cursor | undefined; rebuilt: boolean }> {
    const floor = maxOf(cursor.number - config.maxReorgDepth, config.startBlock - 1n);
    for (const known of store.knownBlocks(floor)) {
      if ((await reader.blockHash(known.number)) === known.hash) return { fork: known, rebuilt: false };
    }
    // Nothing stored in the window is canonical. If the window reaches below the start block, the
    // fork is below all the state: rebuild it. Otherwise the state below the window holds if the
    // newest stored block there is canonical; if not, the reorg is deeper than the bound.
    if (floor < config.startBlock) return { fork: undefined, rebuilt: true };
    const below = store.knownBlockBelow(floor);
    if (below !== undefined && (await reader.blockHash(below.number)) !== below.hash) {
      log.error('reorg deeper than DEPLOYER_MAX_REORG_DEPTH: rebuilding the state from the start block', {
        cursor: cursor.number,
        maxReorgDepth: config.maxReorgDepth,
        startBlock: config.startBlock,
      });
      return { fork: undefined, rebuilt: true };
    }
    return { fork: { number: floor, hash: await hashOf(floor) }, rebuilt: false };
  }

  /**
   * The deployment state each org starts the step from. After a rewind, an org touched above the
   * fork starts from its last event at or below the fork (for `stoppedAt`; `expiry` comes from the contract).
   */
  function baseState(orgs: Iterable<Address>, rewoundTo: bigint | undefined): Map<Address, DeploymentState> {
    const base = new Map<Address, DeploymentState>();
    for (const org of orgs) {
      const row = store.org(org);
      if (rewoundTo === undefined) {
        if (row)
          base.set(org, {
            expiry: row.expiry,
            ...(row.stoppedAt !== undefined && { stoppedAt: row.stoppedAt }),
          });
        continue;
      }
      const last = store.lastEvent(org, rewoundTo);
      if (last?.event === 'stopped') base.set(org, { expiry: last.value, stoppedAt: last.value });
      else if (last) base.set(org, { expiry: last.value });
      else base.set(org, { expiry: 0n });
    }
    return base;
  }

  /** The contract's word on `orgs` at `block`; a recorded stop stands only if the contract agrees. */
  async function fromContract(
    states: Map<Address, DeploymentState>,
    orgs: readonly Address[],
    block: bigint,
  ): Promise<void> {
    const expiries = await mapLimit(orgs, READ_CONCURRENCY, (org) => reader.expiryAt(provider, org, block));
    orgs.forEach((org, i) => {
      const expiry = expiries[i] as bigint;
      const stoppedAt = states.get(org)?.stoppedAt;
      states.set(org, stoppedAt === expiry ? { expiry, stoppedAt } : { expiry });
    });
  }

  /** Where the step starts: after the cursor, or after the fork point if the cursor left the chain. */
  async function locate(): Promise<{ head: bigint; base?: Cursor; rewindTo?: bigint; reorg?: Reorg }> {
    const head = await reader.head();
    const stored = store.cursor();
    if (!stored || (await reader.blockHash(stored.number)) === stored.hash) return { head, base: stored };
    const { fork, rebuilt } = await findFork(stored);
    const rewindTo = fork?.number ?? config.startBlock - 1n;
    log.warn('reorg: cursor block no longer canonical', { cursor: stored.number, fork: rewindTo, rebuilt });
    return { head, base: fork, rewindTo, reorg: { from: stored.number, fork: rewindTo, rebuilt } };
  }

  /** The range's new deployment events, and the anchors of every org known or first seen in it. */
  async function readRange(from: bigint, to: bigint, rewinding: boolean) {
    if (to < from) return { events: [], anchors: [], fresh: [] };
    const known = store.orgAddresses();
    const seen = new Set(known);
    // Idempotent: a log recorded before is not applied again (after a rewind, none above the fork is left).
    const events = (await providerEvents(from, to)).filter((e) => rewinding || !store.isProcessed(e.at));
    const fresh = [...new Set(events.map((e) => e.org))].filter((org) => !seen.has(org));
    const anchors = await anchorsOf([...known, ...fresh], from, to);
    return { events, anchors, fresh };
  }

  /**
   * The deployment state at `to` of every org the step affects: those with new events, those whose
   * verdict changes by itself by `to`, and after a rewind those touched or computed above the fork,
   * whose expiry is then read from the contract at `to`.
   */
  async function settle(to: bigint, events: readonly ProviderEvent[], rewindTo: bigint | undefined) {
    const rewound = rewindTo === undefined ? [] : store.orgsTouchedAfter(rewindTo);
    const ahead = rewindTo === undefined ? [] : store.orgsUpdatedAfter(rewindTo);
    const due = store.dueOrgs(to).map((row) => row.org);
    const withEvents = events.map((e) => e.org);
    const affected = [...new Set([...rewound, ...withEvents, ...ahead, ...due])];
    const states = applyEvents(baseState(affected, rewindTo), events);
    if (rewindTo !== undefined) await fromContract(states, [...new Set([...rewound, ...withEvents])], to);
    return affected.map((org): OrgUpdate => {
      const deployment = states.get(org) ?? { expiry: 0n };
      return { org, deployment, verdict: verdictAt(deployment, to, terms), block: to };
    });
  }

  /** What the reconciler must hear: updates that differ from the stored desired state. */
  function changesOf(updates: readonly OrgUpdate[], to: bigint): DesiredOrg[] {
    return updates.flatMap((u) => {
      const row = store.org(u.org);
      if (!row && u.deployment.expiry === 0n) return [];
      const after = desiredOrg(u.org, u.deployment, to, terms);
      return differs(row && desiredOfRow(row), after) ? [after] : [];
    });
  }

  /** One step: read a bounded confirmed range, commit it atomically, tell the reconciler. */
  async function step(): Promise<StepResult> {
    const { head, base, rewindTo, reorg } = await locate();
    const safe = head - config.confirmations;
    const from = base ? base.number + 1n : config.startBlock;
    let to = minOf(from + config.logRangeBlocks - 1n, safe);
    if (to < from && rewindTo === undefined) return idleStep(head, safe, from, to, base);
    if (to < from) {
      // A rewind with no confirmed block after the fork: commit the rewind at the fork itself.
      if (!base) throw new ChainMovedError(`chain too short to rebuild from block ${config.startBlock}`);
      to = base.number;
    }

    const hash = to === base?.number ? base.hash : await hashOf(to);
    const { events, anchors, fresh } = await readRange(from, to, rewindTo !== undefined);
    const unanchored = rewindTo === undefined ? [] : store.orgsAnchoredAfter(rewindTo);
    const updates = await settle(to, events, rewindTo);
    await checkConsistent(to, hash, [...events.map((e) => e.at), ...anchors.map((a) => a.at)]);

    const changed = changesOf(updates, to);
    const removed = new Set(updates.filter((u) => u.deployment.expiry === 0n).map((u) => u.org));
    const scans: AnchorScan[] =
      from - 1n >= config.startBlock
        ? fresh
            .filter((org) => !removed.has(org))
            .map((org) => ({ org, next: config.startBlock, until: from - 1n }))
        : [];
    const written = store.commitStep({
      ...(rewindTo !== undefined && { rewindTo }),
      cursor: { number: to, hash },
      events,
      anchors: anchors.filter((a) => !removed.has(a.org)),
      orgs: updates,
      removed: [...removed],
      scans,
      keepBlocksFrom: to - 2n * config.maxReorgDepth,
    });

    const anchored = [...written.anchored, ...unanchored.filter((org) => !written.deleted.includes(org))];
    const change: Change = { block: to, changed, anchored: [...new Set(anchored)] };
    const level = events.length || changed.length || change.anchored.length || reorg ? 'info' : 'debug';
    log[level]('step', {
      from,
      to,
      safe,
      applied: events.length,
      anchors: anchors.length,
      changed: changed.length,
      caughtUp: to >= safe,
    });
    if (change.changed.length || change.anchored.length) await notify(change);

    // After the notification: a failing scan must not swallow the step's changes.
    const scanned = await scanAnchors(to);
    if (scanned.length) await notify({ block: to, changed: [], anchored: scanned });
    return {
      head,
      safe,
      from,
      to,
      applied: events.length,
      caughtUp: to >= safe,
      ...(reorg && { reorg }),
      change: { ...change, anchored: [...new Set([...change.anchored, ...scanned])] },
    };
  }

  /** Nothing new confirmed: spend the step on older anchors of recently seen orgs, if any. */
  async function idleStep(
    head: bigint,
    safe: bigint,
    from: bigint,
    to: bigint,
    base?: Cursor,
  ): Promise<StepResult> {
    const anchored = base ? await scanAnchors(base.number) : [];
    const change: Change = { block: base?.number ?? from - 1n, changed: [], anchored };
    if (anchored.length) await notify(change);
    return { head, safe, from, to, applied: 0, caughtUp: true, change };
  }

  /**
   * Anchors an org made before the block it was first seen at: one bounded range for up to
   * ADDRESS_BATCH orgs a step, never above the cursor.
   */
  async function scanAnchors(cursor: bigint): Promise<Address[]> {
    const scans = store.nextScans(ADDRESS_BATCH);
    const first = scans[0];
    if (!first) return [];
    const until = scans.reduce((m, s) => maxOf(m, s.until), first.until);
    const through = minOf(minOf(first.next + config.logRangeBlocks - 1n, until), cursor);
    const orgs = scans.map((s) => s.org);
    const hash = await hashOf(through);
    const anchors = await anchorsOf(orgs, first.next, through);
    await checkConsistent(
      through,
      hash,
      anchors.map((a) => a.at),
    );
    return store.commitScan(orgs, through, anchors);
  }

  async function notify(change: Change): Promise<void> {
    try {
      await onChange?.(change);
    } catch (error) {
      // The store holds the truth; a reconciler catches up from it. Keep watching.
      log.error('change listener failed', { error: errorMessage(error), block: change.block });
    }
  }

  /** Fails fast (no retry) if the RPC serves another chain than ONECLICK_CHAIN_ID. */
  async function checkChain(): Promise<void> {
    const id = await reader.chainId();
    if (id !== config.chainId) {
      throw new FatalWatcherError(`the RPC serves chain ${id}, but ONECLICK_CHAIN_ID is ${config.chainId}`);
    }
  }

  /** Steps until nothing confirmed is left to read (tests, benchmarks); returns every step. */
  async function sync({ maxSteps = 100_000 }: { maxSteps?: number } = {}): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (let i = 0; i < maxSteps; i++) {
      const result = await step();
      results.push(result);
      if (result.caughtUp && store.nextScans(1).length === 0) return results;
    }
    throw new Error(`not caught up after ${maxSteps} steps`);
  }

  /**
   * Watches until `signal` aborts: catches up as fast as the RPC allows, then polls every
   * `pollIntervalMs`. Any failed step is retried after a capped exponential backoff, logged as a
   * warning; only a wrong chain id stops it.
   */
  async function run({
    signal,
    wait = sleep,
  }: { signal?: AbortSignal; wait?: typeof sleep } = {}): Promise<void> {
    let attempt = 0;
    let caughtUp = false;
    let chainChecked = false;
    while (!signal?.aborted) {
      try {
        if (!chainChecked) await checkChain();
        chainChecked = true;
        const result = await step();
        attempt = 0;
        const idle = result.caughtUp && store.nextScans(1).length === 0;
        if (idle && !caughtUp) log.info('caught up', { block: result.change.block, safe: result.safe });
        caughtUp = idle;
        if (idle) await wait(config.pollIntervalMs, signal);
      } catch (error) {
        if (error instanceof FatalWatcherError) throw error;
        attempt += 1;
        const retryInMs = backoffMs(attempt, config.backoffMaxMs);
        log.warn('watcher step failed; retrying', { error: errorMessage(error), attempt, retryInMs });
        await wait(retryInMs, signal);
      }
    }
  }

  return { step, sync, run, checkChain, scanAnchors };
}

export type Watcher = ReturnType<typeof createWatcher>;
