/**
 * What the store holds, as the watcher and the reconciler see it. Orgs are keyed by lowercase
 * address: the store takes any case and answers in lower case.
 */
import type { Address, Hash, Hex } from 'viem';
import type { DeploymentState, DesiredOrg, Verdict } from '../desired.js';
import type { Anchor, ProviderEvent } from '../events.js';

export type Status = 'pending' | 'active' | 'expiring' | 'stopped' | 'gone';

export interface Cursor {
  number: bigint;
  hash: Hash;
}

/** An org as stored: the watcher's desired state plus the reconciler's columns. */
export interface OrgRow extends DesiredOrg {
  changesAt?: bigint;
  status: Status;
  port?: number;
  nid?: string;
  containerId?: string;
  volume?: string;
}

/** The reconciler's columns; `null` clears one, a missing key leaves it as it is. */
export interface RuntimeUpdate {
  status?: Status;
  port?: number | null;
  nid?: string | null;
  containerId?: string | null;
  volume?: string | null;
}

export interface StoredAnchor {
  org: Address;
  id: Hex;
  repo: string;
  tag: number;
  multihash: Hex;
  blockNumber: bigint;
}

export interface OrgUpdate {
  org: Address;
  deployment: DeploymentState;
  verdict: Verdict;
  block: bigint;
}

export interface AnchorScan {
  org: Address;
  next: bigint;
  until: bigint;
}

/** A deployment log as stored: with its org's state before it (what a rewind below it restores). */
export type LoggedEvent = ProviderEvent & { before: DeploymentState };

/** Everything one watcher step changes, written in one transaction. */
export interface StepWrite {
  /** Forget everything above this block first (a reorg). */
  rewindTo?: bigint;
  cursor: Cursor;
  events: readonly LoggedEvent[];
  anchors: readonly Anchor[];
  orgs: readonly OrgUpdate[];
  /** Orgs with no deployment left (expiry 0): deleted unless the reconciler holds something of theirs. */
  removed: readonly Address[];
  scans: readonly AnchorScan[];
  /** Cursor history kept for walking back on reorgs. */
  keepBlocksFrom: bigint;
}
