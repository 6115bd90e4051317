/**
 * What a set of containers and the host use, read from /proc and the containers' cgroup files: no
 * `docker stats` (a stream per container) and no exec, so measuring 500 org-nodes costs file reads.
 * cgroup v1 (`memory/docker/<id>`, `cpuacct/docker/<id>`) and v2 (`system.slice/docker-<id>.scope`).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerEngine } from '../docker/engine.js';
import { RUN_LABEL } from '../docker/labels.js';
import { ORG_LABEL } from '../outside/index.js';
import type { Meter } from './meter.js';
import type { ResourceReport } from './report.js';

const CGROUP = '/sys/fs/cgroup';

export interface Usage {
  /** Containers that could be read (their cgroup files exist on this host). */
  containers: number;
  /** Their resident memory (anonymous + kernel stacks; page cache excluded), summed. */
  memoryBytes: number;
  /** Their CPU over the window, in cores (1 = one core busy), summed. */
  cpuCores: number;
  /** The host's CPU over the window, busy share of all cores (0..1), and its core count. */
  hostBusy: number;
  hostCores: number;
  /** The host's memory in use (MemTotal − MemAvailable). */
  hostMemoryBytes: number;
  windowMs: number;
}

const read = (path: string) => readFile(path, 'utf8').catch(() => undefined);

const field = (text: string | undefined, name: string): number | undefined => {
  const m = text && new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

/** Resident memory of one container, or undefined when its cgroup is not readable here. */
async function memoryOf(id: string): Promise<number | undefined> {
  const v1 = field(await read(`${CGROUP}/memory/docker/${id}/memory.stat`), 'total_rss');
  if (v1 !== undefined) return v1;
  return field(await read(`${CGROUP}/system.slice/docker-${id}.scope/memory.stat`), 'anon');
}

/** CPU time of one container so far, in ns. */
async function cpuNsOf(id: string): Promise<number | undefined> {
  const v1 = await read(`${CGROUP}/cpuacct/docker/${id}/cpuacct.usage`);
  if (v1 !== undefined) return Number(v1.trim());
  const usec = field(await read(`${CGROUP}/system.slice/docker-${id}.scope/cpu.stat`), 'usage_usec');
  return usec === undefined ? undefined : usec * 1000;
}

/** [busy, total] jiffies of the host, and its core count. */
async function hostCpu(): Promise<{ busy: number; total: number; cores: number }> {
  const text = (await read('/proc/stat')) ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (
    /^cpu\s+(.*)$/m.exec(text)?.[1] ?? ''
  )
    .split(/\s+/)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, cores: (text.match(/^cpu\d+ /gm) ?? []).length || 1 };
}

async function hostMemory(): Promise<number> {
  const text = (await read('/proc/meminfo')) ?? '';
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return (kb('MemTotal') - kb('MemAvailable')) * 1024;
}

/** Reads `ids` (full container ids) and the host twice, `windowMs` apart. */
export async function measureUsage(ids: readonly string[], windowMs = 5_000): Promise<Usage> {
  const cpu0 = await Promise.all(ids.map(cpuNsOf));
  const host0 = await hostCpu();
  const t0 = performance.now();
  await sleep(windowMs);
  const cpu1 = await Promise.all(ids.map(cpuNsOf));
  const host1 = await hostCpu();
  const elapsedNs = (performance.now() - t0) * 1e6;
  const memory = await Promise.all(ids.map(memoryOf));
  let cpuNs = 0;
  let containers = 0;
  ids.forEach((_, i) => {
    const [a, b] = [cpu0[i], cpu1[i]];
    if (a === undefined || b === undefined) return;
    containers++;
    cpuNs += b - a;
  });
  const total = host1.total - host0.total;
  return {
    containers,
    memoryBytes: memory.reduce<number>((sum, m) => sum + (m ?? 0), 0),
    cpuCores: elapsedNs > 0 ? cpuNs / elapsedNs : 0,
    hostBusy: total > 0 ? (host1.busy - host0.busy) / total : 0,
    hostCores: host1.cores,
    hostMemoryBytes: await hostMemory(),
    windowMs,
  };
}

/** Per container: MiB and millicores (what README's limits section and bench/scale.ts quote). */
export function perContainer(u: Usage): { memoryMiB: number; cpuMillicores: number } {
  const n = Math.max(1, u.containers);
  return {
    memoryMiB: Math.round((u.memoryBytes / n / 2 ** 20) * 10) / 10,
    cpuMillicores: Math.round((u.cpuCores / n) * 1000 * 10) / 10,
  };
}

/**
 * The run's org-nodes (containers carrying SPEC.md §4's org label) right after the burst was served,
 * before any iteration: their memory and idle CPU, per org and summed, and the host's.
 */
export async function idleUsage(
  runId: string,
  m: Pick<Meter, 'progress' | 'notes'>,
): Promise<ResourceReport> {
  const nodes = await dockerEngine().listContainers({
    filters: { label: [`${RUN_LABEL}=${runId}`, ORG_LABEL] },
  });
  const usage = await measureUsage(
    nodes.map((n) => n.Id),
    5_000,
  );
  const perOrg = perContainer(usage);
  const line =
    `idle org-nodes: ${usage.containers} use ${(usage.memoryBytes / 2 ** 30).toFixed(2)} GiB and ${usage.cpuCores.toFixed(2)} cores ` +
    `(${perOrg.memoryMiB} MiB, ${perOrg.cpuMillicores} millicores each); host ${Math.round(usage.hostBusy * 100)}% busy of ${usage.hostCores} cores, ` +
    `${(usage.hostMemoryBytes / 2 ** 30).toFixed(1)} GiB in use`;
  m.progress(line);
  m.notes.push(line);
  return { ...usage, perOrg };
}
