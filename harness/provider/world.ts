/**
 * The world a provider is started into (what harness/world booted) and its translation into the
 * ONECLICK_* environment of SPEC.md §3.
 */
import type { Address } from 'viem';
import type { Chain } from '../chain/anvil.js';
import type { TsigKey } from '../net/dns.js';
import type { Topology } from '../net/topology.js';

export const DEFAULT_CONFIRMATIONS = 2;
export const DEFAULT_GRACE_BLOCKS = 10;
export const REDACTED = '[redacted]';

export interface ProviderWorld {
  runId: string;
  /** URLs reachable from containers on `publicNetwork` (and from the host). */
  chain: { rpcUrl: string; wsUrl: string; chainId: number };
  contracts: { provider: Address; orgFactory: Address };
  confirmations: number;
  graceBlocks: number;
  /** `server` is host[:port] on `publicNetwork`; `tsig.secret` is non-enumerable (see tsigKey). */
  dns: { server: string; zone: string; tsig: TsigKey };
  orgNodeImage: string;
  /** The Docker network that is "the internet". */
  publicNetwork: string;
}

/** The variables of SPEC.md §3, all of them, as the provider container gets them. */
export function providerEnv(world: ProviderWorld): Record<string, string> {
  const { tsig } = world.dns;
  if (!tsig.secret) throw new Error(`TSIG key ${tsig.name} has no secret (was it copied with a spread?)`);
  return {
    ONECLICK_RPC_URL: world.chain.rpcUrl,
    ONECLICK_WS_URL: world.chain.wsUrl,
    ONECLICK_CHAIN_ID: String(world.chain.chainId),
    ONECLICK_PROVIDER_ADDRESS: world.contracts.provider,
    ONECLICK_ORG_FACTORY_ADDRESS: world.contracts.orgFactory,
    ONECLICK_CONFIRMATIONS: String(world.confirmations),
    ONECLICK_GRACE_BLOCKS: String(world.graceBlocks),
    ONECLICK_DNS_SERVER: world.dns.server,
    ONECLICK_DNS_ZONE: world.dns.zone,
    ONECLICK_DNS_TSIG: `${tsig.name}:${tsig.algorithm}:${tsig.secret}`,
    ONECLICK_ORGNODE_IMAGE: world.orgNodeImage,
    ONECLICK_PUBLIC_NETWORK: world.publicNetwork,
    ONECLICK_RUN_ID: world.runId,
  };
}

/** Names of SPEC.md §3, in its order. */
export const PROVIDER_ENV_NAMES = [
  'ONECLICK_RPC_URL',
  'ONECLICK_WS_URL',
  'ONECLICK_CHAIN_ID',
  'ONECLICK_PROVIDER_ADDRESS',
  'ONECLICK_ORG_FACTORY_ADDRESS',
  'ONECLICK_CONFIRMATIONS',
  'ONECLICK_GRACE_BLOCKS',
  'ONECLICK_DNS_SERVER',
  'ONECLICK_DNS_ZONE',
  'ONECLICK_DNS_TSIG',
  'ONECLICK_ORGNODE_IMAGE',
  'ONECLICK_PUBLIC_NETWORK',
  'ONECLICK_RUN_ID',
] as const;

/** Variables whose values are secrets: never printed, logged or put in a report. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set(['ONECLICK_DNS_TSIG']);

/** Replaces every secret of the world (the TSIG secret, alone or as name:algorithm:secret) in `text`. */
export function redactor(world: ProviderWorld): (text: string) => string {
  const { tsig } = world.dns;
  const secrets = [`${tsig.name}:${tsig.algorithm}:${tsig.secret}`, tsig.secret].filter((s) => s.length >= 8);
  return (text) => secrets.reduce((out, s) => out.split(s).join(REDACTED), text);
}

/** What may be printed of a world: everything but the TSIG secret. */
export function worldSummary(world: ProviderWorld) {
  return {
    runId: world.runId,
    chain: { ...world.chain },
    contracts: { ...world.contracts },
    confirmations: world.confirmations,
    graceBlocks: world.graceBlocks,
    dns: {
      server: world.dns.server,
      zone: world.dns.zone,
      tsigKeyName: world.dns.tsig.name,
      tsigAlgorithm: world.dns.tsig.algorithm,
    },
    orgNodeImage: world.orgNodeImage,
    publicNetwork: world.publicNetwork,
  };
}

/**
 * The chain as containers on the topology's `internet` network reach it: through the host's address
 * on that bridge. Anvil must listen there or on 0.0.0.0 (`startChain({ host })`).
 */
export function chainFromContainers(chain: Chain, topology: Topology): ProviderWorld['chain'] {
  const gateway = topology.internet.gateway;
  if (chain.host !== gateway && chain.host !== '0.0.0.0') {
    throw new Error(
      `Anvil listens on ${chain.host}, which containers cannot reach: start it with ` +
        `startChain({ host: topology.internet.gateway }) (${gateway}) or host 0.0.0.0`,
    );
  }
  return {
    rpcUrl: `http://${gateway}:${chain.port}`,
    wsUrl: `ws://${gateway}:${chain.port}`,
    chainId: chain.chainId,
  };
}
