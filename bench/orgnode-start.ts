/**
 * org-node start latency and idle memory.
 *
 *   npx tsx bench/orgnode-start.ts [starts=20] [idle=3]
 *
 * For each of `starts` fresh containers (new identity each time, no volume): the time from
 * `docker create`+`start` to the API answering /healthz with 200, which needs radicle-node up on
 * its control socket (the image has no engine health check: it would cost an exec per check). Then `idle` nodes run side by side for 15 s and `docker stats` gives their memory. Prints p50/p95.
 * Everything it creates carries the run label and is removed at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { container, type StartedContainer } from '../harness/docker/container.js';
import { dockerEngine } from '../harness/docker/engine.js';
import { createNetwork } from '../harness/docker/network.js';
import { startRun } from '../harness/docker/run.js';
import { orgNodeImage } from '../harness/images/index.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../harness/net/subnets.js';

const starts = Number(process.argv[2] ?? 20);
const idleCount = Number(process.argv[3] ?? 3);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(20);
  }
}

const run = startRun('bench');
try {
  const image = await orgNodeImage();
  const network = await createOnFreeSubnet('bench', SUBNET_POOLS.internet, async (subnet) => {
    return (await createNetwork({ name: `${run.id}-net`, subnet, labels: run.labels() })).name;
  });
  console.log(`image ${image}, ${starts} starts`);
  const toApi: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const c = await container(image)
      .named(`${run.id}-s${i}`)
      .withLabels(run.labels())
      .withNetwork(network)
      .withEnv({ RAD_ALIAS: `bench${i}` })
      .start();
    const ip = await c.ipOn(network);
    await until(async () => (await fetch(`http://${ip}:8080/healthz`)).status === 200, 60_000, 'API ready');
    const api = performance.now() - t0;
    toApi.push(api);
    console.log(`start ${String(i + 1).padStart(2)}: API ready ${api.toFixed(0)} ms`);
    await c.remove();
  }
  const fmt = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(0)} ms, p95 ${percentile(xs, 95).toFixed(0)} ms`;
  console.log(`docker run -> API ready (radicle-node on its socket + HTTP): ${fmt(toApi)}`);

  const idle: StartedContainer[] = [];
  for (let i = 0; i < idleCount; i++) {
    const c = await container(image)
      .named(`${run.id}-idle${i}`)
      .withLabels(run.labels())
      .withNetwork(network)
      .withEnv({ RAD_ALIAS: `idle${i}` })
      .start();
    const ip = await c.ipOn(network);
    await until(async () => (await fetch(`http://${ip}:8080/healthz`)).status === 200, 60_000, 'API ready');
    idle.push(c);
  }
  await sleep(15_000);
  for (const c of idle) {
    const s = (await dockerEngine().getContainer(c.id).stats({ stream: false })) as unknown as {
      memory_stats: { usage: number; stats?: Record<string, number> };
    };
    const inactive = s.memory_stats.stats?.inactive_file ?? s.memory_stats.stats?.total_inactive_file ?? 0;
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `idle ${c.name}: memory ${mib(s.memory_stats.usage - inactive)} MiB (docker stats), raw usage ${mib(s.memory_stats.usage)} MiB`,
    );
  }
} finally {
  await run.dispose();
}
