import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import pLimit from 'p-limit';
import { dockerEngine } from './engine.js';
import { OWNER_LABEL, RUN_LABEL } from './labels.js';

export interface SweepResult {
  containers: number;
  networks: number;
  volumes: number;
}

const REMOVE_CONCURRENCY = 4;

const filterFor = (runId?: string) => ({ label: [runId ? `${RUN_LABEL}=${runId}` : RUN_LABEL] });

/** Removes everything labelled with `runId` (or every oneclick run when omitted): containers, then networks, then volumes. */
export async function removeRun(runId?: string): Promise<SweepResult> {
  const docker = dockerEngine();
  const filters = filterFor(runId);
  const removeContainers = async () => {
    const found = await docker.listContainers({ all: true, filters });
    // A few at a time: dockerd 20.10 removing dozens of containers at once can leave a stale endpoint
    // behind, and the network then never goes ("has active endpoints") until the engine restarts.
    await pLimit(REMOVE_CONCURRENCY).map(found, (c) =>
      docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone),
    );
    return found;
  };
  const containers = await removeContainers();
  // A provider may have started an org-node (and its volume) while the first ones went: once more.
  await removeContainers();
  const networks = await docker.listNetworks({ filters });
  for (const n of networks) await removeNetwork(n.Id);
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  await pLimit(REMOVE_CONCURRENCY).map(volumes ?? [], (v) =>
    docker.getVolume(v.Name).remove({ force: true }).catch(ignoreGone),
  );
  return { containers: containers.length, networks: networks.length, volumes: (volumes ?? []).length };
}

/**
 * Removes a network, first detaching whatever still holds an endpoint on it: a container a provider
 * started after the run listed its containers, or an endpoint the engine has not released yet under
 * load ("has active endpoints").
 */
async function removeNetwork(id: string, attempts = 5): Promise<void> {
  const docker = dockerEngine();
  const network = docker.getNetwork(id);
  for (let attempt = 1; ; attempt++) {
    try {
      await network.remove();
      return;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return;
      if (status !== 403 || attempt >= attempts) throw error;
      const info = (await network.inspect().catch(() => undefined)) as
        { Containers?: Record<string, unknown> } | undefined;
      for (const container of Object.keys(info?.Containers ?? {})) {
        await network.disconnect({ Container: container, Force: true }).catch(() => undefined);
      }
      await sleep(300 * attempt);
    }
  }
}

/** Runs whose owning process on this host is gone: what a crash or SIGKILL left behind. */
export async function staleRuns(): Promise<string[]> {
  const docker = dockerEngine();
  const owners = new Map<string, string>();
  const collect = (labels: Record<string, string> | undefined) => {
    const run = labels?.[RUN_LABEL];
    const owner = labels?.[OWNER_LABEL];
    if (run && owner) owners.set(run, owner);
  };
  for (const c of await docker.listContainers({ all: true, filters: filterFor() })) collect(c.Labels);
  for (const n of await docker.listNetworks({ filters: filterFor() })) collect(n.Labels);
  for (const v of (await docker.listVolumes({ filters: filterFor() })).Volumes ?? []) collect(v.Labels);
  const here = hostname();
  return [...owners].filter(([, owner]) => isDeadOwner(owner, here)).map(([run]) => run);
}

/** Sweep on start: removes the leftovers of crashed runs, never those of a live process. */
export async function sweepStaleRuns(): Promise<string[]> {
  const runs = await staleRuns();
  for (const run of runs) {
    // One run the engine cannot fully remove (a stale endpoint) must not stop the sweep of the others.
    await removeRun(run).catch((error: Error) =>
      process.stderr.write(`oneclick: could not remove all of run ${run}: ${error.message}\n`),
    );
  }
  return runs;
}

function isDeadOwner(owner: string, here: string): boolean {
  const sep = owner.lastIndexOf(':');
  const host = owner.slice(0, sep);
  const pid = Number(owner.slice(sep + 1));
  if (host !== here || !Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function ignoreGone(error: { statusCode?: number }): void {
  if (error.statusCode === 404 || error.statusCode === 409) return;
  throw error;
}
