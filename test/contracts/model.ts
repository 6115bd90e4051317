/**
 * A plain TypeScript model of a provider contract (ProviderBase rules), used as the reference in
 * the property test. It deliberately does not copy the contract's bookkeeping (the open set and
 * pruning): realized revenue is recomputed from first principles over every period ever paid.
 *
 * Every operation takes `block`, the number of the block the transaction is mined in.
 */

export interface ModelDeployment {
  owner: string;
  start: bigint;
  expiry: bigint;
}

export interface ProviderModel {
  readonly owner: string;
  readonly pricePerBlock: bigint;
  readonly packageBlocks: bigint;
  readonly deployments: Map<string, ModelDeployment>;
  /** Revenue of periods replaced by a later period of the same org (all of it was earned). */
  replacedRevenue: bigint;
  withdrawn: bigint;
  /** What the contract holds in its currency. */
  balance: bigint;
}

export type ModelError =
  'InvalidAmount' | 'NotActive' | 'NotDeploymentOwner' | 'NotOwner' | 'NothingToWithdraw';

/** Either the custom error the contract must revert with, or the payments it must make. */
export type Outcome =
  | { error: ModelError }
  | { payouts: Array<{ to: string; amount: bigint }>; event?: { org: string; expiry: bigint } };

export function newProvider(owner: string, pricePerBlock: bigint, packageBlocks: bigint): ProviderModel {
  return {
    owner,
    pricePerBlock,
    packageBlocks,
    deployments: new Map(),
    replacedRevenue: 0n,
    withdrawn: 0n,
    balance: 0n,
  };
}

export function packagePrice(m: ProviderModel): bigint {
  return m.pricePerBlock * m.packageBlocks;
}

export function expiryOf(m: ProviderModel, org: string): bigint {
  return m.deployments.get(org)?.expiry ?? 0n;
}

export function isActive(m: ProviderModel, block: bigint, org: string): boolean {
  return expiryOf(m, org) > block;
}

export function activeSubscribers(m: ProviderModel, block: bigint): bigint {
  return BigInt([...m.deployments.values()].filter((d) => d.expiry > block).length);
}

/** Σ over every period ever paid of (min(block, expiry) - start) × pricePerBlock. */
export function realizedRevenue(m: ProviderModel, block: bigint): bigint {
  let total = m.replacedRevenue;
  for (const d of m.deployments.values()) {
    const end = d.expiry < block ? d.expiry : block;
    total += (end - d.start) * m.pricePerBlock;
  }
  return total;
}

export function withdrawable(m: ProviderModel, block: bigint): bigint {
  return realizedRevenue(m, block) - m.withdrawn;
}

export function topUp(m: ProviderModel, block: bigint, payer: string, org: string, amount: bigint): Outcome {
  const price = packagePrice(m);
  if (amount === 0n || amount % price !== 0n) return { error: 'InvalidAmount' };
  const blocks = (amount / price) * m.packageBlocks;
  const d = m.deployments.get(org);
  if (d && d.expiry > block) {
    d.expiry += blocks;
  } else {
    if (d) m.replacedRevenue += (d.expiry - d.start) * m.pricePerBlock;
    m.deployments.set(org, { owner: payer, start: block, expiry: block + blocks });
  }
  m.balance += amount;
  return { payouts: [], event: { org, expiry: expiryOf(m, org) } };
}

function stop(m: ProviderModel, block: bigint, d: ModelDeployment): Outcome {
  const refund = (d.expiry - block) * m.pricePerBlock;
  d.expiry = block;
  m.balance -= refund;
  return { payouts: [{ to: d.owner, amount: refund }] };
}

export function cancel(m: ProviderModel, block: bigint, caller: string, org: string): Outcome {
  const d = m.deployments.get(org);
  if (!d || d.expiry <= block) return { error: 'NotActive' };
  if (caller !== d.owner) return { error: 'NotDeploymentOwner' };
  return stop(m, block, d);
}

export function suspend(m: ProviderModel, block: bigint, caller: string, org: string): Outcome {
  if (caller !== m.owner) return { error: 'NotOwner' };
  const d = m.deployments.get(org);
  if (!d || d.expiry <= block) return { error: 'NotActive' };
  return stop(m, block, d);
}

export function withdraw(m: ProviderModel, block: bigint, caller: string): Outcome {
  if (caller !== m.owner) return { error: 'NotOwner' };
  const amount = withdrawable(m, block);
  if (amount === 0n) return { error: 'NothingToWithdraw' };
  m.withdrawn += amount;
  m.balance -= amount;
  return { payouts: [{ to: m.owner, amount }] };
}
