/**
 * `oneclick load`: boots a world with NATed LANs, starts a provider, funds N orgs in a burst, places
 * M outside peers across the LANs, and measures per iteration peering, replication and HTTP (plus
 * provisioning under the burst, and the baselines: bare `docker run` to ready, direct peer↔peer
 * replication). Seeded; bounded by count and time; everything it makes carries the run label and is
 * removed at the end, also on Ctrl-C.
 */
import { anchorIdOf } from '../chain/anchors.js';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Address } from 'viem';
import { ROLE } from '../chain/accounts.js';
import { anchor, confirm } from '../chain/actions.js';
import { testClientFor, walletClientFor } from '../chain/clients.js';
import { mine } from '../chain/mining.js';
import { container, type StartedContainer } from '../docker/container.js';
import { createNetwork } from '../docker/network.js';
import { startRun, type Run } from '../docker/run.js';
import { injectLatency, injectLoss } from '../faults/index.js';
import { ensureImage } from '../images/index.js';
import type { NatPreset } from '../net/router.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../net/subnets.js';
import type { Host, LanSpec } from '../net/topology.js';
import {
  commit,
  connect,
  createRepo,
  fetch as radFetch,
  orgNodeEnv,
  push,
  refs,
  seed as radSeed,
  waitReady,
  type LocalRepo,
} from '../peers/index.js';
import { bootWorld, redactor, startProvider, type ProviderHandle } from '../provider/index.js';
import { LatencyHistogram, mulberry32, shuffled } from './histogram.js';
import { httpLoad } from './http.js';
import { findK6, k6AbsentMessage, runK6 } from './k6.js';
import { createOrgs, topUpBurst } from './orgs.js';
import {
  dialAddress,
  disconnect,
  fqdnOf,
  labelOf,
  lookup,
  nodeInfo,
  publishedOf,
  repoHead,
  timedDial,
  type Published,
} from '../outside/index.js';
import { poll } from './poll.js';
import { REPORT_VERSION, verdicts, writeReports, type LoadReport, type WrittenReport } from './report.js';
import { BASELINES, evaluate, type Threshold } from './thresholds.js';

export interface LoadOptions {
  providerDir: string;
  orgs: number;
  peers: number;
  /** Presets the LANs cycle through. */
  nat: NatPreset[];
  /** LAN count; default min(peers, max(2, ceil(peers / 2)), 12). */
  lans?: number;
  /** Added on every LAN router's internet link, each way. */
  latencyMs?: number;
  /** Packet loss on every LAN router's internet link, 0..1. */
  loss?: number;
  /** Iterations (default 3 unless durationSeconds is given). */
  iterations?: number;
  /** Iterate until this long has passed since the first iteration began (at least one). */
  durationSeconds?: number;
  seed: number;
  outDir: string;
  thresholds: Threshold[];
  /** Seconds of HTTP load per endpoint per iteration. */
  httpSeconds: number;
  httpConnections: number;
  k6: boolean;
  /** The whole run's bound (boot included). */
  maxMinutes: number;
  /** The command as typed, for the report. */
  command: string;
  onProgress: (line: string) => void;
}

export interface LoadOutcome {
  report: LoadReport;
  files: WrittenReport;
}

/** Timeouts of single operations. */
const DIAL_TIMEOUT_MS = 20_000;
const REPLICATION_TIMEOUT_MS = 60_000;

export const METRIC_DESCRIPTIONS: Record<string, string> = {
  peering: 'dial nid@<label>.<zone>:<SRV port> from a peer behind NAT → radicle session established',
  dns: 'SRV + TXT of an org asked of the topology DNS server',
  push_to_orgnode: "git push rad by a peer → the new head in the org-node's API (through the edge)",
  replication:
    'git push rad by a peer → the new ref in the storage of a peer in another LAN (via the org-node)',
  provisioning:
    'top-up block mined (burst of N in one block) → A/SRV/TXT published and /api/v1/node answers with that NID',
  http_node: 'GET /api/v1/node through the edge (Host routed), autocannon from the host',
  http_repos: 'GET /api/v1/repos through the edge (Host routed), autocannon from the host',
  k6_http: "k6's http_req_duration over /api/v1/node and /api/v1/repos (from its summary export)",
  baseline_replication:
    'git push rad by a peer → the new ref at a peer in another LAN it is directly connected to (port forward; no provider)',
  baseline_provisioning: 'bare docker run of the org-node image (N at once) → its /api/v1/node answers',
};

export async function runLoad(o: LoadOptions): Promise<LoadOutcome> {
  const startedAt = new Date();
  const deadline = performance.now() + o.maxMinutes * 60_000;
  const remaining = () => deadline - performance.now();
  const checkTime = (what: string) => {
    if (remaining() <= 0) throw new Error(`the run's time bound (${o.maxMinutes} min) was reached ${what}`);
  };
  const rng = mulberry32(o.seed);
  const h = Object.fromEntries(
    Object.keys(METRIC_DESCRIPTIONS).map((name, i) => [name, new LatencyHistogram(o.seed + i)]),
  ) as Record<string, LatencyHistogram>;
  let t0 = performance.now();
  const now = () => performance.now() - t0;
  const notes: string[] = [];
  const progress = (line: string) => o.onProgress(`[load] ${line}`);
  const report: LoadReport = {
    version: REPORT_VERSION,
    runId: '',
    seed: o.seed,
    startedAt: startedAt.toISOString(),
    endedAt: '',
    durationMs: 0,
    command: o.command,
    options: {
      provider: o.providerDir,
      orgs: o.orgs,
      peers: o.peers,
      nat: o.nat,
      latencyMs: o.latencyMs ?? 0,
      loss: o.loss ?? 0,
      iterations: o.iterations ?? null,
      durationSeconds: o.durationSeconds ?? null,
      httpSeconds: o.httpSeconds,
      httpConnections: o.httpConnections,
      k6: o.k6,
      maxMinutes: o.maxMinutes,
    },
    provider: null,
    topology: { lans: [], peers: [] },
    orgs: [],
    metrics: {},
    ratios: {},
    samples: {},
    thresholds: [],
    passed: false,
    k6: { status: 'not-requested', message: 'run with --k6 to add k6 (a k6 binary on PATH)' },
    notes,
  };

  const run = startRun('load');
  report.runId = run.id;
  let redact = (s: string) => s;
  try {
    // ---- the world: LANs behind NAT routers, Anvil + contracts, DNS --------------------------------
    const lanCount = o.lans ?? Math.min(o.peers, Math.max(2, Math.ceil(o.peers / 2)), 12);
    const lanSpecs: LanSpec[] = Array.from({ length: Math.max(1, lanCount) }, (_, i) => ({
      name: `lan${i + 1}`,
      nat: o.nat[i % o.nat.length]!,
    }));
    report.topology.lans = lanSpecs.map((l) => ({ name: l.name!, nat: l.nat! }));
    progress(
      `booting a world: chain (seed ${o.seed}), DNS, ${lanSpecs.length} LANs (${lanSpecs.map((l) => l.nat).join(', ')})`,
    );
    await ensureImage('edge', { onProgress: () => undefined });
    const booted = await bootWorld(run, {
      topology: { cluster: false, lans: lanSpecs },
      chain: { seed: o.seed },
      confirmations: 1,
      graceBlocks: 5,
    });
    const { world, topology, chain } = booted;
    redact = redactor(world);
    const test = testClientFor(chain);
    const owner = walletClientFor(chain, ROLE.orgOwner);
    const payer = walletClientFor(chain, ROLE.user);
    const dns = world.dns.server;
    const zone = world.dns.zone;
    checkTime('while booting');

    // ---- baseline: bare docker run of the org-node image to ready, N at once -------------------------
    progress(`baseline: ${o.orgs} bare org-node containers at once (docker run → /api/v1/node)`);
    await bareProvisioning(run, world.orgNodeImage, o.orgs, h.baseline_provisioning!, now, remaining);
    checkTime('after the provisioning baseline');

    // ---- the provider and the peers, side by side -----------------------------------------------------
    progress(`starting the provider in ${o.providerDir} and ${o.peers} peers`);
    const order = shuffled(
      Array.from({ length: o.peers }, (_, i) => i),
      rng,
    );
    const placement = order.map((peerIndex, k) => ({ peerIndex, lan: lanSpecs[k % lanSpecs.length]!.name! }));
    placement.sort((a, b) => a.peerIndex - b.peerIndex);
    report.topology.peers = placement.map((p) => ({ name: `peer${p.peerIndex + 1}`, lan: p.lan }));
    const [provider, peers] = await Promise.all([
      startProvider(run, {
        dir: o.providerDir,
        world,
        env: { DEPLOYER_POLL_MS: '200', DEPLOYER_START_BLOCK: String(booted.deployment.deployedAtBlock) },
        onProgress: (line) => progress(redact(line)),
      }),
      startPeers(topology, world.orgNodeImage, placement, o.seed),
    ]);
    report.provider = {
      name: provider.manifest.name,
      version: provider.manifest.version,
      image: provider.image.tag,
    };
    checkTime('while starting the provider');

    // ---- latency / loss on the LAN routers' internet links -------------------------------------------
    for (const lan of topology.lans) {
      const link = { network: world.publicNetwork };
      if (o.latencyMs) {
        const f = await injectLatency(lan.router.container, { delayMs: o.latencyMs, link });
        notes.push(f.description);
      }
      if (o.loss) {
        const f = await injectLoss(lan.router.container, { probability: o.loss, link });
        notes.push(f.description);
      }
    }

    // ---- orgs, then the burst of top-ups → provisioning latency ------------------------------------
    progress(`creating ${o.orgs} orgs through the factory`);
    const orgs = await createOrgs(test, owner, world.contracts.orgFactory, o.orgs);
    report.orgs = orgs;
    progress(`burst: ${o.orgs} top-ups in one block; waiting for records + HTTP of every org`);
    t0 = performance.now();
    const burst = await topUpBurst(test, payer, world.contracts.provider, orgs, world.confirmations);
    const published = await provisioned(orgs, burst.minedAt, dns, zone, h.provisioning!, now, remaining);
    progress(
      `provisioned ${published.size}/${orgs.length} orgs (block ${burst.block}); p50 ${fmt(h.provisioning!.percentile(50))}, max ${fmt(h.provisioning!.percentile(100))}`,
    );
    if (published.size === 0) throw new Error(`the provider published none of the ${orgs.length} orgs`);
    const live = orgs.filter((org) => published.has(org));

    // ---- replication pairs: writer and reader in different LANs --------------------------------------
    const pairs = await replicationSetup(peers, live, published, rng, { owner, test }, notes, progress);

    // ---- iterations -----------------------------------------------------------------------------------
    const iterations = o.durationSeconds !== undefined ? Infinity : (o.iterations ?? 3);
    const began = performance.now();
    for (let it = 1; it <= Math.min(iterations, 10_000); it++) {
      if (o.durationSeconds !== undefined && it > 1 && performance.now() - began >= o.durationSeconds * 1000)
        break;
      if (remaining() < 60_000) {
        notes.push(`stopped after ${it - 1} iterations: the time bound (${o.maxMinutes} min) was near`);
        break;
      }
      progress(`iteration ${it}: peering (${peers.length} peers dial at once)`);
      await peeringRound(peers, live, published, dns, zone, rng, h, now);
      if (pairs.provider.length + pairs.baseline.length > 0) {
        progress(
          `iteration ${it}: replication (${pairs.provider.length} via the provider, ${pairs.baseline.length} direct)`,
        );
        await replicationRound(pairs, published, h, now);
      }
      progress(`iteration ${it}: HTTP, ${o.httpSeconds} s per endpoint, ${o.httpConnections} connections`);
      const targets = live.map((org) => ({
        address: published.get(org)!.address,
        host: published.get(org)!.name,
      }));
      for (const [metric, path] of [
        ['http_node', '/api/v1/node'],
        ['http_repos', '/api/v1/repos'],
      ] as const) {
        const r = await httpLoad({
          targets,
          path,
          connections: o.httpConnections,
          durationSeconds: o.httpSeconds,
          histogram: h[metric]!,
          now,
        });
        const prev = h[metric]!.rps;
        h[metric]!.rps = prev === undefined ? r.rps : (prev * (it - 1) + r.rps) / it;
      }
      progress(
        `iteration ${it} done: peering p50 ${fmt(h.peering!.percentile(50))}, replication p50 ${fmt(h.replication!.percentile(50))}, ` +
          `http_node p50 ${fmt(h.http_node!.percentile(50))} (${Math.round(h.http_node!.rps ?? 0)} req/s)`,
      );
    }

    // ---- k6 ---------------------------------------------------------------------------------------------
    if (o.k6) {
      const binary = await findK6();
      if (!binary) {
        const message = k6AbsentMessage();
        report.k6 = { status: 'absent', message };
        progress(message);
      } else {
        progress(`k6: ${binary} run for ${o.httpSeconds * 2} s`);
        const summaryFile = join(o.outDir, 'k6-summary.json');
        try {
          const { mkdir } = await import('node:fs/promises');
          await mkdir(o.outDir, { recursive: true });
          const out = await runK6({
            binary,
            targets: live.map((org) => ({
              address: published.get(org)!.address,
              host: published.get(org)!.name,
            })),
            durationSeconds: o.httpSeconds * 2,
            vus: o.httpConnections,
            summaryFile,
            onLine: (line) => progress(`k6: ${line}`),
          });
          report.metrics.k6_http = { ...out.stats, description: METRIC_DESCRIPTIONS.k6_http! };
          report.k6 = {
            status: 'ran',
            message: `k6 exited ${out.exitCode}; its summary is folded in as k6_http`,
            binary,
            summaryFile,
          };
        } catch (error) {
          report.k6 = { status: 'failed', message: (error as Error).message, binary };
          notes.push(`k6 failed: ${(error as Error).message}`);
        }
      }
    }
    await stopQuietly(provider);
  } catch (error) {
    report.error = redact((error as Error).message);
    progress(`harness error: ${report.error}`);
  } finally {
    progress('removing everything this run created');
    // A failed cleanup must not lose the measurements: it is reported, and the report still written.
    await run.dispose().catch((error: Error) => {
      report.error = [report.error, `cleanup: ${redact(error.message)}`].filter(Boolean).join('; ');
      progress(`cleanup failed: ${error.message} (oneclick clean --run ${run.id} retries it)`);
    });
  }

  // ---- summary ----------------------------------------------------------------------------------------
  for (const [name, hist] of Object.entries(h)) {
    if (hist.count === 0 && hist.errors === 0) continue;
    report.metrics[name] = {
      ...hist.stats(),
      description: METRIC_DESCRIPTIONS[name] ?? name,
      histogram: hist.encoded(),
    };
    report.samples[name] = hist.samples();
  }
  for (const [metric, baseline] of Object.entries(BASELINES)) {
    const m = report.metrics[metric];
    const b = report.metrics[baseline];
    if (!m || !b || !m.count || !b.count) continue;
    report.ratios[metric] = {
      baseline,
      p50: b.p50 ? round2(m.p50 / b.p50) : null,
      p95: b.p95 ? round2(m.p95 / b.p95) : null,
    };
  }
  const results = evaluate(o.thresholds, report.metrics);
  report.thresholds = verdicts(results);
  report.passed = !report.error && results.every((r) => r.pass);
  const ended = new Date();
  report.endedAt = ended.toISOString();
  report.durationMs = ended.getTime() - startedAt.getTime();
  const files = await writeReports(o.outDir, report);
  return { report, files };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

async function stopQuietly(p: ProviderHandle): Promise<void> {
  await p.stop().catch(() => undefined);
}

interface Peer {
  host: Host;
  name: string;
  lan: string;
  nid: string;
  /** Orgs it keeps a persistent session with (replication): not dialled in peering rounds. */
  pinned: Set<Address>;
}

/** Peers in their LANs, deterministic identities from the seed, started side by side. */
async function startPeers(
  topology: Awaited<ReturnType<typeof bootWorld>>['topology'],
  image: string,
  placement: ReadonlyArray<{ peerIndex: number; lan: string }>,
  seed: number,
): Promise<Peer[]> {
  return Promise.all(
    placement.map(async ({ peerIndex, lan }) => {
      const name = `peer${peerIndex + 1}`;
      const keygenSeed = createHash('sha256').update(`oneclick-load:${seed}:${name}`).digest('hex');
      const host = await topology.addHost(lan, image, {
        name,
        configure: (b) => b.withEnv(orgNodeEnv({ alias: name, keygenSeed })),
      });
      const nid = await waitReady(host, 120_000);
      return { host, name, lan, nid, pinned: new Set<Address>() };
    }),
  );
}

/** Bare `docker run` of the org-node image, `n` at once on a /24 of its own: ms to /api/v1/node 200. */
async function bareProvisioning(
  run: Run,
  image: string,
  n: number,
  hist: LatencyHistogram,
  now: () => number,
  remaining: () => number,
): Promise<void> {
  const network = await createOnFreeSubnet('load-bare', SUBNET_POOLS.lan, async (subnet) => {
    return (await createNetwork({ name: `${run.id}-bare`, subnet, labels: run.labels() })).name;
  });
  const started: StartedContainer[] = [];
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const c = await container(image)
          .named(`${run.id}-bare${i + 1}`)
          .withLabels(run.labels({ 'oneclick.role': 'load-baseline' }))
          .withNetwork(network)
          .withEnv({ RAD_ALIAS: `bare${i + 1}` })
          .start();
        started.push(c);
        const ip = await c.ipOn(network);
        const ok = await poll(
          async () =>
            (await globalThis
              .fetch(`http://${ip}:8080/api/v1/node`, { signal: AbortSignal.timeout(2000) })
              .then((r) => r.status === 200)
              .catch(() => false))
              ? true
              : undefined,
          Math.min(300_000, remaining()),
        );
        if (ok) hist.record(performance.now() - t0, now());
        else hist.error();
      }),
    );
  } finally {
    await Promise.all(started.map((c) => c.remove().catch(() => undefined)));
    const { dockerEngine } = await import('../docker/engine.js');
    await dockerEngine()
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
  }
}

/** Per org: ms from the burst block to A/SRV/TXT published and /api/v1/node answering that NID. */
async function provisioned(
  orgs: readonly Address[],
  minedAt: number,
  dns: string,
  zone: string,
  hist: LatencyHistogram,
  now: () => number,
  remaining: () => number,
): Promise<Map<Address, Published>> {
  const timeoutMs = Math.min(remaining() - 60_000, 120_000 + orgs.length * 15_000);
  const found = new Map<Address, Published>();
  const pending = new Set(orgs);
  while (pending.size > 0 && performance.now() - minedAt < timeoutMs) {
    await Promise.all(
      [...pending].map(async (org) => {
        const name = fqdnOf(org, zone);
        const p = await lookup(dns, name).then(
          (records) => publishedOf(name, records),
          () => undefined,
        );
        if (!p) return;
        const { nid } = await nodeInfo(p.address, p.name);
        if (nid !== p.nid || !pending.delete(org)) return;
        found.set(org, p);
        hist.record(performance.now() - minedAt, now());
      }),
    );
    if (pending.size > 0) await sleep(200);
  }
  hist.error(pending.size);
  return found;
}

interface Pair {
  writer: Peer;
  reader: Peer;
  repo: LocalRepo;
  /** The org whose node carries it (provider pairs). */
  org?: Address;
  /** Direct pairs: the writer dials the reader through a port forward on the reader's router. */
  direct?: boolean;
}

interface Pairs {
  provider: Pair[];
  baseline: Pair[];
}

/**
 * Pairs of peers in different LANs: half carry a repository anchored on an org (writer and reader keep
 * a persistent session with its org-node), half replicate directly (the reader's router forwards a
 * port to it; the writer dials it), with no provider in between.
 */
async function replicationSetup(
  peers: Peer[],
  orgs: readonly Address[],
  published: Map<Address, Published>,
  rng: () => number,
  chain: { owner: ReturnType<typeof walletClientFor>; test: ReturnType<typeof testClientFor> },
  notes: string[],
  progress: (line: string) => void,
): Promise<Pairs> {
  const byLan = new Map<string, Peer[]>();
  for (const p of shuffled(peers, rng)) byLan.set(p.lan, [...(byLan.get(p.lan) ?? []), p]);
  if (byLan.size < 2) {
    notes.push('replication not measured: it needs peers in at least two LANs');
    return { provider: [], baseline: [] };
  }
  // Interleave LANs so that consecutive peers sit in different LANs.
  const queue: Peer[] = [];
  const lists = [...byLan.values()];
  while (lists.some((l) => l.length)) for (const l of lists) if (l.length) queue.push(l.shift()!);
  const raw: Array<[Peer, Peer]> = [];
  for (let i = 0; i + 1 < queue.length; i += 2) {
    if (queue[i]!.lan !== queue[i + 1]!.lan) raw.push([queue[i]!, queue[i + 1]!]);
  }
  const providerPairs = raw.filter((_, i) => i % 2 === 0);
  const baselinePairs = raw.filter((_, i) => i % 2 === 1);
  if (baselinePairs.length === 0) notes.push('baseline replication not measured: it needs at least 4 peers');
  progress(
    `replication set-up: ${providerPairs.length} pair(s) through org-nodes, ${baselinePairs.length} direct pair(s)`,
  );
  const provider = await Promise.all(
    providerPairs.map(async ([writer, reader], i) => {
      const org = orgs[i % orgs.length]!;
      const p = published.get(org)!;
      const dial = `${p.nid}@${p.name}:${p.port}`;
      writer.pinned.add(org);
      reader.pinned.add(org);
      await connect(writer.host, dial, { timeoutMs: DIAL_TIMEOUT_MS });
      const repo = await createRepo(writer.host, `load-${labelOf(org).slice(0, 8)}-${i + 1}`, {
        description: 'replicated through an org-node by oneclick load',
      });
      return { writer, reader, repo, org, dial };
    }),
  );
  // Anchors go out one by one from the org owner (its nonces), then the org-nodes seed them.
  for (const pair of provider) {
    await confirm(chain.test, await anchor(chain.owner, pair.org, anchorIdOf(pair.repo.rid), 0, '0x1220aa'));
  }
  if (provider.length) await mine(chain.test, 1); // the confirmation
  const ready = await Promise.all(
    provider.map(async (pair) => {
      const p = published.get(pair.org)!;
      // The org-node fetches an anchored repository from whoever announced it; announce it again now
      // and then (detached) until its API shows it, in case the first fetch came before the seed.
      let announced = 0;
      const seeded = await poll(
        async () => {
          if (performance.now() - announced > 4000) {
            announced = performance.now();
            void pair.writer.host
              .exec(['rad', 'sync', '--announce', pair.repo.rid, '--timeout', '3s'])
              .catch(() => undefined);
          }
          return (await repoHead(p.address, p.name, pair.repo.rid)) !== undefined ? true : undefined;
        },
        120_000,
        500,
      );
      if (!seeded) {
        notes.push(`${pair.repo.rid} anchored on ${pair.org} was not seeded by its org-node in 120 s`);
        return undefined;
      }
      await connect(pair.reader.host, pair.dial, { timeoutMs: DIAL_TIMEOUT_MS });
      await radSeed(pair.reader.host, pair.repo.rid);
      await radFetch(pair.reader.host, pair.repo.rid, p.nid, { timeoutMs: 30_000 });
      return { writer: pair.writer, reader: pair.reader, repo: pair.repo, org: pair.org } satisfies Pair;
    }),
  );
  const baseline = await Promise.all(
    baselinePairs.map(async ([writer, reader], i) => {
      const router = reader.host.lan!.router;
      const publicPort = 20_000 + i;
      await router.forwardPort({ publicPort, to: reader.host.address, port: 8776 });
      await connect(writer.host, `${reader.nid}@${router.publicAddress}:${publicPort}`, {
        timeoutMs: DIAL_TIMEOUT_MS,
      });
      const repo = await createRepo(writer.host, `direct-${i + 1}`, {
        description: 'replicated peer to peer by oneclick load (baseline)',
      });
      await radSeed(reader.host, repo.rid);
      await radFetch(reader.host, repo.rid, writer.nid, { timeoutMs: 30_000 });
      return { writer, reader, repo, direct: true } satisfies Pair;
    }),
  );
  return { provider: ready.filter((p): p is NonNullable<typeof p> => p !== undefined), baseline };
}

/** Every peer dials one org (seeded choice, never one it keeps a session with) at once; then hangs up. */
async function peeringRound(
  peers: readonly Peer[],
  orgs: readonly Address[],
  published: Map<Address, Published>,
  dns: string,
  zone: string,
  rng: () => number,
  h: Record<string, LatencyHistogram>,
  now: () => number,
): Promise<void> {
  const plan = shuffled(peers, rng).map((peer) => {
    const free = orgs.filter((org) => !peer.pinned.has(org));
    return { peer, org: free.length ? free[Math.floor(rng() * free.length)] : undefined };
  });
  await Promise.all(
    plan.map(async ({ peer, org }) => {
      if (!org) return;
      const d0 = performance.now();
      const address = await dialAddress(dns, fqdnOf(org, zone)).catch(() => undefined);
      if (!address) {
        h.dns!.error();
        return;
      }
      h.dns!.record(performance.now() - d0, now());
      const dial = await timedDial(peer.host, address, DIAL_TIMEOUT_MS).catch((e: Error) => ({
        ok: false,
        ms: 0,
        answer: e.message,
      }));
      if (dial.ok) h.peering!.record(dial.ms, now());
      else h.peering!.error();
    }),
  );
  // Hang up, so the next round measures a fresh dial through the NAT and the edge.
  await Promise.all(
    plan.map(async ({ peer, org }) => {
      if (org) await disconnect(peer.host, published.get(org)!.nid).catch(() => undefined);
    }),
  );
  await sleep(500);
}

/** One push per pair, all pairs at once: push → org-node (provider pairs) → reader's storage. */
async function replicationRound(
  pairs: Pairs,
  published: Map<Address, Published>,
  h: Record<string, LatencyHistogram>,
  now: () => number,
): Promise<void> {
  const one = async (pair: Pair, hist: LatencyHistogram) => {
    const head = await commit(
      pair.writer.host,
      pair.repo,
      { 'load.txt': `${Date.now()} ${Math.random()}\n` },
      'load: one more commit',
    );
    const ref = `refs/namespaces/${pair.writer.nid}/refs/heads/main`;
    const p0 = performance.now();
    const pushed = push(pair.writer.host, pair.repo);
    const atOrgNode =
      pair.org !== undefined
        ? poll(async () => {
            const p = published.get(pair.org!)!;
            const seen = await repoHead(p.address, p.name, pair.repo.rid);
            return seen === head ? performance.now() - p0 : undefined;
          }, REPLICATION_TIMEOUT_MS)
        : Promise.resolve(undefined);
    await pushed;
    const atReader = await poll(
      async () =>
        (await refs(pair.reader.host, pair.repo.rid))[ref] === head ? performance.now() - p0 : undefined,
      REPLICATION_TIMEOUT_MS,
    );
    const hop = await atOrgNode;
    if (pair.org !== undefined) {
      if (hop !== undefined) h.push_to_orgnode!.record(hop, now());
      else h.push_to_orgnode!.error();
    }
    if (atReader !== undefined) hist.record(atReader, now());
    else hist.error();
  };
  await Promise.all([
    ...pairs.provider.map((p) => one(p, h.replication!).catch(() => h.replication!.error())),
    ...pairs.baseline.map((p) =>
      one(p, h.baseline_replication!).catch(() => h.baseline_replication!.error()),
    ),
  ]);
}
