/**
 * The reconciler: desired state (the store, written by the watcher) against actual state (Docker
 * objects labelled `oneclick.run=<run>`, the edge, DNS), one serial loop of idempotent passes
 * (pass.ts), acting as the policy decides.
 *
 * Per org: desired `run`: p2p port (recorded before anything is created), named volume, org-node
 * container, its NID once the node answers, then its edge forward and Host route, its DNS records
 * (A → edge, SRV → port, TXT nid/expiry) and status; `stop`: records, then the container go, the
 * volume and port stay for a renewal; `purge`: the volume and port go too. Containers and volumes of
 * the run that no org wants are removed. Anchored repositories are seeded in their org's node. The
 * first pass runs at start: a notification lost in a crash costs nothing, the store is the truth.
 */
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import { createDns } from '../dns.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { referencePolicy, type Policy } from '../policy.js';
import type { Store } from '../state/index.js';
import { initialState, type ReconcileContext, type ReconcilerConfig } from './context.js';
import { passLoop } from './loop.js';
import { pass } from './pass.js';

export { containerName, ORG_NODE_ROLE, volumeName, type ReconcilerConfig } from './context.js';
export { RESYNC_MS, RETRY_MS, type PassResult } from './loop.js';

/**
 * Creates and starts side by side. 8 at a time had the last of 50 orgs started after 22 s
 * (bench/provision.ts phases) where bare `docker run` of 50 at once has them all answering in ~17 s;
 * 32 is what the scale baseline (harness/load/baseline.ts) holds bare runs to, and dockerd copes with
 * it at 500 orgs. Removals stay at a few (pass.ts): dozens at once deadlocked dockerd 20.10 here.
 */
const ENGINE_CONCURRENCY = 32;
/** A waiting node costs one blocked exec (its wait runs inside the node): a whole burst waits side by side. */
const READINESS_CONCURRENCY = 128;

export interface ReconcilerOptions {
  config: ReconcilerConfig;
  store: Store;
  docker: Docker;
  log: Logger;
  metrics?: Metrics;
  /** What it decides (policy.ts); the reference's unless given. */
  policy?: Policy;
}

export function createReconciler({
  config,
  store,
  docker,
  log,
  metrics,
  policy = referencePolicy,
}: ReconcilerOptions) {
  const ctx: ReconcileContext = {
    config,
    store,
    docker,
    log,
    ...(metrics && { metrics }),
    policy,
    ports: policy.ports(store, config.portRange),
    dns: createDns(config.dns, undefined, { browsePtr: policy.browsePtr }),
    engineSlot: pLimit(ENGINE_CONCURRENCY),
    readinessSlot: pLimit(READINESS_CONCURRENCY),
  };
  const state = initialState(config.clusterNetwork);
  const once = () => pass(ctx, state);
  const loop = passLoop(once, { log, ...(metrics && { metrics }) });
  return {
    pass: once,
    kick: loop.kick,
    run({ signal }: { signal?: AbortSignal } = {}): Promise<void> {
      if (signal) state.stopping = signal;
      return loop.run(signal ? { signal } : {});
    },
    /** At least one pass has completed. */
    ready: () => state.passes > 0,
    lastPassOk: () => state.lastPassOk,
    edge: () => state.edge,
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
