/**
 * From raw `eth_getLogs` entries to the deployer's events, or a reason to skip the log. Pure:
 * a log counts only if it comes from the expected contract and decodes strictly.
 */
import { decodeEventLog, encodeEventTopics, type Address, type Hash, type Hex } from 'viem';
import { ethProviderAbi, orgAbi } from '../../contracts/index.js';

/** A log as JSON-RPC returns it. */
export interface RpcLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: string | null;
  blockHash: string | null;
  transactionHash: string | null;
  logIndex: string | null;
  removed?: boolean;
}

/** Where a log sits: its identity for idempotent processing is (blockHash, transactionHash, logIndex). */
export interface LogPosition {
  blockNumber: bigint;
  blockHash: Hash;
  transactionHash: Hash;
  logIndex: number;
}

export type ProviderEvent =
  | { kind: 'top-up'; org: Address; expiry: bigint; at: LogPosition }
  | { kind: 'stopped'; org: Address; atBlock: bigint; at: LogPosition };

export interface Anchor {
  org: Address;
  /** The raw bytes32 id. */
  id: Hex;
  /** `rad:z…`: the radicle repository id of the 20-byte git object id in `id`. */
  repo: string;
  tag: number;
  multihash: Hex;
  at: LogPosition;
}

const ANCHORED_ABI = orgAbi.filter((item) => item.type === 'event' && item.name === 'Anchored');

export type Decoded<T> = { ok: T } | { skip: string; foreign?: true };

export const TOPICS = {
  newTopUp: encodeEventTopics({ abi: ethProviderAbi, eventName: 'NewTopUp' })[0] as Hex,
  deploymentStopped: encodeEventTopics({ abi: ethProviderAbi, eventName: 'DeploymentStopped' })[0] as Hex,
  anchored: encodeEventTopics({ abi: orgAbi, eventName: 'Anchored' })[0] as Hex,
} as const;

const HASH = /^0x[0-9a-fA-F]{64}$/;
/** A JSON-RPC quantity that fits 64 bits. */
const QUANTITY = /^0x[0-9a-fA-F]{1,16}$/;

function isHash(value: unknown): value is Hash {
  return typeof value === 'string' && HASH.test(value);
}

function isQuantity(value: unknown): value is string {
  return typeof value === 'string' && QUANTITY.test(value);
}

/**
 * The block of the last log placed, for the next: a node answers a block's logs together, so its
 * next log only has its number and hash compared, not checked and parsed again.
 */
export interface BlockMemo {
  numberText?: string;
  hashText?: string;
  number?: bigint;
}

function positionOf(log: RpcLog, block: BlockMemo = {}): LogPosition | undefined {
  const { blockNumber, blockHash, transactionHash, logIndex } = log;
  let number = block.number;
  if (number === undefined || blockNumber !== block.numberText || blockHash !== block.hashText) {
    if (!isQuantity(blockNumber) || !isHash(blockHash)) return undefined;
    number = BigInt(blockNumber);
    Object.assign(block, { numberText: blockNumber, hashText: blockHash, number });
  }
  if (!isQuantity(logIndex) || !isHash(transactionHash)) return undefined;
  return {
    blockNumber: number,
    blockHash: blockHash as Hash,
    transactionHash,
    logIndex: Number.parseInt(logIndex, 16),
  };
}

/** Expected emitters by lowercase address (no checksum hashing per log), to the form the caller gave. */
export type Emitters = ReadonlyMap<string, Address>;

export function emitters(addresses: Iterable<Address>): Emitters {
  return new Map([...addresses].map((a) => [a.toLowerCase(), a]));
}

/** Checks common to every log: not removed, mined, from one of `from`. */
function placed(
  log: RpcLog,
  from: Emitters,
  block?: BlockMemo,
): Decoded<{ at: LogPosition; address: Address }> {
  if (log.removed) return { skip: 'removed by a reorg' };
  const at = positionOf(log, block);
  if (!at) return { skip: 'not in a block (pending) or malformed position' };
  if (typeof log.address !== 'string') return { skip: 'malformed address' };
  // Nodes answer in lower case: the lookup without a new string first.
  const address = from.get(log.address) ?? from.get(log.address.toLowerCase());
  if (!address) return { skip: `from foreign contract ${log.address}`, foreign: true };
  return { ok: { at, address } };
}

function decodeAnchored(log: RpcLog) {
  try {
    return decodeEventLog({
      abi: ANCHORED_ABI,
      data: log.data as Hex,
      topics: log.topics as [Hex, ...Hex[]],
      strict: true,
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

const ADDRESS_WORD = /^0x0{24}[0-9a-fA-F]{40}$/;
const UINT64_WORD = /^0x0{48}[0-9a-fA-F]{16}$/;

/**
 * `NewTopUp(address indexed org, uint64 expiry)` / `DeploymentStopped(address indexed org, uint64
 * atBlock)` of the served provider. Both have one shape, decoded strictly by hand: viem's generic
 * decoder re-hashes the ABI's event signatures for every log, which dominated catch-up time. The
 * org comes lowercase, as the deployer keys orgs (EIP-55 hashing per new org was a tenth of a
 * catch-up).
 */
export function decodeProviderLog(
  log: RpcLog,
  provider: Emitters,
  block?: BlockMemo,
): Decoded<ProviderEvent> {
  const where = placed(log, provider, block);
  if ('skip' in where) return where;
  const { at } = where.ok;
  if (!Array.isArray(log.topics)) return { skip: 'malformed topics' };
  // By index, tested not matched: no new array per log.
  const topics = log.topics as readonly unknown[];
  const first = topics[0];
  const orgWord = topics[1];
  if (typeof first !== 'string') return { skip: 'malformed topics' };
  const topic = first === TOPICS.newTopUp || first === TOPICS.deploymentStopped ? first : first.toLowerCase();
  const kind =
    topic === TOPICS.newTopUp ? 'top-up' : topic === TOPICS.deploymentStopped ? 'stopped' : undefined;
  if (!kind) return { skip: `not a deployment event (topic ${topic})` };
  if (topics.length !== 2 || typeof orgWord !== 'string' || !ADDRESS_WORD.test(orgWord))
    return { skip: 'undecodable: topics are not [event, address org]' };
  if (!UINT64_WORD.test(log.data)) return { skip: 'undecodable: data is not one uint64' };
  const value = BigInt(log.data);
  const org = `0x${orgWord.slice(26).toLowerCase()}` as Address;
  return kind === 'top-up'
    ? { ok: { kind, org, expiry: value, at } }
    : { ok: { kind, org, atBlock: value, at } };
}

/** `Anchored` of an org the provider serves; an id whose last 12 bytes are not zero is no radicle repository. */
export function decodeAnchorLog(log: RpcLog, orgs: Emitters): Decoded<Anchor> {
  const where = placed(log, orgs);
  if ('skip' in where) return where;
  const event = decodeAnchored(log);
  if (event instanceof Error) return { skip: `undecodable: ${event.message.split('\n')[0]}` };
  if (event.eventName !== 'Anchored') return { skip: `not an anchor (${event.eventName})` };
  const { id, tag, multihash } = event.args;
  if (!/^0{24}$/.test(id.slice(-24))) return { skip: `anchor id ${id} is not a 20-byte git object id` };
  return {
    ok: { org: where.ok.address, id, repo: radRepoId(id), tag, multihash, at: where.ok.at },
  };
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Bitcoin-alphabet base58 of `bytes`. */
export function base58(bytes: Uint8Array): string {
  let n = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  const zeros = bytes.findIndex((b) => b !== 0);
  return '1'.repeat(zeros === -1 ? bytes.length : zeros) + out;
}

/** `rad:` + multibase base58btc (`z`) of the first 20 bytes of an anchor id. */
export function radRepoId(id: Hex): string {
  const oid = Buffer.from(id.slice(2, 42), 'hex');
  return `rad:z${base58(oid)}`;
}

/** Orders logs as the chain executed them. */
export function byPosition(a: { at: LogPosition }, b: { at: LogPosition }): number {
  if (a.at.blockNumber !== b.at.blockNumber) return a.at.blockNumber < b.at.blockNumber ? -1 : 1;
  return a.at.logIndex - b.at.logIndex;
}
