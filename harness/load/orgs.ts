/**
 * Orgs of a load run: Org contracts made through the factory (so they can anchor repositories), in as
 * few blocks as gas allows, then a burst of top-ups in one block (manual mining) and the world's confirmations.
 */
import { encodeFunctionData, type Address, type Hash } from 'viem';
import { ethProviderAbi, orgFactoryAbi } from '../../contracts/index.js';
import { confirm, createdOrgs, packagePrice } from '../chain/actions.js';
import { mineUntilIncluded, sendMany } from '../chain/bulk.js';
import type { TestClient, WalletClient } from '../chain/clients.js';
import { mine, useAutomine, useManualMining } from '../chain/mining.js';

/** `count` Org contracts owned by `owner`; in creation order. */
export async function createOrgs(
  test: TestClient,
  owner: WalletClient,
  orgFactory: Address,
  count: number,
): Promise<Address[]> {
  const data = encodeFunctionData({
    abi: orgFactoryAbi,
    functionName: 'createOrg',
    args: [owner.account.address],
  });
  const estimate = await owner.estimateGas({ to: orgFactory, data });
  const hashes = await inFewBlocks(test, () =>
    sendMany(
      owner,
      Array.from({ length: count }, () => ({ to: orgFactory, data })),
      { gas: (estimate * 13n) / 10n },
    ),
  );
  const receipts = await Promise.all(hashes.map((hash) => confirm(test, hash)));
  return receipts.flatMap((r) => createdOrgs(r).map((c) => c.org));
}

export interface Burst {
  /** The block the top-ups landed in. */
  block: bigint;
  /** performance.now() right after that block was mined. */
  minedAt: number;
}

/**
 * One top-up (one package) for every org, all in ONE block, then `confirmations` more blocks at once
 * so a provider acting on confirmed logs sees them right away. Automine is back on afterwards.
 */
export async function topUpBurst(
  test: TestClient,
  payer: WalletClient,
  provider: Address,
  orgs: readonly Address[],
  confirmations: number,
): Promise<Burst> {
  const price = await packagePrice(test, provider);
  await useManualMining(test);
  try {
    const hashes = await sendMany(
      payer,
      orgs.map((org) => ({
        to: provider,
        data: encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [org] }),
        value: price,
      })),
    );
    await mine(test, 1);
    const minedAt = performance.now();
    if (confirmations > 0) await mine(test, confirmations);
    const receipts = await Promise.all(hashes.map((hash) => confirm(test, hash)));
    const blocks = new Set(receipts.map((r) => r.blockNumber));
    if (blocks.size !== 1) throw new Error(`top-ups landed in ${blocks.size} blocks, not one`);
    return { block: receipts[0]!.blockNumber, minedAt };
  } finally {
    await useAutomine(test);
  }
}

/** Sends with manual mining, then mines until the last one is in (as few blocks as gas allows). */
async function inFewBlocks(test: TestClient, send: () => Promise<Hash[]>): Promise<Hash[]> {
  await useManualMining(test);
  try {
    const hashes = await send();
    if (hashes.length) await mineUntilIncluded(test, hashes[hashes.length - 1]!, 100);
    return hashes;
  } finally {
    await useAutomine(test);
  }
}
