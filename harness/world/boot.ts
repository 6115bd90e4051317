/**
 * The ground a provider is started onto: the topology (internet bridge, LANs behind NAT, DNS with a
 * TSIG key), Anvil on the host's address on the internet bridge, every contract, the org-node image.
 */
import type { Chain, ChainOptions } from '../chain/anvil.js';
import type { Deployment, DeployOptions } from '../chain/deploy.js';
import type { Run } from '../docker/run.js';
import type { Topology, TopologySpec } from '../net/topology.js';
import {
  chainFromContainers,
  DEFAULT_CONFIRMATIONS,
  DEFAULT_GRACE_BLOCKS,
  type ProviderWorld,
} from '../provider/world.js';

export interface BootWorldOptions {
  /** Passed to startTopology; default: no LANs, with the cluster network. */
  topology?: TopologySpec;
  /** Passed to startChain (its host is always the internet bridge's gateway). */
  chain?: Omit<ChainOptions, 'host'>;
  deploy?: DeployOptions;
  /** Which provider contract the provider serves; default `eth`. */
  currency?: 'eth' | 'token';
  confirmations?: number;
  graceBlocks?: number;
  /** Default: orgNodeImage() ($ONECLICK_ORGNODE_IMAGE or the org-node recipe). */
  orgNodeImage?: string;
}

export interface BootedWorld {
  world: ProviderWorld;
  topology: Topology;
  chain: Chain;
  deployment: Deployment;
}

/**
 * Boots what a provider needs, owned by `run`: Anvil listens on the host's address on the internet
 * bridge (reachable from containers, not from other machines). `run.dispose()` tears it all down.
 */
export async function bootWorld(run: Run, options: BootWorldOptions = {}): Promise<BootedWorld> {
  // Loaded here: viem, the contract artifacts and the image builder are heavy.
  const { startTopology } = await import('../net/topology.js');
  const { startChain } = await import('../chain/anvil.js');
  const { deployAll } = await import('../chain/deploy.js');
  const { orgNodeImage } = await import('../images/index.js');
  const [topology, image] = await Promise.all([
    startTopology(run, options.topology ?? {}),
    options.orgNodeImage ?? orgNodeImage(),
  ]);
  const chain = await startChain({ ...options.chain, host: topology.internet.gateway });
  run.defer(() => chain.stop());
  const deployment = await deployAll(chain, options.deploy);
  const world: ProviderWorld = {
    runId: run.id,
    chain: chainFromContainers(chain, topology),
    contracts: {
      provider: options.currency === 'token' ? deployment.tokenProvider : deployment.ethProvider,
      orgFactory: deployment.orgFactory,
    },
    confirmations: options.confirmations ?? DEFAULT_CONFIRMATIONS,
    graceBlocks: options.graceBlocks ?? DEFAULT_GRACE_BLOCKS,
    dns: { server: topology.dns.address, zone: topology.dns.zone, tsig: topology.dns.tsig },
    orgNodeImage: image,
    publicNetwork: topology.internet.name,
  };
  return { world, topology, chain, deployment };
}
