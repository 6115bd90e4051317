/**
 * One world: the booted ground (chain, contracts, net, DNS), the provider under test and the
 * harness's peers, started side by side. `provider start`, `scenario run` (and so `certify`) and
 * `load` all start theirs here. Lifecycle: the caller's run owns everything the world creates;
 * `run.dispose()` stops and removes it all, and so do Ctrl-C and a crash (the run's own hooks).
 */
import { ROLE } from '../chain/accounts.js';
import { testClientFor, walletClientFor, type TestClient, type WalletClient } from '../chain/clients.js';
import type { Run } from '../docker/run.js';
import { providerContracts } from '../provider/contracts.js';
import { loadProvider } from '../provider/manifest.js';
import { startProvider, type ProviderHandle, type StartProviderOptions } from '../provider/start.js';
import { redactor } from '../provider/world.js';
import { bootWorld, type BootedWorld, type BootWorldOptions } from './boot.js';
import { startPeers, type PeerSpec, type WorldPeer } from './peers.js';

export interface PopulateOptions {
  /** The provider under test (its world comes from the booted one; its progress lines are redacted). */
  provider: Omit<StartProviderOptions, 'world'>;
  /** The harness's own peers, started while the provider starts. */
  peers?: readonly PeerSpec[];
  /** How long each peer's node may take to come up (default: waitReady's). */
  peerReadyTimeoutMs?: number;
}

export type StartWorldOptions = BootWorldOptions & PopulateOptions;

/** Who pays (the user), who owns the orgs, who owns the provider. */
export interface Wallets {
  user: WalletClient;
  orgOwner: WalletClient;
  providerOwner: WalletClient;
}

export interface World {
  run: Run;
  booted: BootedWorld;
  provider: ProviderHandle;
  /** In the order of `options.peers`. */
  peers: WorldPeer[];
  test: TestClient;
  wallets: Wallets;
  /** Replaces the world's secrets (the TSIG key) in a text. */
  redact: (text: string) => string;
}

/**
 * Boots the ground and starts the provider and the peers on it. A provider shipping its own
 * provider contracts (manifest `contracts`) gets those deployed, listed and passed in place of oneclick's.
 */
export async function startWorld(run: Run, options: StartWorldOptions): Promise<World> {
  const { dir, manifest } = options.provider;
  const loaded = manifest ?? (dir !== undefined ? await loadProvider(dir) : undefined);
  const own = loaded && (await providerContracts(loaded));
  const deploy = { ...options.deploy, ...(own && { providerContracts: own }) };
  const booted = await bootWorld(run, { ...options, deploy });
  return populate(run, booted, {
    ...options,
    provider: { ...options.provider, ...(loaded && { manifest: loaded }) },
  });
}

/**
 * Starts the provider and the peers on an already booted ground (for a caller that measures
 * something on the bare ground first).
 */
export async function populate(run: Run, booted: BootedWorld, options: PopulateOptions): Promise<World> {
  const { world, topology, chain } = booted;
  const redact = redactor(world);
  const { onProgress } = options.provider;
  const [provider, peers] = await Promise.all([
    startProvider(run, {
      ...options.provider,
      world,
      ...(onProgress && { onProgress: (l) => onProgress(redact(l)) }),
    }),
    startPeers(topology, world.orgNodeImage, options.peers ?? [], options.peerReadyTimeoutMs),
  ]);
  return {
    run,
    booted,
    provider,
    peers,
    test: testClientFor(chain),
    wallets: {
      user: walletClientFor(chain, ROLE.user),
      orgOwner: walletClientFor(chain, ROLE.orgOwner),
      providerOwner: walletClientFor(chain, ROLE.providerOwner),
    },
    redact,
  };
}
