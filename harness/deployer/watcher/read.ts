/** The chain reads of a step: a range's deployment logs and anchors, each checked against one chain. */
import type { Address, Hash } from 'viem';
import {
  decodeAnchorLog,
  decodeProviderLog,
  emitters,
  TOPICS,
  type Anchor,
  type BlockMemo,
  type Decoded,
  type LogPosition,
  type ProviderEvent,
  type RpcLog,
} from '../events.js';
import type { Logger } from '../log.js';
import type { OrgRow } from '../state/index.js';
import {
  ADDRESS_BATCH,
  ChainMovedError,
  LOG_READ_SPLIT,
  SPLIT_MIN_BLOCKS,
  type WatchContext,
} from './context.js';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `from`..`to` in at most `parts` consecutive ranges of at least `minBlocks` each (pure). */
export function splitRange(
  from: bigint,
  to: bigint,
  parts: number,
  minBlocks: bigint,
): Array<{ from: bigint; to: bigint }> {
  const blocks = to - from + 1n;
  const n = BigInt(Math.max(1, Math.min(parts, Number(blocks / minBlocks))));
  const size = (blocks + n - 1n) / n;
  const out: Array<{ from: bigint; to: bigint }> = [];
  for (let start = from; start <= to; start += size) {
    out.push({ from: start, to: start + size - 1n < to ? start + size - 1n : to });
  }
  return out;
}

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

/** The block hashes logs were read from, by number. */
export type SeenBlocks = Map<bigint, Hash>;

/** Records the block of `at`; a second hash for one number means the chain moved under the reads. */
function see(blocks: SeenBlocks, at: LogPosition): void {
  const other = blocks.get(at.blockNumber);
  if (other === undefined) blocks.set(at.blockNumber, at.blockHash);
  else if (other !== at.blockHash) throw new ChainMovedError(`two hashes for block ${at.blockNumber}`);
}

/** The blocks of `positions` (throws on two hashes for one number). */
export function blocksOf(positions: Iterable<LogPosition>, into: SeenBlocks = new Map()): SeenBlocks {
  for (const at of positions) see(into, at);
  return into;
}

/**
 * Every log of a range must come from the chain whose block `to` is `hash`: `blocks` are the
 * blocks its logs were read from. `now`: the hash of `to` asked after every read of the range
 * (default: asked here).
 */
export async function checkConsistent(
  ctx: Pick<WatchContext, 'reader'>,
  to: bigint,
  hash: Hash,
  blocks: ReadonlyMap<bigint, Hash>,
  now: () => Promise<Hash> = () => hashOf(ctx, to),
): Promise<void> {
  let newest: bigint | undefined;
  for (const n of blocks.keys()) if (newest === undefined || n > newest) newest = n;
  if (newest !== undefined) {
    const canonical = newest === to ? hash : await hashOf(ctx, newest);
    if (canonical !== blocks.get(newest))
      throw new ChainMovedError(`logs of block ${newest} are from a stale chain`);
  }
  if ((await now()) !== hash) throw new ChainMovedError(`block ${to} changed during the step`);
}

/** Only what lies in the range read: a node answering with other blocks is not trusted with them. */
function inRange(log: Logger, from: bigint, to: bigint, at: LogPosition): boolean {
  if (at.blockNumber >= from && at.blockNumber <= to) return true;
  log.warn('skipped log', { reason: 'outside the block range read', block: String(at.blockNumber) });
  return false;
}

/** Whether `at` comes after `last` in chain order (one number is one block: `see` checks it). */
const after = (at: LogPosition, last: LogPosition) =>
  at.blockNumber === last.blockNumber ? at.logIndex > last.logIndex : at.blockNumber > last.blockNumber;

const positionKey = (at: LogPosition) => `${at.blockHash}:${at.logIndex}`;

/**
 * The provider's `NewTopUp` / `DeploymentStopped` among the logs of one part, each once, their
 * blocks recorded in `blocks` (one pass: catch-up's hot loop). A node answers in chain order, so
 * a log after the last one taken is new; only once a log comes out of order are logs looked up
 * among those taken (a key per log cost as much as decoding it).
 */
function partEvents(
  ctx: WatchContext,
  logs: readonly RpcLog[],
  part: { from: bigint; to: bigint },
  blocks: SeenBlocks,
): ProviderEvent[] {
  const out: ProviderEvent[] = [];
  let last: LogPosition | undefined;
  let taken: Set<string> | undefined;
  const block: BlockMemo = {};
  for (const l of logs) {
    const decoded = decodeProviderLog(l, ctx.providerOnly, block);
    if (!('ok' in decoded)) {
      keep(ctx.log, decoded, l);
      continue;
    }
    const { at } = decoded.ok;
    if (!inRange(ctx.log, part.from, part.to, at)) continue;
    // Once per block, not per log: the next log of the last block only has its hash compared.
    if (at.blockNumber !== last?.blockNumber || at.blockHash !== last.blockHash) see(blocks, at);
    const inOrder = !last || after(at, last);
    if (!inOrder) taken ??= new Set(out.map((e) => positionKey(e.at)));
    if (taken) {
      const key = positionKey(at);
      if (taken.has(key)) continue;
      taken.add(key);
    }
    if (inOrder) last = at;
    out.push(decoded.ok);
  }
  return out;
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

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The lowercase emitters of well-formed `logs`. */
function* anchorEmitters(logs: readonly RpcLog[]): Iterable<Address> {
  for (const l of logs) {
    if (typeof l.address === 'string' && ADDRESS.test(l.address)) yield l.address.toLowerCase() as Address;
  }
}

/**
 * The range's deployment events, the anchors of every org stored or first seen in it, and the
 * stored rows of the orgs either names. Two reads side by side: the provider's logs, and every
 * `Anchored` of the range by topic alone, kept here only if emitted by a served org. (By address,
 * the orgs first seen in the range would need a second read after the first, and every batch of
 * addresses costs the node a pass over the range.) Each org is looked up once, by its lowercase
 * key: `rows` holds every org the logs name, undefined for one not stored. `onAnswered` runs once
 * the node has answered every read, before the last answer is decoded.
 */
export async function readRange(ctx: WatchContext, from: bigint, to: bigint, onAnswered = () => {}) {
  const blocks: SeenBlocks = new Map();
  if (to < from)
    return { events: [], anchors: [], fresh: [], rows: new Map<Address, OrgRow | undefined>(), blocks };
  const parts = splitRange(from, to, LOG_READ_SPLIT, SPLIT_MIN_BLOCKS);
  let unanswered = parts.length + 1;
  const answered = async <T>(read: Promise<T>): Promise<T> => {
    const value = await read;
    if (--unanswered === 0) onAnswered();
    return value;
  };
  // A policy that counts every emitter's logs as the provider's reads them by topic alone.
  const any = ctx.logsFrom === 'any';
  const rows = new Map<Address, OrgRow | undefined>();
  /** Looks up the orgs of `orgs` not looked up yet, into `rows`; returns them. */
  const lookUp = (orgs: Iterable<Address>): Address[] => {
    const named: Address[] = [];
    for (const org of orgs) {
      if (rows.has(org)) continue;
      rows.set(org, undefined);
      named.push(org);
    }
    for (const row of ctx.store.orgsIn(named)) rows.set(row.org, row);
    return named;
  };
  // Each part decoded, and its orgs looked up, as it comes: the node is still answering the others.
  const deploymentEvents = async (part: { from: bigint; to: bigint }) => {
    const logs = await answered(
      ctx.reader.logs({
        ...(!any && { address: ctx.provider }),
        topics: [[TOPICS.newTopUp, TOPICS.deploymentStopped]],
        fromBlock: part.from,
        toBlock: part.to,
      }),
    );
    const asProvider = any ? logs.map((l) => ({ ...l, address: ctx.provider })) : logs;
    const events = partEvents(ctx, asProvider, part, blocks);
    lookUp(events.map((e) => e.org));
    return events;
  };
  const [partEventLists, anchored] = await Promise.all([
    Promise.all(parts.map(deploymentEvents)),
    answered(ctx.reader.logs({ topics: [TOPICS.anchored], fromBlock: from, toBlock: to })),
  ]);
  const events = partEventLists.length === 1 ? (partEventLists[0] as ProviderEvent[]) : partEventLists.flat();
  const withEvents = [...rows.keys()];
  const fresh = withEvents.filter((org) => !rows.get(org));
  // Orgs only the anchors name count if stored.
  const anchorOnly = lookUp(anchorEmitters(anchored));
  const served = anchored.length
    ? emitters([...withEvents, ...anchorOnly.filter((org) => rows.get(org))])
    : new Map<string, Address>();
  const anchors = anchored
    .flatMap((l) => keep(ctx.log, decodeAnchorLog(l, served), l))
    .filter((a) => inRange(ctx.log, from, to, a.at));
  blocksOf(
    anchors.map((a) => a.at),
    blocks,
  );
  return { events, anchors, fresh, rows, blocks };
}
