/**
 * The world `oneclick up` keeps up: a scenario world (chain, net, DNS, provider, probe peer, peers
 * behind NAT) with a scenario context over it, so every action runs through a scenario step.
 */
import { useIntervalMining } from '../chain/mining.js';
import type { Run } from '../docker/run.js';
import type { NatPreset } from '../net/router.js';
import type { LoadedProvider } from '../provider/index.js';
import { scenarioContext, type ScenarioContext } from '../scenario/context.js';
import type { PeerSpec, Profile, Scenario } from '../scenario/model.js';
import type { Currency } from '../spec/requirements.js';
import { startScenarioWorld } from '../scenario/world.js';

export const PLAYGROUND_ID = 'playground';

export interface PlaygroundOptions {
  provider: LoadedProvider;
  profile: Profile;
  seed: number;
  /** Orgs funded (one package each) once the world is up: org1..orgN. */
  orgs: number;
  /** Peers placed in LANs of their own, behind the NAT presets in turn. */
  peers: number;
  nat: readonly NatPreset[];
  /** Seconds between blocks; 0: a block per transaction. */
  blockTime: number;
  /** The provider contract the provider serves (and top-ups pay by default). */
  currency: Currency;
  onProgress?: (line: string) => void;
}

/** The scenario the playground's world is the world of: its orgs and peers, no steps. */
export function playgroundScenario(
  o: Pick<PlaygroundOptions, 'orgs' | 'peers' | 'nat' | 'currency'>,
): Scenario {
  const peers: PeerSpec[] = Array.from({ length: o.peers }, (_, i) => ({
    name: `peer${i + 1}`,
    lan: `lan${i + 1}`,
    ...(o.nat.length && { nat: o.nat[i % o.nat.length]! }),
  }));
  return {
    file: PLAYGROUND_ID,
    id: PLAYGROUND_ID,
    title: 'oneclick up',
    proves: [],
    currency: o.currency,
    orgs: Array.from({ length: o.orgs }, (_, i) => ({ name: `org${i + 1}`, kind: 'contract' as const })),
    peers,
    steps: [],
    timeoutSeconds: Number.POSITIVE_INFINITY,
  };
}

/** Boots the world on `run` and returns the context every action acts through. */
export async function bootPlayground(run: Run, o: PlaygroundOptions): Promise<ScenarioContext> {
  const scenario = playgroundScenario(o);
  const world = await startScenarioWorld({
    run,
    scenario,
    provider: o.provider,
    profile: o.profile,
    seed: o.seed,
    ...(o.onProgress && { onProgress: o.onProgress }),
  });
  if (o.blockTime > 0) await useIntervalMining(world.test, o.blockTime);
  return scenarioContext(world);
}
