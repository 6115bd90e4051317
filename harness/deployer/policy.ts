/**
 * The deployer's decisions, in one place: what it acts on at start, which orgs get an org-node,
 * their ports, where a node keeps its data, what TXT says, when a node is made anew, whether
 * anchors are seeded. The reference provider runs `referencePolicy`; a deployer built with
 * another (`withPolicy`) is that deployer, the rest of the machinery unchanged.
 */
import type { Address } from 'viem';
import type { DeployerConfig } from './config.js';
import { ownNode, ownP2pNode, type HttpUpstream, type P2pTarget, type P2pTurnedAway } from './edge.js';
import type { Logger } from './log.js';
import type { OrgRow } from './state/index.js';

/** The mount that holds an org-node's `/radicle` (its key, and so its NID, and its repositories). */
export interface DataMount {
  Type: 'volume' | 'tmpfs';
  Source: string;
  Target: '/radicle';
}

/** What a start hook may use: the state file, the chain head, the log. */
export interface StartContext {
  stateFile: string;
  head(): Promise<bigint>;
  log: Logger;
}

/** The store's port allocation: an org's recorded port, else the lowest free one of [min, max], recorded. */
export interface PortStore {
  allocatePort(org: Address, min: number, max: number): number;
}

/** An org's public p2p port. */
export interface Ports {
  /** Its recorded port, if any (what the edge forwards for a node already running). */
  recorded(row: OrgRow): number | undefined;
  /** Its port, allocated and recorded now if it has none (before its node is made). */
  allocate(row: OrgRow): number;
}

export interface Policy {
  /** The configuration the deployer acts on, from the one it parsed. */
  start(config: DeployerConfig, context: StartContext): Promise<DeployerConfig>;
  /** Whether the org must be served by an org-node now. */
  wanted(row: Pick<OrgRow, 'desired' | 'expiry'>): boolean;
  ports(store: PortStore, range: { min: number; max: number }): Ports;
  dataMount(volume: string): DataMount;
  /** radicle `config.json` settings of every org-node, deep-merged over the image's (RAD_CONFIG_PATCH). */
  nodeConfig: Readonly<Record<string, unknown>>;
  /** Kernel settings of every org-node's network namespace (the engine's `--sysctl`); none: the host's defaults. */
  nodeSysctls: Readonly<Record<string, string>>;
  /** The NID TXT `nid=` publishes for a node whose NID is `nid`. */
  publishedNid(nid: string): string;
  /** Whether a publish lists the org's instance in the DNS-SD browse PTR RRset. */
  browsePtr: boolean;
  /** Whether the org's running node is removed and made anew before this pass serves it. */
  recreate(row: OrgRow): boolean;
  /** Whether the org's anchored repositories are seeded (`rad seed`) in its node. */
  seedsAnchors: boolean;
  /** The URL paths the edge routes to an org's node by Host (nginx locations). */
  httpPaths: readonly string[];
  /** The node address the edge proxies an org's Host to. */
  httpUpstream: HttpUpstream;
  /** The node address the edge forwards an org's public p2p port to. */
  p2pTarget: P2pTarget;
  /** Which new connections to an org's public p2p port the edge does not forward. */
  p2pTurnedAway: P2pTurnedAway;
  /** Whose deployment logs count: the provider contract's only, or any contract's with their topics. */
  deploymentLogsFrom: 'provider' | 'any';
}

/**
 * The reference: it acts on the configuration as given; an org runs while its deployment says
 * `run`; each org has its own port, recorded in the store; `/radicle` is the org's named volume (kept
 * across stops and renewals); TXT carries the node's own NID and the browse PTR lists the org; a
 * top-up changes only the records; every anchored repository is seeded; the edge routes every path of
 * an org's Host, and every new connection to its p2p port, to its own node; only the provider contract's deployment logs count.
 */
export const referencePolicy: Policy = Object.freeze({
  start: (config: DeployerConfig) => Promise.resolve(config),
  wanted: (row: Pick<OrgRow, 'desired'>) => row.desired === 'run',
  ports: (store: PortStore, range: { min: number; max: number }): Ports => ({
    recorded: (row) => row.port,
    allocate: (row) => store.allocatePort(row.org, range.min, range.max),
  }),
  dataMount: (volume: string): DataMount => ({ Type: 'volume', Source: volume, Target: '/radicle' }),
  nodeConfig: {},
  nodeSysctls: {},
  publishedNid: (nid: string) => nid,
  browsePtr: true,
  recreate: () => false,
  seedsAnchors: true,
  httpPaths: ['/'],
  httpUpstream: ownNode,
  p2pTarget: ownP2pNode,
  p2pTurnedAway: '',
  deploymentLogsFrom: 'provider',
});

/** The reference with some decisions made otherwise. */
export function withPolicy(overrides: Partial<Policy>): Policy {
  return { ...referencePolicy, ...overrides };
}
