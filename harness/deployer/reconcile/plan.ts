/** What a pass does, decided from the stored orgs alone (pure). */
import type { Address } from 'viem';
import type { Policy } from '../policy.js';
import type { OrgRow, RuntimeUpdate } from '../state/index.js';

export interface PassPlan {
  /** Orgs an org-node must serve. */
  wanted: OrgRow[];
  /** Orgs to tear down; `purge`: their volume and port go too. */
  ended: Array<{ row: OrgRow; purge: boolean }>;
  /** Orgs (lowercase) whose containers stay; any other org-node container of the run is a stray. */
  keepContainers: Set<string>;
  /** Orgs (lowercase) whose volumes stay (all but the purged); any other volume of the run is a stray. */
  keepVolumes: Set<string>;
}

export function planPass(rows: readonly OrgRow[], policy: Pick<Policy, 'wanted'>): PassPlan {
  const wanted = rows.filter((r) => policy.wanted(r));
  return {
    wanted,
    ended: rows.filter((r) => !policy.wanted(r)).map((row) => ({ row, purge: row.desired === 'purge' })),
    keepContainers: new Set(wanted.map((r) => r.org.toLowerCase())),
    keepVolumes: new Set(rows.filter((r) => r.desired !== 'purge').map((r) => r.org.toLowerCase())),
  };
}

/** Starts the provisioning clock of each wanted org not served yet (kept until it is published); how many started. */
export function markWanted(
  wantedSince: Map<Address, number>,
  published: ReadonlyMap<Address, string>,
  wanted: readonly OrgRow[],
  now: number,
): number {
  let started = 0;
  for (const row of wanted) {
    if (published.has(row.org) || wantedSince.has(row.org)) continue;
    wantedSince.set(row.org, now);
    started += 1;
  }
  return started;
}

/** Torn down in an earlier pass (its strays, if any, are the sweep's business). */
export function settled(row: OrgRow, purge: boolean): boolean {
  return purge
    ? row.status === 'gone' && row.volume === undefined && row.port === undefined
    : row.status === 'stopped' && row.containerId === undefined;
}

/** Whether the org may have records to remove: sent by this process, or served before it. */
export function mayHaveRecords(row: OrgRow, published: boolean): boolean {
  return published || !['stopped', 'gone'].includes(row.status);
}

/** The columns a teardown leaves (none when they say so already). */
export function endState(row: OrgRow, purge: boolean): RuntimeUpdate | undefined {
  if (purge) {
    return row.volume || row.port !== undefined || row.status !== 'gone'
      ? { status: 'gone', containerId: null, volume: null, port: null, nid: null }
      : undefined;
  }
  return row.status !== 'stopped' || row.containerId !== undefined
    ? { status: 'stopped', containerId: null }
    : undefined;
}

/** The status of a served org: `active` until expiry, `expiring` in grace. */
export function servedStatus(row: Pick<OrgRow, 'active'>): 'active' | 'expiring' {
  return row.active ? 'active' : 'expiring';
}
