/** The cluster network org-nodes run on: the configured one, else `oc-<run>-cluster`, made once. */
import type Docker from 'dockerode';
import { ROLE_LABEL, RUN_LABEL, statusOf } from '../docker.js';
import type { Logger } from '../log.js';

export async function ensureClusterNetwork(docker: Docker, runId: string, log: Logger): Promise<string> {
  const name = `oc-${runId}-cluster`;
  const existing = await docker.listNetworks({ filters: { name: [name] } });
  if (existing.some((n) => n.Name === name)) return name;
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      Labels: { [RUN_LABEL]: runId, [ROLE_LABEL]: 'cluster' },
      Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'false' },
    });
    log.info('cluster network created', { network: name });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
  return name;
}
