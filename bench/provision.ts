/**
 * Provisioning latency of the reference provider (fixtures/providers/reference, started as a provider
 * package in a booted world) next to bare `docker run` of the same org-node image, and memory per org.
 *
 *   npx tsx bench/provision.ts [orgs=50]
 *
 * 1. `orgs` top-ups in ONE block (manual mining); for each org, the time from that block being mined
 *    to both its A record resolving (asked from a host on `internet`, one dig per round for all
 *    names) and `GET /api/v1/node` with Host `<label>.<zone>` answering 200 through the published address.
 * 2. After the provider and its org-nodes are gone: the same number of bare org-node containers
 *    started at once (`docker create` + `start`, on a /24 bridge of their own): the time to their own
 *    `/api/v1/node` answering 200.
 * 3. `docker stats` (usage − inactive file) summed over the run's org-node containers, divided by
 *    `orgs`; the provider and its edge shown apart.
 * Prints p50/p95/max of both and their ratio. Everything carries the run label and is removed at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from 'viem';
import { container, type StartedContainer } from '../harness/docker/container.js';
import { dockerEngine } from '../harness/docker/engine.js';
import { createNetwork } from '../harness/docker/network.js';
import { RUN_LABEL } from '../harness/docker/labels.js';
import { startRun } from '../harness/docker/run.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../harness/net/subnets.js';
import {
  labelOf,
  nodeOverHttp,
  orgNodes,
  orgs as orgAddresses,
  payInOneBlock,
  startReference,
  type ReferenceWorld,
} from '../test/provider/reference-fixture.js';
import { summarize } from './stats.js';

const count = Number(process.argv[2] ?? 50);
const TIMEOUT_MS = 15 * 60_000;

/** The A records of `names` (fully qualified) in one dig from the observer: name → address. */
async function aRecords(w: ReferenceWorld, names: readonly string[]): Promise<Map<string, string>> {
  const server = w.booted.world.dns.server.replace(/:\d+$/, '');
  const queries = names.flatMap((n) => [n, 'A']);
  const r = await w.observer.exec([
    'dig',
    '+noall',
    '+answer',
    '+time=1',
    '+tries=1',
    `@${server}`,
    ...queries,
  ]);
  const found = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [name, , , type, value] = line.trim().split(/\s+/);
    if (name && type === 'A' && value) found.set(name.replace(/\.$/, ''), value);
  }
  return found;
}

/** Per org: ms from `t0` until A resolves and HTTP by Host answers through it. */
async function provisioned(w: ReferenceWorld, list: readonly Address[], t0: number): Promise<number[]> {
  const zone = w.booted.world.dns.zone;
  const pending = new Map(list.map((org) => [`${labelOf(org)}.${zone}`, org]));
  const done: number[] = [];
  while (pending.size > 0) {
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`${pending.size} orgs not provisioned in time`);
    const found = await aRecords(w, [...pending.keys()]);
    await Promise.all(
      [...found].map(async ([name, address]) => {
        const org = pending.get(name);
        if (!org) return;
        const id = await nodeOverHttp(w, org, address).catch(() => undefined);
        if (id && pending.delete(name)) done.push(performance.now() - t0);
      }),
    );
    if (pending.size > 0) await sleep(200);
  }
  return done;
}

/** `n` bare org-node containers started at once: ms from the burst start to each `/api/v1/node` 200. */
async function bare(run: ReturnType<typeof startRun>, image: string, network: string, n: number) {
  const t0 = performance.now();
  const started: StartedContainer[] = [];
  const times = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = await container(image)
        .named(`${run.id}-bare${i}`)
        .withLabels(run.labels({ 'oneclick.role': 'bench-bare' }))
        .withNetwork(network)
        .withEnv({ RAD_ALIAS: `bare${i}` })
        .start();
      started.push(c);
      const ip = await c.ipOn(network);
      for (;;) {
        const ok = await fetch(`http://${ip}:8080/api/v1/node`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.status === 200)
          .catch(() => false);
        if (ok) return performance.now() - t0;
        if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`bare org-node ${i} not ready in time`);
        await sleep(100);
      }
    }),
  );
  await Promise.all(started.map((c) => c.remove()));
  return times;
}

async function memoryMiB(filters: Record<string, string[]>): Promise<{ count: number; mib: number }> {
  const docker = dockerEngine();
  const list = await docker.listContainers({ filters });
  let bytes = 0;
  await Promise.all(
    list.map(async (c) => {
      const s = (await docker.getContainer(c.Id).stats({ stream: false })) as unknown as {
        memory_stats: { usage?: number; stats?: Record<string, number> };
      };
      const inactive = s.memory_stats.stats?.inactive_file ?? s.memory_stats.stats?.total_inactive_file ?? 0;
      bytes += (s.memory_stats.usage ?? 0) - inactive;
    }),
  );
  return { count: list.length, mib: bytes / 1024 / 1024 };
}

const fmt = (s: ReturnType<typeof summarize>) =>
  `p50 ${(s.p50 / 1000).toFixed(1)} s, p95 ${(s.p95 / 1000).toFixed(1)} s, max ${(s.max / 1000).toFixed(1)} s (n=${s.n})`;

const run = startRun('bench');
try {
  console.log(`booting a world and the reference provider, then ${count} top-ups in one block`);
  const w = await startReference(run, { onProgress: () => undefined });
  const list = orgAddresses(count);
  const block = await payInOneBlock(w, list);
  const t0 = performance.now();
  const provision = summarize(await provisioned(w, list, t0));
  console.log(
    `top-ups mined in block ${block}; all ${count} provisioned after ${(provision.max / 1000).toFixed(1)} s`,
  );

  const runFilter = `${RUN_LABEL}=${run.id}`;
  await sleep(10_000); // let them settle before measuring memory
  const nodes = await memoryMiB({ label: [runFilter, 'oneclick.role=org-node'] });
  const edge = await memoryMiB({ label: [runFilter, 'oneclick.role=edge'] });
  const provider = await memoryMiB({ label: [runFilter, 'oneclick.role=provider'] });

  console.log(`\nreference provider: top-up block -> A record + /api/v1/node via edge: ${fmt(provision)}`);
  console.log(
    `memory: org-nodes ${nodes.mib.toFixed(0)} MiB over ${nodes.count} = ${(nodes.mib / count).toFixed(1)} MiB per org; ` +
      `edge ${edge.mib.toFixed(1)} MiB, provider ${provider.mib.toFixed(1)} MiB ` +
      `(all in: ${((nodes.mib + edge.mib + provider.mib) / count).toFixed(1)} MiB per org)`,
  );
  await w.provider.stop();
  const docker = dockerEngine();
  await Promise.all((await orgNodes(run.id)).map((c) => docker.getContainer(c.Id).remove({ force: true })));

  // A /24 of its own: the internet network is a /26, too small for 50 more containers.
  const network = await createOnFreeSubnet('bench', SUBNET_POOLS.lan, async (subnet) => {
    return (await createNetwork({ name: `${run.id}-bare`, subnet, labels: run.labels() })).name;
  });
  const baseline = summarize(await bare(run, w.booted.world.orgNodeImage, network, count));
  console.log(`bare docker run (${count} at once) -> /api/v1/node:                   ${fmt(baseline)}`);
  console.log(
    `ratio (provider / bare): p50 ${(provision.p50 / baseline.p50).toFixed(2)}x, p95 ${(provision.p95 / baseline.p95).toFixed(2)}x`,
  );
} finally {
  await run.dispose();
}
