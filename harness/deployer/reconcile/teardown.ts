/**
 * Ending an org: its records first, then its container; with `purge` its volume and port too.
 * And the run's org-node containers and volumes that no org wants.
 */
import { inspectContainer, ORG_LABEL, removeContainer, removeVolume } from '../docker.js';
import { orgLabel } from '../dns.js';
import type { OrgRow } from '../state/index.js';
import {
  containerName,
  orgNodeFilters,
  volumeName,
  type ReconcileContext,
  type ReconcilerState,
} from './context.js';
import { endState, mayHaveRecords, settled } from './plan.js';

/** Removes the org's records (if it may have any), its container, and with `purge` its volume and port. */
export async function tearDown(
  ctx: ReconcileContext,
  state: Pick<ReconcilerState, 'published' | 'wantedSince'>,
  row: OrgRow,
  purge: boolean,
): Promise<void> {
  const { docker, log, config } = ctx;
  const label = orgLabel(row.org);
  const name = containerName(config.runId, label);
  const published = state.published.has(row.org);
  if (settled(row, purge) && !published) return;
  if (mayHaveRecords(row, published)) {
    await ctx.dns.remove(label);
    state.published.delete(row.org);
    log.info('records removed', { org: row.org });
  }
  const existed = row.containerId !== undefined || (await inspectContainer(docker, name)) !== undefined;
  await removeContainer(docker, name);
  if (existed) log.info('org-node removed', { org: row.org, container: name, keepVolume: !purge });
  state.wantedSince.delete(row.org);
  if (purge) await removeVolume(docker, volumeName(config.runId, label));
  const end = endState(row, purge);
  if (end) ctx.store.setRuntime(row.org, end);
  if (end && purge) log.info('org purged', { org: row.org });
}

/** Org-node containers of the run whose org is not in `keepContainers`, and volumes not in `keepVolumes`. */
export async function removeStrays(
  ctx: Pick<ReconcileContext, 'docker' | 'log' | 'config'>,
  keepContainers: ReadonlySet<string>,
  keepVolumes: ReadonlySet<string>,
): Promise<void> {
  const { docker, log } = ctx;
  const filters = orgNodeFilters(ctx.config.runId);
  for (const c of await docker.listContainers({ all: true, filters })) {
    const org = c.Labels?.[ORG_LABEL];
    if (org && keepContainers.has(org)) continue;
    await removeContainer(docker, c.Id);
    log.warn('removed a stray org-node container', { container: c.Names?.[0], org });
  }
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  for (const v of volumes ?? []) {
    const org = v.Labels?.[ORG_LABEL];
    if (org && keepVolumes.has(org)) continue;
    await removeVolume(docker, v.Name);
    log.warn('removed a stray org-node volume', { volume: v.Name, org });
  }
}
