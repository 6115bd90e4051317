/**
 * What the chain asks of the deployer for one org at one block: pure rules, no I/O.
 *
 * A deployment is active while `expiry > block` (SPEC.md §1). Its org-node runs while active and
 * for `grace` blocks after expiry, or until `DeploymentStopped`, which ends it at once. An ended
 * deployment's data is kept `retention` blocks for a renewal to restore it, then purged.
 */
import type { Address } from 'viem';

/** run: an org-node must serve it; stop: no node, keep its data; purge: its data may go. */
export type Desired = 'run' | 'stop' | 'purge';

/** What the chain says about a deployment: the contract's expiry, and the block of the stop that ended it. */
export interface DeploymentState {
  expiry: bigint;
  stoppedAt?: bigint;
}

export interface Terms {
  graceBlocks: bigint;
  retentionBlocks: bigint;
}

/** The watcher's output per org: the deployment as of `block`, and what follows from it. */
export interface DesiredOrg extends DeploymentState {
  org: Address;
  active: boolean;
  desired: Desired;
  /** The (safe) block this was computed at. */
  block: bigint;
}

export interface Verdict {
  active: boolean;
  desired: Desired;
  /** The next block at which `active` or `desired` changes with no new event; none once purged. */
  changesAt?: bigint;
}

/** First block with no org-node: the stop, or the end of grace after expiry. */
export function endOf(d: DeploymentState, terms: Terms): bigint {
  return d.stoppedAt ?? d.expiry + terms.graceBlocks;
}

/** The earlier of `min` and `b` if `b` is after `block` (no arrays: catch-up judges every org). */
const firstAfter = (block: bigint, min: bigint | undefined, b: bigint) =>
  b > block && (min === undefined || b < min) ? b : min;

export function verdictAt(d: DeploymentState, block: bigint, terms: Terms): Verdict {
  // expiryOf == 0: never paid, or the paying top-up was reorged away.
  if (d.expiry === 0n) return { active: false, desired: 'purge' };
  const end = endOf(d, terms);
  const purgeAt = end + terms.retentionBlocks;
  const active = d.expiry > block;
  const desired: Desired = block < end ? 'run' : block < purgeAt ? 'stop' : 'purge';
  const changesAt = firstAfter(
    block,
    firstAfter(block, firstAfter(block, undefined, d.expiry), end),
    purgeAt,
  );
  return { active, desired, ...(changesAt !== undefined && { changesAt }) };
}

export function desiredOrg(org: Address, d: DeploymentState, block: bigint, terms: Terms): DesiredOrg {
  const { active, desired } = verdictAt(d, block, terms);
  return {
    org,
    expiry: d.expiry,
    ...(d.stoppedAt !== undefined && { stoppedAt: d.stoppedAt }),
    active,
    desired,
    block,
  };
}

/** Whether the reconciler must hear about the change from `before` to `after`. */
export function differs(before: DesiredOrg | undefined, after: DesiredOrg): boolean {
  return (
    before === undefined ||
    before.expiry !== after.expiry ||
    before.stoppedAt !== after.stoppedAt ||
    before.active !== after.active ||
    before.desired !== after.desired
  );
}
