import { afterAll, describe, expect, it } from 'vitest';
import { dockerEngine, startRun } from '../../harness/docker/index.js';
import { startTopology, TOPOLOGY_LABEL } from '../../harness/net/index.js';
import { leftovers } from './probes.js';

const run = startRun('nettest');

afterAll(async () => {
  await run.dispose();
  expect(await leftovers(run.id)).toEqual([]);
});

async function labelled(prefix: string): Promise<number> {
  const docker = dockerEngine();
  const filters = { label: [`${TOPOLOGY_LABEL}=${prefix}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return containers.length + networks.length;
}

describe('topology lifecycle', () => {
  it('labels every container and network with the run, and dispose() removes them all', async () => {
    const topo = await startTopology(run, { name: 'life', lans: 1 });
    await topo.addHost(topo.lans[0]!, topo.images.router, {
      configure: (b) => b.withCommand(['sleep', 'infinity']),
    });
    const prefix = `${run.id}-life`;
    // internet, cluster, one LAN; DNS, router, host.
    expect(await labelled(prefix)).toBe(6);
    const all = await leftovers(run.id);
    expect(all.filter((r) => r.startsWith('network'))).toHaveLength(3);
    await topo.dispose();
    expect(await labelled(prefix)).toBe(0);
    expect(await leftovers(run.id)).toEqual([]);
  });

  it('removes what it made when it fails half way (here: a DNS image that does not exist)', async () => {
    await expect(
      startTopology(run, { name: 'broken', lans: 1, images: { dns: 'oneclick/no-such-image:nope' } }),
    ).rejects.toThrow(/not built|No such image/i);
    expect(await labelled(`${run.id}-broken`)).toBe(0);
  });
});
