/**
 * How many idle org-nodes this machine holds, and what runs out first.
 *
 *   npx tsx bench/scale.ts [step=100] [max=2000] [readySeconds=180]
 *
 * Adds `step` bare org-node containers at a time (no provider in between: `oneclick load --orgs N`
 * measures a provider's own ceiling), on LAN /24s of 250 each (a /24 holds 253 hosts, a Linux bridge
 * 1024 ports), waits until every new node's API answers /healthz (HTTP from the host, no exec), then
 * reads memory and idle CPU per node from the cgroup files and the host's from /proc. Stops at the first
 * failure — a container that cannot start, a node not ready in time, idle nodes alone taking half
 * the cores, or a machine-wide table ≥ 85 % full (threads of kernel.pid_max, the
 * neighbour table's gc_thresh3, dockerd's open files): past those the engine itself fails, and the
 * machine is shared — and prints the ceiling (the last count that held), the resource that ran out
 * and the per-node figures. Everything carries the run label and is removed at the end (also Ctrl-C).
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { container, type StartedContainer } from '../harness/docker/container.js';
import { createNetwork } from '../harness/docker/network.js';
import { startRun } from '../harness/docker/run.js';
import { orgNodeImage } from '../harness/images/index.js';
import { PER_NETWORK } from '../harness/load/baseline.js';
import { measureUsage, perContainer, type Usage } from '../harness/load/resources.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../harness/net/subnets.js';
import { percentile } from './stats.js';

const step = Number(process.argv[2] ?? 100);
const max = Number(process.argv[3] ?? 2000);
const readyMs = Number(process.argv[4] ?? 180) * 1000;

/** The resource an error names, by the engine's and the kernel's wording. */
function resourceOf(message: string): string {
  if (/exchange full|too many links|bridge.*ports/i.test(message))
    return 'bridge ports (1024 per Linux bridge)';
  if (/no free subnet|address pool|no available (ip|addresses)|IPv4 address/i.test(message))
    return 'addresses / subnets';
  if (/too many open files|EMFILE|ENFILE/i.test(message)) return 'file descriptors';
  if (/cannot allocate memory|ENOMEM|out of memory|oom/i.test(message)) return 'memory';
  if (/resource temporarily unavailable|EAGAIN|pids/i.test(message)) return 'processes / threads';
  if (/not ready after/i.test(message)) return 'CPU (nodes did not come up in time)';
  return `engine: ${message.split('\n')[0]}`;
}

async function openFds(pid: string): Promise<number | undefined> {
  return (await readdir(`/proc/${pid}/fd`).catch(() => undefined))?.length;
}

async function dockerdPid(): Promise<string | undefined> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'dockerd') return pid;
  }
  return undefined;
}

async function dockerdFds(): Promise<number | undefined> {
  const pid = await dockerdPid();
  return pid ? openFds(pid) : undefined;
}

/** /proc/loadavg's 4th field is running/total scheduling entities: every thread counts against pid_max. */
const threadCount = async () =>
  Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[3]?.split('/')[1]);

const readNumber = async (path: string) => Number((await readFile(path, 'utf8').catch(() => '')).trim());

/** Machine-wide tables near full, as `what: used/limit`: the run stops before the engine hits them. */
async function nearlyFull(): Promise<string | undefined> {
  const threads = await threadCount();
  const arp = (await readFile('/proc/net/stat/arp_cache', 'utf8').catch(() => '')).split('\n')[1];
  const dockerd = await dockerdPid();
  const fdLimit = dockerd
    ? /^Max open files\s+(\d+)/m.exec(await readFile(`/proc/${dockerd}/limits`, 'utf8'))?.[1]
    : undefined;
  const tables = [
    ['threads (kernel.pid_max)', threads, await readNumber('/proc/sys/kernel/pid_max')],
    [
      'neighbour table (net.ipv4.neigh.default.gc_thresh3)',
      arp ? parseInt(arp.split(/\s+/)[0]!, 16) : NaN,
      await readNumber('/proc/sys/net/ipv4/neigh/default/gc_thresh3'),
    ],
    ['dockerd open files', dockerd ? await openFds(dockerd) : NaN, Number(fdLimit)],
  ] as const;
  const full = tables.filter(([, used, limit]) => Number(used) >= 0.85 * limit);
  return full.map(([what, used, limit]) => `${what}: ${used}/${limit}`).join(', ') || undefined;
}

async function waitApi(ip: string, deadline: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const ok = await fetch(`http://${ip}:8080/healthz`, { signal: AbortSignal.timeout(3000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return performance.now() - t0;
    if (Date.now() > deadline) throw new Error(`not ready after ${readyMs / 1000} s`);
    await sleep(500);
  }
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

const run = startRun('scale');
const nodes: StartedContainer[] = [];
const networks: string[] = [];
let held: { count: number; usage: Usage } | undefined;
let failure: { count: number; resource: string; message: string } | undefined;
try {
  const image = await orgNodeImage();
  console.log(`image ${image}; +${step} org-nodes at a time up to ${max}; ready within ${readyMs / 1000} s`);
  console.log('count  ready p95   mem/node  idle cpu/node  host busy  host mem   dockerd fds  threads');
  for (let count = step; count <= max; count += step) {
    const before = nodes.length;
    try {
      const deadline = Date.now() + readyMs;
      // The step's networks first, one at a time: tasks racing to create the same one collide.
      while (networks.length * PER_NETWORK < count) {
        networks.push(
          await createOnFreeSubnet(
            'scale',
            SUBNET_POOLS.lan,
            async (subnet) =>
              (
                await createNetwork({
                  name: `${run.id}-net${networks.length + 1}`,
                  subnet,
                  labels: run.labels(),
                })
              ).name,
          ),
        );
      }
      // allSettled: no start still in flight when a failure leads to the clean-up.
      const settled = await Promise.allSettled(
        Array.from({ length: count - before }, async (_, k) => {
          const i = before + k;
          const n = Math.floor(i / PER_NETWORK);
          const network = networks[n]!;
          const c = await container(image)
            .named(`${run.id}-n${i + 1}`)
            .withLabels(run.labels({ 'oneclick.role': 'scale' }))
            .withNetwork(network)
            .withEnv({ RAD_ALIAS: `n${i + 1}` })
            .start();
          nodes.push(c);
          return waitApi(await c.ipOn(network), deadline);
        }),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const times = settled.map((r) => (r as PromiseFulfilledResult<number>).value);
      await sleep(5_000); // let start-up settle: idle is what is measured
      const usage = await measureUsage(
        nodes.map((c) => c.id),
        10_000,
      );
      const per = perContainer(usage);
      const fds = await dockerdFds();
      console.log(
        `${String(count).padStart(5)}  ${`${(percentile(times, 95) / 1000).toFixed(1)} s`.padStart(9)}  ` +
          `${`${per.memoryMiB} MiB`.padStart(8)}  ${`${per.cpuMillicores} m`.padStart(13)}  ` +
          `${`${Math.round(usage.hostBusy * 100)} %`.padStart(9)}  ${gib(usage.hostMemoryBytes).padStart(9)}  ${String(fds ?? '?').padStart(11)}  ${await threadCount()}`,
      );
      // The nodes' own CPU, not the host's: the machine is shared, and others' work is not theirs.
      if (usage.cpuCores >= 0.5 * usage.hostCores) {
        failure = {
          count,
          resource: 'CPU (idle nodes alone take half the cores)',
          message: `idle nodes use ${usage.cpuCores.toFixed(2)} of ${usage.hostCores} cores`,
        };
        break;
      }
      held = { count, usage };
      const full = await nearlyFull();
      if (full) {
        failure = { count: count + step, resource: full, message: 'stopped before the next step' };
        break;
      }
    } catch (error) {
      const message = (error as Error).message;
      failure = { count, resource: resourceOf(message), message };
      break;
    }
  }
} finally {
  console.log(`removing ${nodes.length} containers and ${networks.length} networks`);
  await run.dispose().catch((error: Error) => console.error(`cleanup: ${error.message}`));
}
if (held) {
  const per = perContainer(held.usage);
  console.log(
    `ceiling: ${held.count} idle org-nodes held (${per.memoryMiB} MiB and ${per.cpuMillicores} millicores each; ` +
      `host ${Math.round(held.usage.hostBusy * 100)} % busy of ${held.usage.hostCores} cores, ${gib(held.usage.hostMemoryBytes)} in use)`,
  );
} else console.log('ceiling: not even the first step held');
console.log(
  failure
    ? `first failure at ${failure.count}: ${failure.resource} (${failure.message.split('\n')[0]})`
    : `no failure up to ${max}: raise max`,
);
