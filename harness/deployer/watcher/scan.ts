/**
 * Anchors an org made before the block it was first seen at: one bounded range for up to
 * ADDRESS_BATCH orgs a step, never above the cursor.
 */
import type { Address } from 'viem';
import type { AnchorScan } from '../state/index.js';
import { ADDRESS_BATCH, maxOf, minOf, type WatchContext } from './context.js';
import { anchorsOf, blocksOf, checkConsistent, hashOf } from './read.js';

/** The backfills a step opens: for each org first seen in it (and not removed), start block → before it (pure). */
export function scansFor(
  fresh: readonly Address[],
  removed: ReadonlySet<Address>,
  from: bigint,
  startBlock: bigint,
): AnchorScan[] {
  if (from - 1n < startBlock) return [];
  return fresh.filter((org) => !removed.has(org)).map((org) => ({ org, next: startBlock, until: from - 1n }));
}

/** The block range of the next scan of `scans` (all starting at one block), bounded and never past `cursor` (pure). */
export function scanRange(
  scans: readonly AnchorScan[],
  logRangeBlocks: bigint,
  cursor: bigint,
): { from: bigint; through: bigint } | undefined {
  const first = scans[0];
  if (!first) return undefined;
  const until = scans.reduce((m, s) => maxOf(m, s.until), first.until);
  return { from: first.next, through: minOf(minOf(first.next + logRangeBlocks - 1n, until), cursor) };
}

export async function scanAnchors(ctx: WatchContext, cursor: bigint): Promise<Address[]> {
  const scans = ctx.store.nextScans(ADDRESS_BATCH);
  const range = scanRange(scans, ctx.config.logRangeBlocks, cursor);
  if (!range) return [];
  const orgs = scans.map((s) => s.org);
  const hash = await hashOf(ctx, range.through);
  const anchors = await anchorsOf(ctx, orgs, range.from, range.through);
  await checkConsistent(ctx, range.through, hash, blocksOf(anchors.map((a) => a.at)));
  return ctx.store.commitScan(orgs, range.through, anchors);
}
