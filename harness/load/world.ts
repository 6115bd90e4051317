/**
 * The world of a load run: LANs behind NAT routers (presets cycled), the chain, DNS, then — after the
 * provisioning baseline on the bare ground — the provider and the peers placed across the LANs, and
 * latency / loss on the routers' internet links.
 */
import { createHash } from 'node:crypto';
import type { Address } from 'viem';
import type { Run } from '../docker/run.js';
import { injectLatency, injectLoss } from '../faults/index.js';
import { ensureImage } from '../images/index.js';
import type { Host, LanSpec } from '../net/topology.js';
import { redactor } from '../provider/world.js';
import { bootWorld, populate, type World } from '../world/index.js';
import { bareProvisioning } from './baseline.js';
import { shuffled } from './histogram.js';
import type { Meter } from './meter.js';
import type { LoadOptions } from './options.js';
import type { LoadReport } from './report.js';

export interface Peer {
  host: Host;
  name: string;
  lan: string;
  nid: string;
  /** Orgs it keeps a persistent session with (replication): not dialled in peering rounds. */
  pinned: Set<Address>;
}

export interface LoadWorld {
  world: World;
  peers: Peer[];
}

/** LAN count: min(peers, max(2, ceil(peers / 2)), 12) unless given; presets cycled. */
export function lansOf(o: Pick<LoadOptions, 'lans' | 'peers' | 'nat'>): LanSpec[] {
  const count = o.lans ?? Math.min(o.peers, Math.max(2, Math.ceil(o.peers / 2)), 12);
  return Array.from({ length: Math.max(1, count) }, (_, i) => ({
    name: `lan${i + 1}`,
    nat: o.nat[i % o.nat.length]!,
  }));
}

/** Peers dealt over the LANs in a seeded order; by peer index. */
function placementOf(peers: number, lans: readonly LanSpec[], rng: () => number) {
  const order = shuffled(
    Array.from({ length: peers }, (_, i) => i),
    rng,
  );
  const placement = order.map((peerIndex, k) => ({ peerIndex, lan: lans[k % lans.length]!.name! }));
  return placement.sort((a, b) => a.peerIndex - b.peerIndex);
}

/** Boots it all; fills the report's topology and provider; hands over the redactor once the world is booted. */
export async function startLoadWorld(
  run: Run,
  o: LoadOptions,
  m: Meter,
  report: LoadReport,
  onWorld: (redact: (text: string) => string) => void,
): Promise<LoadWorld> {
  const lans = lansOf(o);
  report.topology.lans = lans.map((l) => ({ name: l.name!, nat: l.nat! }));
  m.progress(
    `booting a world: chain (seed ${o.seed}), DNS, ${lans.length} LANs (${lans.map((l) => l.nat).join(', ')})`,
  );
  await ensureImage('edge', { onProgress: () => undefined });
  const booted = await bootWorld(run, {
    topology: { cluster: false, lans },
    // The burst is one block: room for every top-up's 200 k gas (anvil's default 30 M holds 150).
    chain: { seed: o.seed, gasLimit: BigInt(Math.max(30, Math.ceil(o.orgs / 4))) * 1_000_000n },
    confirmations: 1,
    graceBlocks: 5,
  });
  onWorld(redactor(booted.world));
  m.checkTime('while booting');

  // Before the provider starts: the baseline must not compete with it for the two cores.
  m.progress(`baseline: ${o.orgs} bare org-node containers at once (docker run → /api/v1/node)`);
  await bareProvisioning(run, booted.world.orgNodeImage, o.orgs, m.h.baseline_provisioning!, m);
  m.checkTime('after the provisioning baseline');

  m.progress(`starting the provider in ${o.providerDir} and ${o.peers} peers`);
  const placement = placementOf(o.peers, lans, m.rng);
  report.topology.peers = placement.map((p) => ({ name: `peer${p.peerIndex + 1}`, lan: p.lan }));
  const world = await populate(run, booted, {
    provider: {
      dir: o.providerDir,
      env: { DEPLOYER_POLL_MS: '200', DEPLOYER_START_BLOCK: String(booted.deployment.deployedAtBlock) },
      onProgress: m.progress,
    },
    peers: placement.map(({ peerIndex, lan }) => {
      const name = `peer${peerIndex + 1}`;
      const keygenSeed = createHash('sha256').update(`oneclick-load:${o.seed}:${name}`).digest('hex');
      return { name, lan, keygenSeed };
    }),
    peerReadyTimeoutMs: 120_000,
  });
  const { provider } = world;
  report.provider = {
    name: provider.manifest.name,
    version: provider.manifest.version,
    image: provider.image.tag,
  };
  m.checkTime('while starting the provider');

  for (const lan of world.booted.topology.lans) {
    const link = { network: booted.world.publicNetwork };
    if (o.latencyMs)
      m.notes.push((await injectLatency(lan.router.container, { delayMs: o.latencyMs, link })).description);
    if (o.loss)
      m.notes.push((await injectLoss(lan.router.container, { probability: o.loss, link })).description);
  }
  const peers = world.peers.map(({ spec, host, nid }) => ({
    host,
    name: spec.name,
    lan: spec.lan!,
    nid,
    pinned: new Set<Address>(),
  }));
  return { world, peers };
}
