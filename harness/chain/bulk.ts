/**
 * Many transactions fast: signed locally with consecutive nonces and fixed gas (no estimation, no
 * per-transaction fee lookups), sent raw, `concurrency` in flight at once. Use with manual mining to pack many
 * transactions into each block, then `mineUntilIncluded`.
 */
import pLimit from 'p-limit';
import type { Address, Hash, Hex } from 'viem';
import type { TestClient, WalletClient } from './clients.js';

export interface Call {
  to: Address;
  data: Hex;
  value?: bigint;
}

export interface SendManyOptions {
  /** Gas limit of every transaction (default 200 000: enough for a first top-up). */
  gas?: bigint;
  /** Raw transactions in flight at once. */
  concurrency?: number;
}

export async function sendMany(
  wallet: WalletClient,
  calls: readonly Call[],
  { gas = 200_000n, concurrency = 64 }: SendManyOptions = {},
): Promise<Hash[]> {
  const account = wallet.account;
  const [nonce, block] = await Promise.all([
    wallet.getTransactionCount({ address: account.address, blockTag: 'pending' }),
    wallet.getBlock({ blockTag: 'latest' }),
  ]);
  // Room for the base fee to rise while many full blocks are mined.
  const maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 8n + 2_000_000_000n;
  const signed = await Promise.all(
    calls.map((call, i) =>
      account.signTransaction({
        chainId: wallet.chain.id,
        type: 'eip1559',
        to: call.to,
        data: call.data,
        value: call.value ?? 0n,
        gas,
        nonce: nonce + i,
        maxFeePerGas,
        maxPriorityFeePerGas: 1_000_000_000n,
      }),
    ),
  );
  return pLimit(concurrency).map(signed, (tx) => wallet.sendRawTransaction({ serializedTransaction: tx }));
}

/** Mines one block at a time until `hash` has a receipt (or `maxBlocks` were mined); returns the head. */
export async function mineUntilIncluded(test: TestClient, hash: Hash, maxBlocks = 10_000): Promise<bigint> {
  for (let i = 0; i < maxBlocks; i++) {
    await test.mine({ blocks: 1 });
    const receipt = await test.getTransactionReceipt({ hash }).catch(() => undefined);
    if (receipt) return test.getBlockNumber({ cacheTime: 0 });
  }
  throw new Error(`transaction ${hash} not included after ${maxBlocks} blocks`);
}
