/**
 * The deployment state at a step's block of every org the step affects, and what of it the
 * reconciler must hear. After a rewind, expiries come from the contract, not from event arithmetic.
 */
import pLimit from 'p-limit';
import type { Address } from 'viem';
import { differs, verdictAt, type DeploymentState, type DesiredOrg } from '../desired.js';
import { byPosition, type ProviderEvent } from '../events.js';
import type { LoggedEvent, OrgRow, OrgUpdate, Store } from '../state/index.js';
import type { WatchContext } from './context.js';

/** No deployment (shared: never changed in place). */
const NOTHING: DeploymentState = { expiry: 0n };

/** Concurrent `expiryOf` reads when recomputing after a reorg. */
const READ_CONCURRENCY = 8;

/** A base deployment state per org, where there is one (a Map serves). */
export type BaseStates = Pick<ReadonlyMap<Address, DeploymentState>, 'get'>;

/**
 * Applies deployment events in chain order, each org from its `base` state (pure). `states`: the
 * orgs with events, after them; `logged`: each event with its org's state before it, as the store
 * keeps it for a rewind below it.
 */
export function applyEvents(
  base: BaseStates,
  events: readonly ProviderEvent[],
): { states: Map<Address, DeploymentState>; logged: LoggedEvent[] } {
  const states = new Map<Address, DeploymentState>();
  // A range's logs come in chain order: sorting 10 000 of them by a bigint comparison cost more than applying them.
  const ordered = events.every((e, i) => i === 0 || byPosition(events[i - 1] as ProviderEvent, e) < 0)
    ? events
    : [...events].sort(byPosition);
  const logged = ordered.map((e): LoggedEvent => {
    const before = states.get(e.org) ?? base.get(e.org) ?? NOTHING;
    states.set(
      e.org,
      e.kind === 'top-up' ? { expiry: e.expiry } : { expiry: e.atBlock, stoppedAt: e.atBlock },
    );
    return e.kind === 'top-up'
      ? { kind: e.kind, org: e.org, expiry: e.expiry, at: e.at, before }
      : { kind: e.kind, org: e.org, atBlock: e.atBlock, at: e.at, before };
  });
  return { states, logged };
}

/**
 * The deployment state each org starts the step from: after a rewind, an org touched above the
 * fork starts from its state at the fork (`touched`; for `stoppedAt`: `expiry` comes from the
 * contract); any other from its stored row, which no log since the fork changed. None for an org
 * never stored.
 */
export function baseOf(
  rows: Pick<Store, 'org'>,
  touched: ReadonlyMap<Address, DeploymentState> = new Map(),
): BaseStates {
  return {
    get(org) {
      const at = touched.get(org);
      if (at) return at;
      const row = rows.org(org);
      return row && { expiry: row.expiry, ...(row.stoppedAt !== undefined && { stoppedAt: row.stoppedAt }) };
    },
  };
}

/**
 * After a rewind to `rewindTo`, the orgs touched above it with their state there. A rebuild (below
 * the start block) forgets every stored org, whatever logs of it the state still holds.
 */
export function rewound(
  ctx: Pick<WatchContext, 'store' | 'config'>,
  rewindTo: bigint | undefined,
): Map<Address, DeploymentState> {
  if (rewindTo === undefined) return new Map();
  const touched = ctx.store.touchedAfter(rewindTo);
  if (rewindTo < ctx.config.startBlock) {
    for (const org of ctx.store.orgAddresses()) touched.set(org, { expiry: 0n });
  }
  return touched;
}

/** The contract's word on `orgs` at `block`; a recorded stop stands only if the contract agrees. */
async function fromContract(
  ctx: Pick<WatchContext, 'reader' | 'provider'>,
  states: Map<Address, DeploymentState>,
  orgs: readonly Address[],
  block: bigint,
): Promise<void> {
  const limit = pLimit(READ_CONCURRENCY);
  const expiries = await Promise.all(
    orgs.map((org) => limit(() => ctx.reader.expiryAt(ctx.provider, org, block))),
  );
  orgs.forEach((org, i) => {
    const expiry = expiries[i] as bigint;
    const stoppedAt = states.get(org)?.stoppedAt;
    states.set(org, stoppedAt === expiry ? { expiry, stoppedAt } : { expiry });
  });
}

/** The store's rows as a step found them: `read` first (an org mapped to undefined is not stored), then the store. */
export type StoredRows = Pick<Store, 'org'>;

export function storedRows(store: Store, read: ReadonlyMap<Address, OrgRow | undefined>): StoredRows {
  return { org: (address) => (read.has(address) ? read.get(address) : store.org(address)) };
}

/**
 * The deployment state at `to` of every org the step affects: those with new events, those whose
 * verdict changes by itself by `to`, and after a rewind those touched or computed above the fork,
 * whose expiry is then read from the contract at `to`. `read`: rows the step already looked up.
 */
export async function settle(
  ctx: WatchContext,
  to: bigint,
  events: readonly ProviderEvent[],
  rewindTo: bigint | undefined,
  read: ReadonlyMap<Address, OrgRow | undefined> = new Map(),
): Promise<{ updates: OrgUpdate[]; logged: LoggedEvent[]; before: StoredRows }> {
  const { store } = ctx;
  const touched = rewound(ctx, rewindTo);
  const ahead = rewindTo === undefined ? [] : store.orgsUpdatedAfter(rewindTo);
  const dueRows = store.dueOrgs(to);
  const rows = dueRows.length ? new Map([...read, ...dueRows.map((r) => [r.org, r] as const)]) : read;
  const before = storedRows(store, rows);
  const base = baseOf(before, touched);
  // First the orgs whose logs moved their state: with events here, or touched above the fork.
  const { states, logged } = applyEvents(base, events);
  for (const [org, at] of touched) if (!states.has(org)) states.set(org, at);
  if (rewindTo !== undefined) await fromContract(ctx, states, [...states.keys()], to);
  // Then those whose verdict may change without a log: computed above the fork, or due by `to`.
  const unmoved = (org: Address) => {
    if (!states.has(org)) states.set(org, base.get(org) ?? NOTHING);
  };
  ahead.forEach(unmoved);
  for (const row of dueRows) unmoved(row.org);
  const updates: OrgUpdate[] = [];
  for (const [org, deployment] of states) {
    updates.push({ org, deployment, verdict: verdictAt(deployment, to, ctx.terms), block: to });
  }
  return { updates, logged, before };
}

/** What the reconciler must hear: updates that differ from the stored desired state. */
export function changesOf(
  ctx: { store: Pick<Store, 'org'> },
  updates: readonly OrgUpdate[],
  to: bigint,
): DesiredOrg[] {
  const out: DesiredOrg[] = [];
  for (const u of updates) {
    const row = ctx.store.org(u.org);
    if (!row && u.deployment.expiry === 0n) continue;
    // The update's verdict is the one at `to`: not judged again.
    const after: DesiredOrg = {
      org: u.org,
      expiry: u.deployment.expiry,
      ...(u.deployment.stoppedAt !== undefined && { stoppedAt: u.deployment.stoppedAt }),
      active: u.verdict.active,
      desired: u.verdict.desired,
      block: to,
    };
    if (differs(row, after)) out.push(after);
  }
  return out;
}
