/** The chain reads of a step: a range's deployment logs and anchors, each checked against one chain. */
import type { Address, Hash } from 'viem';
import {
  decodeAnchorLog,
  decodeProviderLog,
  emitters,
  TOPICS,
  type Anchor,
  type Decoded,
  type Emitters,
  type LogPosition,
  type ProviderEvent,
  type RpcLog,
} from '../events.js';
import type { Logger } from '../log.js';
import { ADDRESS_BATCH, ChainMovedError, type WatchContext } from './context.js';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const keyOf = (at: LogPosition) => `${at.blockHash}:${at.transactionHash}:${at.logIndex}`;

/** The decoded log, or nothing (logged: a foreign contract's at debug, anything else as a warning). */
export function keep<T>(log: Logger, decoded: Decoded<T>, raw: RpcLog): T[] {
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
export async function hashOf(ctx: Pick<WatchContext, 'reader'>, number: bigint): Promise<Hash> {
  const hash = await ctx.reader.blockHash(number);
  if (!hash) throw new ChainMovedError(`block ${number} is not on the chain (any more)`);
  return hash;
}

/** Every log of a range must come from the chain whose block `to` is `hash`. */
export async function checkConsistent(
  ctx: Pick<WatchContext, 'reader'>,
  to: bigint,
  hash: Hash,
  positions: readonly LogPosition[],
): Promise<void> {
  const seen = new Map<bigint, Hash>();
  for (const at of positions) {
    const other = seen.get(at.blockNumber);
    if (other && other !== at.blockHash) throw new ChainMovedError(`two hashes for block ${at.blockNumber}`);
    seen.set(at.blockNumber, at.blockHash);
  }
  const newest = [...seen.keys()].reduce<bigint | undefined>(
    (m, n) => (m === undefined || n > m ? n : m),
    undefined,
  );
  if (newest !== undefined) {
    const canonical = newest === to ? hash : await hashOf(ctx, newest);
    if (canonical !== seen.get(newest))
      throw new ChainMovedError(`logs of block ${newest} are from a stale chain`);
  }
  if ((await hashOf(ctx, to)) !== hash) throw new ChainMovedError(`block ${to} changed during the step`);
}

/** The provider's `NewTopUp` / `DeploymentStopped` of a range, each once. */
export async function providerEvents(
  ctx: WatchContext,
  from: bigint,
  to: bigint,
  known?: Emitters,
): Promise<ProviderEvent[]> {
  const any = ctx.logsFrom === 'any';
  const logs = await ctx.reader.logs({
    ...(!any && { address: ctx.provider }),
    topics: [[TOPICS.newTopUp, TOPICS.deploymentStopped]],
    fromBlock: from,
    toBlock: to,
  });
  const seen = new Set<string>();
  return (any ? logs.map((l) => ({ ...l, address: ctx.provider })) : logs)
    .flatMap((l) => keep(ctx.log, decodeProviderLog(l, ctx.providerOnly, known), l))
    .filter((e) => !seen.has(keyOf(e.at)) && seen.add(keyOf(e.at)));
}

/** `Anchored` of `orgs` in a range, ADDRESS_BATCH addresses per read. */
export async function anchorsOf(
  ctx: Pick<WatchContext, 'reader' | 'log'>,
  orgs: readonly Address[],
  from: bigint,
  to: bigint,
): Promise<Anchor[]> {
  const served = emitters(orgs);
  const out: Anchor[] = [];
  for (const batch of chunks(orgs, ADDRESS_BATCH)) {
    const logs = await ctx.reader.logs({
      address: batch,
      topics: [TOPICS.anchored],
      fromBlock: from,
      toBlock: to,
    });
    out.push(...logs.flatMap((l) => keep(ctx.log, decodeAnchorLog(l, served), l)));
  }
  return out;
}

/** The range's new deployment events, and the anchors of every org known or first seen in it. */
export async function readRange(ctx: WatchContext, from: bigint, to: bigint, rewinding: boolean) {
  if (to < from) return { events: [], anchors: [], fresh: [] };
  const known = ctx.store.orgAddresses();
  const seen = new Set(known);
  // Idempotent: a log recorded before is not applied again (after a rewind, none above the fork is left).
  const events = (await providerEvents(ctx, from, to, emitters(known))).filter(
    (e) => rewinding || !ctx.store.isProcessed(e.at),
  );
  const fresh = [...new Set(events.map((e) => e.org))].filter((org) => !seen.has(org));
  const anchors = await anchorsOf(ctx, [...known, ...fresh], from, to);
  return { events, anchors, fresh };
}
