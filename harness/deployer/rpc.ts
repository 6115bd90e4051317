/**
 * The few chain reads the watcher makes, behind a small interface so tests can put faults in
 * between. Raw JSON-RPC for logs (the watcher decodes and judges them itself); no retries here:
 * the watcher's loop owns backoff.
 */
import { createPublicClient, http, numberToHex, webSocket, type Address, type Hash, type Hex } from 'viem';
import { ethProviderAbi } from '../../contracts/index.js';
import type { RpcLog } from './events.js';

export interface LogFilter {
  /** Absent: every contract's. */
  address?: Address | readonly Address[];
  /** Per position: one topic, any of several, or null for any. */
  topics: ReadonlyArray<Hex | readonly Hex[] | null>;
  fromBlock: bigint;
  toBlock: bigint;
}

export interface ChainReader {
  chainId(): Promise<number>;
  head(): Promise<bigint>;
  /** Hash of canonical block `number`; undefined when the chain has no such block. */
  blockHash(number: bigint): Promise<Hash | undefined>;
  logs(filter: LogFilter): Promise<RpcLog[]>;
  /** `expiryOf(org)` of `provider` in the state after block `block`. */
  expiryAt(provider: Address, org: Address, block: bigint): Promise<bigint>;
}

export function rpcChainReader(
  url: string,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): ChainReader {
  const transport = /^wss?:/.test(url)
    ? webSocket(url, { retryCount: 0, timeout: timeoutMs })
    : http(url, { retryCount: 0, timeout: timeoutMs });
  const client = createPublicClient({ transport });
  return {
    chainId: () => client.getChainId(),
    head: () => client.getBlockNumber({ cacheTime: 0 }),
    async blockHash(number) {
      if (number < 0n) return undefined;
      const block = (await client.request({
        method: 'eth_getBlockByNumber',
        params: [numberToHex(number), false],
      })) as { hash: Hash | null } | null;
      return block?.hash ?? undefined;
    },
    logs: (filter) =>
      client.request({
        method: 'eth_getLogs',
        params: [
          {
            ...(filter.address && { address: filter.address as Address | Address[] }),
            topics: filter.topics as (Hex | Hex[] | null)[],
            fromBlock: numberToHex(filter.fromBlock),
            toBlock: numberToHex(filter.toBlock),
          },
        ],
      }) as unknown as Promise<RpcLog[]>,
    expiryAt: (provider, org, block) =>
      client.readContract({
        address: provider,
        abi: ethProviderAbi,
        functionName: 'expiryOf',
        args: [org],
        blockNumber: block,
      }),
  };
}
