/** An org's DNS records (A → edge, SRV → port, TXT nid/expiry), sent only when they change. */
import { orgLabel, recordsKey, type OrgRecords } from '../dns.js';
import type { EdgeState } from '../edge.js';
import type { OrgRow } from '../state/index.js';
import type { ReconcileContext, ReconcilerState } from './context.js';
import type { ServingNode } from './node.js';

/** What the org's records must say (pure). */
export function recordsOf(
  row: Pick<OrgRow, 'org' | 'expiry'>,
  node: Pick<ServingNode, 'nid' | 'port'>,
  edge: Pick<EdgeState, 'publicAddress'>,
  publishedNid: (nid: string) => string,
): OrgRecords {
  return {
    label: orgLabel(row.org),
    address: edge.publicAddress,
    port: node.port,
    nid: publishedNid(node.nid),
    expiry: row.expiry,
  };
}

/** Served before this process saw it (a restarted controller republishing is no provisioning). */
export function wasServed(status: OrgRow['status']): boolean {
  return status === 'active' || status === 'expiring';
}

/** Sends the org's records when they differ from what was sent last. */
export async function publish(
  ctx: ReconcileContext,
  state: Pick<ReconcilerState, 'published' | 'wantedSince'>,
  row: OrgRow,
  node: ServingNode,
  edge: EdgeState,
): Promise<void> {
  const org = row.org;
  const records = recordsOf(row, node, edge, ctx.policy.publishedNid);
  const key = recordsKey(records);
  if (state.published.get(org) === key) return;
  await ctx.dns.publish(records);
  const first = !state.published.has(org);
  state.published.set(org, key);
  const since = state.wantedSince.get(org);
  state.wantedSince.delete(org);
  // From the pass that first wanted the org to its first publication.
  const seconds = first && since !== undefined ? (Date.now() - since) / 1000 : undefined;
  if (seconds !== undefined && !wasServed(row.status)) ctx.metrics?.observeProvisioning(seconds);
  ctx.log.info(first ? 'org published' : 'records updated', {
    org,
    host: ctx.dns.fqdn(records.label),
    port: node.port,
    nid: node.nid,
    expiry: row.expiry,
    ...(seconds !== undefined && { provisioningSeconds: seconds }),
  });
}
