/**
 * One watcher step: read a bounded range of confirmed blocks after the cursor (or after the fork
 * point of a reorg), settle every affected org, commit it all with the new cursor in one
 * transaction, tell the reconciler; then spend what is left of the step on older anchors.
 */
import type { Address, Hash } from 'viem';
import type { DesiredOrg } from '../desired.js';
import type { Cursor } from '../state/index.js';
import { ChainMovedError, minOf, type WatchContext } from './context.js';
import { checkConsistent, hashOf, readRange } from './read.js';
import { locate, type Reorg } from './reorg.js';
import { scanAnchors, scansFor } from './scan.js';
import { changesOf, settle } from './settle.js';

/** What the reconciler hears after a step that changed something. */
export interface Change {
  /** The cursor after the step: the state is as of this block. */
  block: bigint;
  /** Orgs whose desired state changed (an org whose only top-up was reorged away: expiry 0, purge). */
  changed: DesiredOrg[];
  /** Orgs with new anchors. */
  anchored: Address[];
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

export type Notify = (change: Change) => Promise<void>;

/**
 * The range a step reads: after `base` (or from the start block), at most `logRangeBlocks`, never
 * past `safe` (pure). Empty (`to < from`) when nothing confirmed is new.
 */
export function stepRange(
  base: Cursor | undefined,
  safe: bigint,
  config: { startBlock: bigint; logRangeBlocks: bigint },
): { from: bigint; to: bigint } {
  const from = base ? base.number + 1n : config.startBlock;
  return { from, to: minOf(from + config.logRangeBlocks - 1n, safe) };
}

export async function step(ctx: WatchContext, notify: Notify): Promise<StepResult> {
  const { config, store, log } = ctx;
  const { head, base, rewindTo, reorg } = await locate(ctx);
  const safe = head - config.confirmations;
  const range = stepRange(base, safe, config);
  const from = range.from;
  let to = range.to;
  if (to < from && rewindTo === undefined) return idleStep(ctx, notify, { head, safe, from, to, base });
  if (to < from) {
    // A rewind with no confirmed block after the fork: commit the rewind at the fork itself.
    if (!base) throw new ChainMovedError(`chain too short to rebuild from block ${config.startBlock}`);
    to = base.number;
  }

  // Before the reads: checked again after them, so the logs are of the chain whose `to` is `hash`.
  const hash = to === base?.number ? base.hash : await hashOf(ctx, to);
  // Without a rewind, settling reads nothing of the chain: `to`'s hash is asked as soon as the
  // node has answered the range, and answered while the last answer is decoded and settled.
  let after: (() => Promise<Hash>) | undefined;
  const { events, anchors, fresh, rows, blocks } = await readRange(ctx, from, to, () => {
    if (rewindTo === undefined) after = settled(hashOf(ctx, to));
  });
  const unanchored = rewindTo === undefined ? [] : store.orgsAnchoredAfter(rewindTo);
  const { updates, logged, before } = await settle(ctx, to, events, rewindTo, rows);
  await checkConsistent(ctx, to, hash, blocks, after);

  const changed = changesOf({ store: before }, updates, to);
  const removed = new Set(updates.filter((u) => u.deployment.expiry === 0n).map((u) => u.org));
  const written = store.commitStep({
    ...(rewindTo !== undefined && { rewindTo }),
    cursor: { number: to, hash },
    events: logged,
    anchors: anchors.filter((a) => !removed.has(a.org)),
    orgs: updates,
    removed: [...removed],
    scans: scansFor(fresh, removed, from, config.startBlock),
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
  const scanned = await scanAnchors(ctx, to);
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

/** `promise` as a function to await later; a rejection before then is not unhandled. */
function settled<T>(promise: Promise<T>): () => Promise<T> {
  promise.catch(() => undefined);
  return () => promise;
}

/** Nothing new confirmed: spend the step on older anchors of recently seen orgs, if any. */
async function idleStep(
  ctx: WatchContext,
  notify: Notify,
  at: { head: bigint; safe: bigint; from: bigint; to: bigint; base: Cursor | undefined },
): Promise<StepResult> {
  const anchored = at.base ? await scanAnchors(ctx, at.base.number) : [];
  const change: Change = { block: at.base?.number ?? at.from - 1n, changed: [], anchored };
  if (anchored.length) await notify(change);
  return { head: at.head, safe: at.safe, from: at.from, to: at.to, applied: 0, caughtUp: true, change };
}
