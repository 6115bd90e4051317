/**
 * The deployment state at a step's block of every org the step affects, and what of it the
 * reconciler must hear. After a rewind, expiries come from the contract, not from event arithmetic.
 */
import pLimit from 'p-limit';
import type { Address } from 'viem';
import { desiredOrg, differs, verdictAt, type DeploymentState, type DesiredOrg } from '../desired.js';
import { byPosition, type ProviderEvent } from '../events.js';
import { desiredOfRow, type OrgRow, type OrgUpdate, type Store } from '../state/index.js';
import type { WatchContext } from './context.js';

/** Concurrent `expiryOf` reads when recomputing after a reorg. */
const READ_CONCURRENCY = 8;

/** Applies deployment events in chain order to a base state per org (pure). */
export function applyEvents(
  base: ReadonlyMap<Address, DeploymentState>,
  events: readonly ProviderEvent[],
): Map<Address, DeploymentState> {
  const out = new Map(base);
  for (const e of [...events].sort(byPosition)) {
    out.set(e.org, e.kind === 'top-up' ? { expiry: e.expiry } : { expiry: e.atBlock, stoppedAt: e.atBlock });
  }
  return out;
}

/**
 * The deployment state each org starts the step from. After a rewind, an org touched above the
 * fork starts from its last event at or below the fork (for `stoppedAt`; `expiry` comes from the contract).
 */
export function baseState(
  store: Pick<WatchContext['store'], 'org' | 'lastEvent'>,
  orgs: Iterable<Address>,
  rewoundTo: bigint | undefined,
): Map<Address, DeploymentState> {
  const base = new Map<Address, DeploymentState>();
  for (const org of orgs) {
    if (rewoundTo === undefined) {
      const row = store.org(org);
      if (row)
        base.set(org, {
          expiry: row.expiry,
          ...(row.stoppedAt !== undefined && { stoppedAt: row.stoppedAt }),
        });
      continue;
    }
    const last = store.lastEvent(org, rewoundTo);
    if (last?.event === 'stopped') base.set(org, { expiry: last.value, stoppedAt: last.value });
    else if (last) base.set(org, { expiry: last.value });
    else base.set(org, { expiry: 0n });
  }
  return base;
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
export type StoredRows = Pick<Store, 'org' | 'lastEvent'>;

export function storedRows(store: Store, read: ReadonlyMap<Address, OrgRow | undefined>): StoredRows {
  return {
    org: (address) => (read.has(address) ? read.get(address) : store.org(address)),
    lastEvent: store.lastEvent,
  };
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
): Promise<{ updates: OrgUpdate[]; before: StoredRows }> {
  const { store } = ctx;
  const rewound = rewindTo === undefined ? [] : store.orgsTouchedAfter(rewindTo);
  const ahead = rewindTo === undefined ? [] : store.orgsUpdatedAfter(rewindTo);
  const dueRows = store.dueOrgs(to);
  const rows = new Map(read);
  for (const row of dueRows) rows.set(row.org, row);
  const before = storedRows(store, rows);
  const withEvents = events.map((e) => e.org);
  const due = dueRows.map((row) => row.org);
  const affected = [...new Set([...rewound, ...withEvents, ...ahead, ...due])];
  const states = applyEvents(baseState(before, affected, rewindTo), events);
  if (rewindTo !== undefined) await fromContract(ctx, states, [...new Set([...rewound, ...withEvents])], to);
  const updates = affected.map((org): OrgUpdate => {
    const deployment = states.get(org) ?? { expiry: 0n };
    return { org, deployment, verdict: verdictAt(deployment, to, ctx.terms), block: to };
  });
  return { updates, before };
}

/** What the reconciler must hear: updates that differ from the stored desired state. */
export function changesOf(
  ctx: { store: Pick<Store, 'org'>; terms: WatchContext['terms'] },
  updates: readonly OrgUpdate[],
  to: bigint,
): DesiredOrg[] {
  return updates.flatMap((u) => {
    const row = ctx.store.org(u.org);
    if (!row && u.deployment.expiry === 0n) return [];
    const after = desiredOrg(u.org, u.deployment, to, ctx.terms);
    return differs(row && desiredOfRow(row), after) ? [after] : [];
  });
}
