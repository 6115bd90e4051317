/**
 * What every phase of a reconcile pass works with: the context (fixed for the process: config,
 * store, Docker, DNS, the policy, the throttles) and the state (what the reconciler remembers
 * between passes). Phases are functions of these two, so each can be driven alone.
 */
import type Docker from 'dockerode';
import type { LimitFunction } from 'p-limit';
import type { Address } from 'viem';
import type { RuntimeConfig } from '../config.js';
import type { Dns } from '../dns.js';
import { ROLE_LABEL, RUN_LABEL } from '../docker.js';
import type { Edge } from '../edge.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Policy, Ports } from '../policy.js';
import type { Store } from '../state/index.js';

export const ORG_NODE_ROLE = 'org-node';

export type ReconcilerConfig = Pick<
  RuntimeConfig,
  'runId' | 'orgNodeImage' | 'publicNetwork' | 'dns' | 'edgeImage' | 'clusterNetwork' | 'portRange'
>;

export interface ReconcileContext {
  config: ReconcilerConfig;
  store: Store;
  docker: Docker;
  log: Logger;
  metrics?: Metrics;
  policy: Policy;
  ports: Ports;
  dns: Dns;
  /**
   * Only creating and starting containers is throttled (the engine serializes them anyway); waiting
   * for nodes to answer is cheap, so a burst of orgs waits for their nodes side by side.
   */
  engineSlot: LimitFunction;
  readinessSlot: LimitFunction;
}

export interface ReconcilerState {
  /** The cluster network, once known (configured, or made by the first pass). */
  clusterNetwork?: string;
  edge?: Edge;
  /** org → what its records say now (as sent); cleared when removed. Empty after a restart: republished once. */
  published: Map<Address, string>;
  /** `${containerId} ${rid}` seeded already (rad seed is idempotent: a restart just repeats it). */
  seeded: Set<string>;
  /** org → when a pass first found it wanted and not served (for the provisioning histogram). */
  wantedSince: Map<Address, number>;
  /** The last edge apply queued (the per-org publications of a pass run concurrently). */
  edgeQueue: Promise<unknown>;
  /** The apply queued and not begun yet: a sync asked meanwhile joins it (it will apply its routes too). */
  edgeNext?: Promise<void>;
  /**
   * `${containerId} ${startedAt}` → the NID it answered with. A node seen answering since its start
   * is not asked again every pass (an exec per org per pass is what fills the machine at hundreds of
   * orgs); a restart changes `startedAt`, so it is asked again. Empty after a controller restart.
   */
  answering: Map<string, string>;
  passes: number;
  lastPassOk: boolean;
  /** Set by run(): a pass waiting on a slow node gives up when the process is stopping. */
  stopping?: AbortSignal;
}

export function initialState(clusterNetwork?: string): ReconcilerState {
  return {
    ...(clusterNetwork && { clusterNetwork }),
    published: new Map(),
    seeded: new Set(),
    wantedSince: new Map(),
    edgeQueue: Promise.resolve(),
    answering: new Map(),
    passes: 0,
    lastPassOk: false,
  };
}

export function containerName(runId: string, label: string): string {
  return `oc-${runId}-${label}`;
}

/** The volume shares the container's name: one per org, kept across stop/renewal until purge. */
export const volumeName = containerName;

/** Docker filters for the run's org-node containers and volumes. */
export function orgNodeFilters(runId: string) {
  return { label: [`${RUN_LABEL}=${runId}`, `${ROLE_LABEL}=${ORG_NODE_ROLE}`] };
}
