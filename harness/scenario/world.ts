/**
 * The world one scenario runs in: its own chain, topology (a LAN per peer group, each behind its NAT
 * preset), DNS, the provider under test, a probe peer on `internet`, and the scenario's peers.
 * Scenarios never share a world, so they can run side by side and replay exactly.
 */
import type { Address } from 'viem';
import { createdOrg, createOrg, confirm } from '../chain/actions.js';
import type { TestClient } from '../chain/clients.js';
import type { Run } from '../docker/run.js';
import type { Host, LanSpec } from '../net/topology.js';
import type { LoadedProvider, ProviderHandle } from '../provider/index.js';
import { startWorld, type BootedWorld, type PeerSpec, type Wallets } from '../world/index.js';
import type { Profile, Scenario } from './model.js';
import { chainSeed, derivedOrgAddress, peerKeySeed } from './seed.js';

export interface ScenarioWorld {
  run: Run;
  booted: BootedWorld;
  provider: ProviderHandle;
  /** The harness's own radicle peer on `internet`: p2p checks dial from it. */
  probe: Host;
  peers: Map<string, Host>;
  orgs: Map<string, Address>;
  /** Who pays (the user), who owns the orgs, who owns the provider. */
  wallets: Wallets;
  test: TestClient;
  profile: Profile;
  seed: number;
  redact: (text: string) => string;
}

export interface StartScenarioWorldOptions {
  run: Run;
  scenario: Scenario;
  provider: LoadedProvider;
  profile: Profile;
  seed: number;
  /** Extra provider variables (a known provider's tuning knobs). */
  providerEnv?: Record<string, string>;
  onProgress?: (line: string) => void;
}

const PROBE = 'probe';

export async function startScenarioWorld(o: StartScenarioWorldOptions): Promise<ScenarioWorld> {
  const { run, scenario, profile, seed } = o;
  const lans = new Map<string, LanSpec>();
  for (const p of scenario.peers) {
    if (p.lan && !lans.has(p.lan)) lans.set(p.lan, { name: p.lan, ...(p.nat && { nat: p.nat }) });
  }
  const peerSpec = (name: string, alias: string, lan?: string): PeerSpec => ({
    name,
    alias,
    ...(lan && { lan }),
    keygenSeed: peerKeySeed(seed, scenario.id, alias),
  });
  const world = await startWorld(run, {
    topology: { cluster: false, lans: [...lans.values()] },
    chain: { seed: chainSeed(seed, scenario.id) },
    currency: scenario.currency,
    confirmations: profile.confirmations,
    graceBlocks: profile.graceBlocks,
    provider: {
      manifest: o.provider,
      ...(o.providerEnv && { env: o.providerEnv }),
      ...(o.onProgress && { onProgress: o.onProgress }),
    },
    peers: [peerSpec(PROBE, PROBE), ...scenario.peers.map((p) => peerSpec(`peer-${p.name}`, p.name, p.lan))],
  });
  const [probe, ...peers] = world.peers.map((p) => p.host);
  const { booted, wallets, test } = world;

  // Orgs in declaration order (a contract org's address depends on the factory's nonce: same seed,
  // same order, same addresses).
  const orgs = new Map<string, Address>();
  const registeredBySteps = new Set(
    scenario.steps.flatMap((s) => (s.kind === 'register-then-top-up' ? [s.org] : [])),
  );
  for (const spec of scenario.orgs) {
    if (registeredBySteps.has(spec.name)) continue; // its address comes from that step
    if (spec.kind === 'address') {
      orgs.set(spec.name, derivedOrgAddress(seed, scenario.id, spec.name));
    } else {
      const receipt = await confirm(test, await createOrg(wallets.orgOwner, booted.deployment.orgFactory));
      orgs.set(spec.name, createdOrg(receipt));
    }
  }
  return {
    run,
    booted,
    provider: world.provider,
    probe: probe!,
    peers: new Map(scenario.peers.map((p, i) => [p.name, peers[i]!])),
    orgs,
    wallets,
    test,
    profile,
    seed,
    redact: world.redact,
  };
}
