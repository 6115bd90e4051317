/** Where a step starts: after the cursor, or after the fork point if the cursor left the chain. */
import type { Cursor } from '../state/index.js';
import { maxOf, type WatchContext } from './context.js';
import { hashOf } from './read.js';

export interface Reorg {
  /** The cursor that was no longer canonical. */
  from: bigint;
  /** The newest stored block still canonical: everything above it was forgotten. */
  fork: bigint;
  /** No stored block within `maxReorgDepth` matched: the state was rebuilt from `startBlock`. */
  rebuilt: boolean;
}

export interface Located {
  head: bigint;
  /** The block the step reads after (none: from the start block). */
  base?: Cursor;
  /** Forget everything above this block first. */
  rewindTo?: bigint;
  reorg?: Reorg;
}

export async function locate(ctx: WatchContext): Promise<Located> {
  const stored = ctx.store.cursor();
  // Side by side: one round trip fewer per step.
  const [head, atCursor] = await Promise.all([
    ctx.reader.head(),
    stored && ctx.reader.blockHash(stored.number),
  ]);
  if (!stored || atCursor === stored.hash) {
    return { head, ...(stored && { base: stored }) };
  }
  const { fork, rebuilt } = await findFork(ctx, stored);
  const rewindTo = fork?.number ?? ctx.config.startBlock - 1n;
  ctx.log.warn('reorg: cursor block no longer canonical', { cursor: stored.number, fork: rewindTo, rebuilt });
  return {
    head,
    ...(fork && { base: fork }),
    rewindTo,
    reorg: { from: stored.number, fork: rewindTo, rebuilt },
  };
}

/** The newest stored block that is still canonical, walking back at most `maxReorgDepth`. */
export async function findFork(
  ctx: WatchContext,
  cursor: Cursor,
): Promise<{ fork: Cursor | undefined; rebuilt: boolean }> {
  const { config, store, reader } = ctx;
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
    ctx.log.error('reorg deeper than DEPLOYER_MAX_REORG_DEPTH: rebuilding the state from the start block', {
      cursor: cursor.number,
      maxReorgDepth: config.maxReorgDepth,
      startBlock: config.startBlock,
    });
    return { fork: undefined, rebuilt: true };
  }
  return { fork: { number: floor, hash: await hashOf(ctx, floor) }, rebuilt: false };
}
