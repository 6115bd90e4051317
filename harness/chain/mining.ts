import { setTimeout as sleep } from 'node:timers/promises';
import type { Hash } from 'viem';
import type { TestClient } from './clients.js';

export async function mine(client: TestClient, blocks = 1): Promise<bigint> {
  await client.mine({ blocks });
  return client.getBlockNumber({ cacheTime: 0 });
}

/** Manual mining: transactions wait in the pool until `mine()`. */
export async function useManualMining(client: TestClient): Promise<void> {
  await client.setAutomine(false);
  await client.setIntervalMining({ interval: 0 });
}

/** Interval mining: a block every `seconds`, whether or not transactions wait. */
export async function useIntervalMining(client: TestClient, seconds: number): Promise<void> {
  await client.setAutomine(false);
  await client.setIntervalMining({ interval: seconds });
}

export async function useAutomine(client: TestClient): Promise<void> {
  await client.setIntervalMining({ interval: 0 });
  await client.setAutomine(true);
}

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/** Resolves with the block number once the chain is at `target` or beyond. */
export async function waitForBlock(
  client: Pick<TestClient, 'getBlockNumber'>,
  target: bigint,
  { timeoutMs = 60_000, pollMs = 100 }: WaitOptions = {},
): Promise<bigint> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await client.getBlockNumber({ cacheTime: 0 });
    if (current >= target) return current;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for block ${target}; chain is at ${current}`);
    }
    await sleep(pollMs);
  }
}

export async function snapshot(client: TestClient): Promise<Hash> {
  return client.snapshot();
}

/**
 * Restores the state (and block number) of snapshot `id`. Anvil consumes the snapshot (and any
 * later ones): take a new snapshot to revert again. Throws if the id is unknown or already used,
 * which viem's `revert` would silently ignore.
 */
export async function revertTo(client: TestClient, id: Hash): Promise<void> {
  const reverted = await client.request({ method: 'evm_revert', params: [id] });
  if ((reverted as unknown) !== true) {
    throw new Error(`evm_revert to snapshot ${id} failed (unknown or already used)`);
  }
}

/**
 * Replaces the newest `depth` blocks with `depth` fresh ones (`anvil_reorg`). Transactions in
 * the dropped blocks are gone unless re-included via `reinclude` ([raw signed tx, block offset]).
 */
export async function reorg(
  client: TestClient,
  depth: number,
  reinclude: ReadonlyArray<readonly [Hash, number]> = [],
): Promise<void> {
  if (!Number.isInteger(depth) || depth < 1)
    throw new Error(`reorg depth must be a positive integer, got ${depth}`);
  const head = await client.getBlockNumber({ cacheTime: 0 });
  if (BigInt(depth) > head) throw new Error(`reorg depth ${depth} is deeper than the chain (head ${head})`);
  await client.request({
    method: 'anvil_reorg' as never,
    params: [depth, reinclude.map(([tx, offset]) => [tx, offset])] as never,
  });
}
