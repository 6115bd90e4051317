/**
 * Provisioning latency of the reference provider (fixtures/providers/reference, started as a provider
 * package in a booted world) next to bare `docker run` of the same org-node image, and memory per org.
 *
 *   npx tsx bench/provision.ts [orgs=50]
 *
 * 1. `orgs` top-ups in ONE block (manual mining); for each org, the time from that block being mined
 *    to it being served as SPEC.md §4 has it: A, PTR, SRV and TXT resolvable (asked from the host
 *    over UDP: the TXT alone until it is there, the browse PTR, which lists every org, shared by all
 *    orgs' polls), and in the same attempt `GET /api/v1/node` by Host `<label>.<zone>` through the A
 *    answering the TXT's NID and a radicle handshake with that NID at the A's address and the SRV's
 *    port (the SRV's target is the name itself) from a peer on `internet` (one dialer per 5 orgs,
 *    over its control listener, no exec), side by side; each part counted when it answered.
 *    Each org is polled in its own loop. Then where the provider's time went, per phase (from its
 *    own log lines): wanted by a pass, container started, node answering, records published, against
 *    the same block; and how long after "published" the bench saw each part.
 * 2. After the provider and its org-nodes are gone: the same number of bare org-node containers
 *    started at once (`docker create` + `start`, on a /24 bridge of their own): the time to their own
 *    `/api/v1/node` answering 200.
 * 3. `docker stats` (usage − inactive file) summed over the run's org-node containers, divided by
 *    `orgs`; the provider and its edge shown apart.
 * Prints p50/p95/max of both and their ratio, and what the observation itself cost (polls, queries,
 * handshakes, the harness's CPU). Everything carries the run label and is removed at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Address } from 'viem';
import { container, type StartedContainer } from '../harness/docker/container.js';
import { dockerEngine } from '../harness/docker/engine.js';
import { createNetwork } from '../harness/docker/network.js';
import { RUN_LABEL } from '../harness/docker/labels.js';
import { startRun } from '../harness/docker/run.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../harness/net/subnets.js';
import { browseRecords, freshHandshake, txtRecords } from '../harness/outside/index.js';
import { orgNodeEnv, waitReady } from '../harness/peers/index.js';
import {
  labelOf,
  lookup,
  nodeOverHttp,
  orgNodes,
  orgs as orgAddresses,
  payInOneBlock,
  startReference,
  type ReferenceWorld,
} from '../test/provider/reference-fixture.js';
import { percentile, summarize } from './stats.js';

const count = Number(process.argv[2] ?? 50);
const TIMEOUT_MS = 15 * 60_000;

interface Cost {
  polls: number;
  dnsQueries: number;
  httpRequests: number;
  dials: number;
  cpuMs: number;
}

/**
 * Orgs per dialer node. radicle answers a dial on its control socket once the handshake is done, and
 * one node handshaking with dozens of nodes on a loaded machine took 5-20 s a dial (8 at a time):
 * the bench then measured its own queue, not the provider. At 10 a dialer, each of its control
 * commands (sessions, connect) still took up to 3-5 s in the burst (its reactor does them all).
 */
const ORGS_PER_DIALER = 5;
/** Long enough for a handshake on a loaded machine: a dial that times out costs the org a retry. */
const DIAL_TIMEOUT_MS = 15_000;
/** Between two attempts of one org. */
const POLL_MS = 200;

/** When the bench first saw each part of an org's service (ms after the block); `served` when all held at once. */
interface Seen {
  records?: number;
  http?: number;
  handshake?: number;
  served: number;
}

/**
 * The browse PTR lists every org: one answer shared by the polls of all orgs (asked per org, the
 * answer, too big for UDP past a few dozen orgs, went over TCP 250 times a second at 50 orgs). An
 * answer is reused only when it was asked no earlier than `notBefore`: an org that has just seen its
 * TXT gets a PTR answer no older than that, and the deployer sends all of an org's records in one
 * update.
 */
function sharedBrowse(server: string, zone: string, cost: Cost) {
  let at = -Infinity;
  let answer: Promise<string[]> = Promise.resolve([]);
  return (notBefore: number): Promise<string[]> => {
    if (at < notBefore) {
      at = performance.now();
      cost.dnsQueries++;
      answer = browseRecords(server, zone);
      answer.catch(() => undefined);
    }
    return answer;
  };
}

/**
 * Per org, its own loop (no org waits for another's dial), every `POLL_MS`: its TXT (one query while
 * nothing is published); once it names a NID, all of its records (A, PTR, SRV, TXT), and when they
 * stand, HTTP by Host and a p2p handshake from its dialer side by side. Served when both answered
 * with the TXT's NID in the same attempt.
 */
async function provisioned(
  w: ReferenceWorld,
  dialers: readonly StartedContainer[],
  list: readonly Address[],
  t0: number,
  cost: Cost,
): Promise<Seen[]> {
  const { zone, address: server } = w.booted.topology.dns;
  const browse = sharedBrowse(server, zone, cost);
  const cpu0 = process.cpuUsage();
  const since = () => performance.now() - t0;
  const done = await Promise.all(
    list.map(async (org, i): Promise<Seen> => {
      const dialer = dialers[i % dialers.length]!;
      const fqdn = `${labelOf(org)}.${zone}`;
      const seen: Partial<Seen> = {};
      for (;;) {
        if (since() > TIMEOUT_MS) throw new Error(`${labelOf(org)} not provisioned in time`);
        cost.polls++;
        cost.dnsQueries++;
        const asked = performance.now();
        const txt = await txtRecords(server, fqdn).catch(() => []);
        cost.dnsQueries += txt.some((t) => t.nid) ? 3 : 0;
        const p = txt.some((t) => t.nid)
          ? await lookup(w, org, browse(asked)).catch(() => undefined)
          : undefined;
        if (p) {
          seen.records ??= since();
          cost.httpRequests++;
          cost.dials++;
          // Each part timed when it answered: the dialer's ending of the session afterwards
          // (sessions + disconnect, seconds on a loaded peer) is cleanup, not service.
          const [http, h] = await Promise.all([
            nodeOverHttp(w, org, p.address)
              .catch(() => undefined)
              .then((nid) => (nid === p.nid ? since() : undefined)),
            freshHandshake(dialer, p.nid, p.address, p.port, DIAL_TIMEOUT_MS),
          ]);
          const handshake = h.ok && h.answeredAt !== undefined ? h.answeredAt - t0 : undefined;
          seen.http ??= http;
          seen.handshake ??= handshake;
          if (http !== undefined && handshake !== undefined)
            return { ...seen, served: Math.max(http, handshake) };
        }
        await sleep(POLL_MS);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  cost.cpuMs = (cpu.user + cpu.system) / 1000;
  return done;
}

type Line = Record<string, unknown>;

/** The first line of `msg` per org: org → ms after `t0Wall`. */
function firstPerOrg(lines: readonly Line[], msg: string, t0Wall: number): Map<string, number> {
  const seen = new Map<string, number>();
  for (const l of lines) {
    if (l.msg !== msg || typeof l.org !== 'string' || seen.has(l.org.toLowerCase())) continue;
    seen.set(l.org.toLowerCase(), Date.parse(l.time as string) - t0Wall);
  }
  return seen;
}

const sec = (n: number) => `${(n / 1000).toFixed(1)} s`;
const spread = (t: readonly number[]) =>
  t.length
    ? `p50 ${sec(percentile(t, 50))}, p95 ${sec(percentile(t, 95))}, max ${sec(Math.max(...t))} (n=${t.length})`
    : '(no lines)';

/** Where the provider's time went, per org, from its own log lines. */
async function phases(w: ReferenceWorld, t0Wall: number, seen: ReadonlyMap<string, Seen>): Promise<string[]> {
  const lines = (await w.provider.logs(20 * count + 500))
    .split('\n')
    .flatMap((l): Line[] => {
      try {
        return [JSON.parse(l.slice(l.indexOf('{'))) as Line];
      } catch {
        return [];
      }
    })
    .filter((l) => typeof l.time === 'string' && Date.parse(l.time as string) >= t0Wall - 5_000);
  const wanted = lines.find((l) => l.msg === 'orgs wanted');
  const wantedAt = wanted ? Date.parse(wanted.time as string) - t0Wall : 0;
  const started = firstPerOrg(lines, 'org-node started', t0Wall);
  const answering = firstPerOrg(lines, 'org-node answering', t0Wall);
  const published = firstPerOrg(lines, 'org published', t0Wall);
  const between = (from: Map<string, number> | number, to: Map<string, number>) =>
    [...to].flatMap(([org, t]) => {
      const f = typeof from === 'number' ? from : from.get(org);
      return f === undefined ? [] : [t - f];
    });
  const applies = lines.filter((l) => l.msg === 'edge updated');
  const applyMs = applies.flatMap((l) => (typeof l.ms === 'number' ? [l.ms] : []));
  const observed = (part: 'records' | 'http' | 'handshake' | 'served') =>
    new Map([...seen].flatMap(([org, s]) => (s[part] === undefined ? [] : [[org, s[part]] as const])));
  return [
    `where the provider spent it (its log lines; the confirmation block at 0):`,
    `  block -> wanted by a pass:           ${sec(wantedAt)}`,
    `  wanted -> container started:         ${spread(between(wantedAt, started))}`,
    `  started -> node answering:           ${spread(between(started, answering))}`,
    `  answering -> published (edge + DNS): ${spread(between(answering, published))}`,
    `  block -> published:                  ${spread([...published.values()])}`,
    `  edge applies: ${applies.length}, each ${spread(applyMs)}`,
    `what the bench saw after the provider's "org published" (its own polls, every ${POLL_MS} ms):`,
    `  published -> records resolve:        ${spread(between(published, observed('records')))}`,
    `  published -> HTTP by Host with NID:  ${spread(between(published, observed('http')))}`,
    `  published -> handshake:              ${spread(between(published, observed('handshake')))}`,
    `  published -> served (all at once):   ${spread(between(published, observed('served')))}`,
  ];
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
  // A few at a time: dozens of removals at once have deadlocked dockerd 20.10 here (libnetwork).
  await pLimit(4).map(started, (c) => c.remove());
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
  const dialers = await Promise.all(
    Array.from({ length: Math.ceil(count / ORGS_PER_DIALER) }, async (_, i) => {
      const dialer = await w.booted.topology.addPublicHost(w.booted.world.orgNodeImage, {
        name: `dialer${i + 1}`,
        configure: (b) =>
          void b.withEnv(
            orgNodeEnv({
              alias: `dialer${i + 1}`,
              configPatch: { node: { limits: { connection: { outbound: 4 * ORGS_PER_DIALER } } } },
            }),
          ),
      });
      await waitReady(dialer);
      return dialer;
    }),
  );
  const list = orgAddresses(count);
  const block = await payInOneBlock(w, list);
  const t0 = performance.now();
  const t0Wall = Date.now();
  const cost: Cost = { polls: 0, dnsQueries: 0, httpRequests: 0, dials: 0, cpuMs: 0 };
  const seen = await provisioned(w, dialers, list, t0, cost);
  const provision = summarize(seen.map((s) => s.served));
  console.log(
    `top-ups mined in block ${block}; all ${count} served after ${(provision.max / 1000).toFixed(1)} s`,
  );
  const seenByOrg = new Map(list.map((org, i) => [org.toLowerCase(), seen[i]!]));
  for (const line of await phases(w, t0Wall, seenByOrg)) console.log(line);
  console.log(
    `observation: ${cost.polls} org polls, ${cost.dnsQueries} DNS queries, ${cost.httpRequests} HTTP requests, ` +
      `${cost.dials} handshakes from ${dialers.length} dialers (over their control listeners, no exec); ` +
      `harness CPU ${Math.round(cost.cpuMs)} ms (${(cost.cpuMs / Math.max(1, cost.polls)).toFixed(2)} ms per org poll)`,
  );

  const runFilter = `${RUN_LABEL}=${run.id}`;
  await sleep(10_000); // let them settle before measuring memory
  const nodes = await memoryMiB({ label: [runFilter, 'oneclick.role=org-node'] });
  const edge = await memoryMiB({ label: [runFilter, 'oneclick.role=edge'] });
  const provider = await memoryMiB({ label: [runFilter, 'oneclick.role=provider'] });

  console.log(
    `\nreference provider: top-up block -> served (A+PTR+SRV+TXT, HTTP by Host, handshake): ${fmt(provision)}`,
  );
  console.log(
    `memory: org-nodes ${nodes.mib.toFixed(0)} MiB over ${nodes.count} = ${(nodes.mib / count).toFixed(1)} MiB per org; ` +
      `edge ${edge.mib.toFixed(1)} MiB, provider ${provider.mib.toFixed(1)} MiB ` +
      `(all in: ${((nodes.mib + edge.mib + provider.mib) / count).toFixed(1)} MiB per org)`,
  );
  await w.provider.stop();
  await Promise.all(dialers.map((d) => d.remove()));
  const docker = dockerEngine();
  await pLimit(4).map(await orgNodes(run.id), (c) => docker.getContainer(c.Id).remove({ force: true }));

  // A /24 of its own: the internet network is a /26, too small for 50 more containers.
  const network = await createOnFreeSubnet('bench', SUBNET_POOLS.lan, async (subnet) => {
    return (await createNetwork({ name: `${run.id}-bare`, subnet, labels: run.labels() })).name;
  });
  const baseline = summarize(await bare(run, w.booted.world.orgNodeImage, network, count));
  console.log(
    `bare docker run (${count} at once) -> /api/v1/node:                              ${fmt(baseline)}`,
  );
  console.log(
    `ratio (provider / bare): p50 ${(provision.p50 / baseline.p50).toFixed(2)}x, p95 ${(provision.p95 / baseline.p95).toFixed(2)}x`,
  );
} finally {
  await run.dispose();
}
