/**
 * The reconciler: desired state (the store, written by the watcher) against actual state (Docker
 * objects labelled `oneclick.run=<run>`, the edge, DNS), one serial loop of idempotent passes.
 *
 * A pass reads every org from the store and every org-node container of the run, then per org:
 *  - desired `run`: p2p port (recorded before anything is created), named volume, org-node
 *    container `oc-<run>-<label>` (a deterministic name: a restarted controller adopts, never
 *    duplicates), its NID once the node answers; then at once (not after the rest of the pass) its
 *    edge forward and Host route (the edge applies are serialized, each a full sync of the routes
 *    known so far), its DNS records (A → edge, SRV → port, TXT nid/expiry) and status;
 *  - desired `stop`: records, then the container go; the volume and port stay for a renewal;
 *  - desired `purge`: the volume and port go too.
 * Containers and volumes of the run that no org wants are removed. Anchored repositories are
 * seeded (`rad seed`) in their org's node. The first pass runs at start: a notification lost in a
 * crash costs nothing, the store is the truth. A top-up on a live org changes only the TXT record.
 */
import type Docker from 'dockerode';
import type { Address } from 'viem';
import type { RuntimeConfig } from './config.js';
import { createDns, orgLabel, recordsKey, type Exec } from './dns.js';
import {
  addressOn,
  ensureVolume,
  execIn,
  inspectContainer,
  ORG_LABEL,
  removeContainer,
  removeVolume,
  ROLE_LABEL,
  RUN_LABEL,
  startContainer,
  statusOf,
} from './docker.js';
import { createEdge, P2P_PORT, type EdgeRoute, type EdgeState } from './edge.js';
import { errorMessage, type Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { referencePolicy, type Policy } from './policy.js';
import type { OrgRow, Store } from './state.js';

export const ORG_NODE_ROLE = 'org-node';
/** How often a pass runs with no notification (catches drift: a removed container, a lost record). */
export const RESYNC_MS = 10_000;
/** After a pass with errors, the next one comes sooner. */
export const RETRY_MS = 2_000;
const READY_TIMEOUT_MS = 90_000;
const CONCURRENCY = 4;
const READINESS_CONCURRENCY = 16;

export type ReconcilerConfig = Pick<
  RuntimeConfig,
  'runId' | 'orgNodeImage' | 'publicNetwork' | 'dns' | 'edgeImage' | 'clusterNetwork' | 'portRange'
>;

export interface ReconcilerOptions {
  config: ReconcilerConfig;
  store: Store;
  docker: Docker;
  log: Logger;
  metrics?: Metrics;
  /** What it decides (policy.ts); the reference's unless given. */
  policy?: Policy;
}

export interface PassResult {
  /** Orgs with a running, published org-node after the pass. */
  running: number;
  errors: number;
}

export function containerName(runId: string, label: string): string {
  return `oc-${runId}-${label}`;
}

/** The volume shares the container's name: one per org, kept across stop/renewal until purge. */
export const volumeName = containerName;

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** At most `limit` holders at once; the rest wait in arrival order. */
function semaphore(limit: number) {
  let held = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (held >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else held += 1;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else held -= 1;
    }
  };
}

export function createReconciler({
  config,
  store,
  docker,
  log,
  metrics,
  policy = referencePolicy,
}: ReconcilerOptions) {
  const runId = config.runId;
  const dns = createDns(config.dns);
  const ports = policy.ports(store, config.portRange);
  let clusterNetwork = config.clusterNetwork;
  let edge: ReturnType<typeof createEdge> | undefined;
  /** org → what its records say now (as sent); cleared when removed. Empty after a restart: republished once. */
  const published = new Map<Address, string>();
  /** `${containerId} ${rid}` seeded already (rad seed is idempotent: a restart just repeats it). */
  const seeded = new Set<string>();
  /** org → when a pass first found it wanted and not served (for the provisioning histogram). */
  const wantedSince = new Map<Address, number>();
  /** Serializes edge applies (the per-org publications of a pass run concurrently). */
  let edgeQueue: Promise<unknown> = Promise.resolve();
  let passes = 0;
  let lastPassOk = false;
  /**
   * Only creating and starting containers is throttled (the engine serializes them anyway); waiting
   * for nodes to answer is cheap, so a burst of orgs waits for their nodes side by side.
   */
  const engineSlot = semaphore(CONCURRENCY);
  const readinessSlot = semaphore(READINESS_CONCURRENCY);
  /** Set by run(): a pass waiting on a slow node gives up when the process is stopping. */
  let stopping: AbortSignal | undefined;

  async function ensureClusterNetwork(): Promise<string> {
    if (clusterNetwork) return clusterNetwork;
    const name = `oc-${runId}-cluster`;
    const existing = await docker.listNetworks({ filters: { name: [name] } });
    if (!existing.some((n) => n.Name === name)) {
      try {
        await docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          Labels: { [RUN_LABEL]: runId, [ROLE_LABEL]: 'cluster' },
          Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'false' },
        });
        log.info('cluster network created', { network: name });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
    }
    clusterNetwork = name;
    return name;
  }

  function edgeOf(network: string) {
    edge ??= createEdge({
      docker,
      runId,
      image: config.edgeImage,
      publicNetwork: config.publicNetwork,
      clusterNetwork: network,
      log,
    });
    return edge;
  }

  const execVia =
    (containerId: string): Exec =>
    (cmd, stdin) =>
      execIn(docker, containerId, cmd, stdin);

  /** The org-node container of `org`, created and started if needed; waits until its node answers. */
  async function ensureNode(
    row: OrgRow,
    network: string,
  ): Promise<{ id: string; nid: string; address: string; port: number }> {
    const label = orgLabel(row.org);
    const name = containerName(runId, label);
    const port = ports.allocate(row);
    let info = await inspectContainer(docker, name);
    if (!info || !info.State.Running)
      info = await engineSlot(() => createAndStart(row, name, label, port, network));
    if (row.containerId !== info.Id) store.setRuntime(row.org, { containerId: info.Id });
    const address = addressOn(info, network);
    if (!address) throw new Error(`org-node ${name} has no address on ${network}`);
    const containerId = info.Id;
    const known = row.containerId === info.Id ? row.nid : undefined;
    const nid = await readinessSlot(() => nodeId(containerId, name, known));
    if (row.nid !== nid) store.setRuntime(row.org, { nid });
    return { id: info.Id, nid, address, port };
  }

  async function createAndStart(
    row: OrgRow,
    name: string,
    label: string,
    port: number,
    network: string,
  ): Promise<Docker.ContainerInspectInfo> {
    const labels = { [RUN_LABEL]: runId, [ORG_LABEL]: row.org.toLowerCase(), [ROLE_LABEL]: ORG_NODE_ROLE };
    let info = await inspectContainer(docker, name);
    if (!info) {
      const volume = volumeName(runId, label);
      await ensureVolume(docker, volume, labels);
      store.setRuntime(row.org, { volume });
      try {
        await docker.createContainer({
          name,
          Image: config.orgNodeImage,
          Hostname: `org-${label.slice(0, 12)}`,
          Labels: labels,
          Env: [
            `RAD_ALIAS=org-${label.slice(0, 12)}`,
            `RAD_LISTEN=0.0.0.0:${P2P_PORT}`,
            `RAD_EXTERNAL_ADDRESSES=${dns.fqdn(label)}:${port}`,
            // Nothing is seeded unless asked: the org's anchored repositories get a policy each.
            'RAD_SEEDING_POLICY=block',
          ],
          Healthcheck: {
            Test: ['CMD-SHELL', 'rad node status --only nid >/dev/null 2>&1'],
            Interval: 2_000_000_000,
            Timeout: 5_000_000_000,
            Retries: 3,
            StartPeriod: 30_000_000_000,
          },
          HostConfig: {
            NetworkMode: network,
            RestartPolicy: { Name: 'unless-stopped' },
            Mounts: [policy.dataMount(volume)],
          },
          NetworkingConfig: { EndpointsConfig: { [network]: {} } },
        });
        log.info('org-node created', { org: row.org, container: name, port });
      } catch (error) {
        if (statusOf(error) !== 409) throw error; // made by a pass before a crash: adopt it
      }
      info = await inspectContainer(docker, name);
      if (!info) throw new Error(`container ${name} vanished after creation`);
    }
    if (!info.State.Running) {
      await startContainer(docker, info.Id);
      info = (await inspectContainer(docker, name)) ?? info;
    }
    return info;
  }

  /** The node's NID once its control socket answers; a known NID of a healthy container is reused. */
  async function nodeId(id: string, name: string, known: string | undefined): Promise<string> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      const r = await execIn(docker, id, ['rad', 'node', 'status', '--only', 'nid']);
      const nid = r.stdout.trim();
      if (r.exitCode === 0 && /^z6Mk[1-9A-HJ-NP-Za-km-z]+$/.test(nid)) {
        if (known && known !== nid)
          log.warn('org-node NID changed', { container: name, was: known, now: nid });
        return nid;
      }
      if (stopping?.aborted) throw new Error(`stopping: gave up waiting for org-node ${name}`);
      if (Date.now() > deadline) {
        throw new Error(
          `org-node ${name} not answering after ${READY_TIMEOUT_MS} ms: ${(r.stderr || r.stdout).trim()}`,
        );
      }
      const info = await inspectContainer(docker, id);
      if (!info?.State.Running && info?.State.Restarting === false) {
        throw new Error(`org-node ${name} exited (${info.State.ExitCode}) before its node came up`);
      }
      // Polls are execs the engine must serve: back off so a burst of starting nodes stays cheap.
      await sleep(Math.min(250 + attempt * 100, 1000));
    }
  }

  /** `rad seed` of every anchored repository not seeded yet in this container. */
  async function seedAnchors(row: OrgRow, containerId: string): Promise<void> {
    for (const anchor of store.anchorsOf(row.org)) {
      const key = `${containerId} ${anchor.repo}`;
      if (seeded.has(key)) continue;
      const r = await execIn(docker, containerId, [
        'rad',
        'seed',
        anchor.repo,
        '--scope',
        'all',
        '--no-fetch',
      ]);
      if (r.exitCode !== 0) {
        throw new Error(
          `rad seed ${anchor.repo} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`,
        );
      }
      seeded.add(key);
      log.info('seeding anchored repository', { org: row.org, repo: anchor.repo });
      // Fetch from whoever has it, in the background: the policy is what lasts.
      void execIn(docker, containerId, ['rad', 'sync', '--fetch', anchor.repo, '--timeout', '10s']).catch(
        () => undefined,
      );
    }
  }

  /** Removes the org's records (if it may have any), its container, and with `purge` its volume and port. */
  async function tearDown(row: OrgRow, purge: boolean, edgeState: EdgeState | undefined): Promise<void> {
    const label = orgLabel(row.org);
    const name = containerName(runId, label);
    const done = purge
      ? row.status === 'gone' && row.volume === undefined && row.port === undefined
      : row.status === 'stopped' && row.containerId === undefined;
    // Settled in an earlier pass: strays (if any) are the sweep's business.
    if (done && !published.has(row.org)) return;
    const hadRecords = published.has(row.org) || !['stopped', 'gone'].includes(row.status);
    if (hadRecords && edgeState) {
      await dns.remove(execVia(edgeState.id), label);
      published.delete(row.org);
      log.info('records removed', { org: row.org });
    } else if (hadRecords) {
      throw new Error('the edge is not available to remove the records');
    }
    const existed = row.containerId !== undefined || (await inspectContainer(docker, name)) !== undefined;
    await removeContainer(docker, name);
    if (existed) log.info('org-node removed', { org: row.org, container: name, keepVolume: !purge });
    wantedSince.delete(row.org);
    if (purge) {
      await removeVolume(docker, volumeName(runId, label));
      if (row.volume || row.port !== undefined || row.status !== 'gone') {
        store.setRuntime(row.org, { status: 'gone', containerId: null, volume: null, port: null, nid: null });
        log.info('org purged', { org: row.org });
      }
    } else if (row.status !== 'stopped' || row.containerId !== undefined) {
      store.setRuntime(row.org, { status: 'stopped', containerId: null });
    }
  }

  /** One full pass. Errors of one org do not stop the others; they are counted and retried. */
  async function pass(): Promise<PassResult> {
    let errors = 0;
    const fail = (what: string, org: Address | undefined, error: unknown) => {
      errors += 1;
      metrics?.reconcileError();
      log.error('reconcile failed', { what, ...(org && { org }), error: errorMessage(error) });
    };
    const network = await ensureClusterNetwork();
    const edgeCtl = edgeOf(network);
    let edgeState: EdgeState | undefined;
    try {
      edgeState = await edgeCtl.ensure();
    } catch (error) {
      fail('edge', undefined, error);
    }

    const rows = store.orgs();
    const wanted = rows.filter((r) => policy.wanted(r));
    const now = Date.now();
    for (const row of wanted)
      if (!published.has(row.org) && !wantedSince.has(row.org)) wantedSince.set(row.org, now);

    // 1. Teardown first: records, then containers (and volumes on purge).
    await mapLimit(
      rows.filter((r) => !policy.wanted(r)),
      CONCURRENCY,
      async (row) => {
        try {
          await tearDown(row, row.desired === 'purge', edgeState);
        } catch (error) {
          fail('teardown', row.org, error);
        }
      },
    );

    // 2. Containers and volumes of this run that no org wants.
    const wantedLabels = new Set(wanted.map((r) => r.org.toLowerCase()));
    try {
      await removeStrays(
        wantedLabels,
        new Set(rows.filter((r) => r.desired !== 'purge').map((r) => r.org.toLowerCase())),
      );
    } catch (error) {
      fail('strays', undefined, error);
    }

    // 3. The edge starts from the wanted org-nodes already running (a restarted controller keeps
    //    serving them while this pass checks each), then each org's route is added or corrected as
    //    soon as its node answers: no org waits for the slowest of the pass.
    const routes = new Map<Address, EdgeRoute>();
    const syncEdge = async (): Promise<void> => {
      if (!edgeState) throw new Error('the edge is not available');
      const state = edgeState;
      // One apply at a time; each applies the routes as they are when its turn comes (so a burst of
      // ready orgs coalesces: the later applies find nothing changed).
      const turn = edgeQueue.then(() => edgeCtl.apply(state, [...routes.values()]));
      edgeQueue = turn.catch(() => undefined);
      await turn;
    };
    if (edgeState) {
      try {
        const byOrg = new Map(wanted.map((r) => [r.org.toLowerCase(), r]));
        const filters = { label: [`${RUN_LABEL}=${runId}`, `${ROLE_LABEL}=${ORG_NODE_ROLE}`] };
        for (const c of await docker.listContainers({ filters })) {
          const row = byOrg.get(c.Labels?.[ORG_LABEL] ?? '');
          const address = c.NetworkSettings?.Networks?.[network]?.IPAddress;
          const port = row && ports.recorded(row);
          if (!row || port === undefined || !address || c.State !== 'running') continue;
          routes.set(row.org, { host: dns.fqdn(orgLabel(row.org)), port, address });
        }
        await syncEdge();
      } catch (error) {
        fail('edge routes', undefined, error);
      }
    }

    // 4. Per org, as soon as its node answers: its route, its records, its status, its anchors.
    let running = 0;
    await Promise.all(
      wanted.map(async (start) => {
        const org = start.org;
        let n: { id: string; nid: string; address: string; port: number };
        try {
          if (policy.recreate(start)) await removeContainer(docker, containerName(runId, orgLabel(org)));
          n = await ensureNode(start, network);
        } catch (error) {
          fail('org-node', org, error);
          // Not serving: no route (the org's records, if any, stay until a stop; as before).
          if (routes.delete(org) && edgeState) await syncEdge().catch((e) => fail('edge routes', org, e));
          return;
        }
        const row = store.org(org);
        if (!row || !edgeState) return;
        try {
          routes.set(org, { host: dns.fqdn(orgLabel(org)), port: n.port, address: n.address });
          await syncEdge();
        } catch (error) {
          fail('edge routes', org, error);
          return;
        }
        try {
          const records = {
            label: orgLabel(org),
            address: edgeState.publicAddress,
            port: n.port,
            nid: policy.publishedNid(n.nid),
            expiry: row.expiry,
          };
          const key = recordsKey(records);
          if (published.get(org) !== key) {
            await dns.publish(execVia(edgeState.id), records);
            const first = !published.has(org);
            published.set(org, key);
            const since = wantedSince.get(org);
            wantedSince.delete(org);
            const seconds = since === undefined ? undefined : (Date.now() - since) / 1000;
            if (first && seconds !== undefined && row.status !== 'active' && row.status !== 'expiring') {
              metrics?.observeProvisioning(seconds);
            }
            log.info(first ? 'org published' : 'records updated', {
              org,
              host: dns.fqdn(records.label),
              port: n.port,
              nid: n.nid,
              expiry: row.expiry,
              ...(first && seconds !== undefined && { provisioningSeconds: seconds }),
            });
          }
          const status = row.active ? 'active' : 'expiring';
          if (row.status !== status) store.setRuntime(org, { status });
          running += 1;
          if (policy.seedsAnchors) await seedAnchors(row, n.id);
        } catch (error) {
          fail('records', org, error);
        }
      }),
    );

    passes += 1;
    lastPassOk = errors === 0;
    metrics?.pass();
    log.debug('reconcile pass', { orgs: rows.length, running, errors });
    return { running, errors };
  }

  /** Org-node containers of this run whose org is not wanted, and volumes whose org is purged or unknown. */
  async function removeStrays(wanted: ReadonlySet<string>, keepVolumes: ReadonlySet<string>): Promise<void> {
    const filters = { label: [`${RUN_LABEL}=${runId}`, `${ROLE_LABEL}=${ORG_NODE_ROLE}`] };
    for (const c of await docker.listContainers({ all: true, filters })) {
      const org = c.Labels?.[ORG_LABEL];
      if (org && wanted.has(org)) continue;
      await removeContainer(docker, c.Id);
      log.warn('removed a stray org-node container', { container: c.Names?.[0], org });
    }
    const { Volumes: volumes } = await docker.listVolumes({ filters });
    for (const v of volumes ?? []) {
      const org = v.Labels?.[ORG_LABEL];
      if (org && keepVolumes.has(org)) continue;
      await removeVolume(docker, v.Name);
      log.warn('removed a stray org-node volume', { volume: v.Name, org });
    }
  }

  let wake: (() => void) | undefined;
  let kicked = false;

  /** Asks for a pass soon (coalesced: many kicks during a pass make one more pass). */
  function kick(): void {
    kicked = true;
    wake?.();
  }

  /** Passes until `signal` aborts: one at start, then on every kick, else every RESYNC_MS. */
  async function run({ signal }: { signal?: AbortSignal } = {}): Promise<void> {
    stopping = signal;
    while (!signal?.aborted) {
      kicked = false;
      let result: PassResult | undefined;
      try {
        result = await pass();
      } catch (error) {
        metrics?.reconcileError();
        log.error('reconcile pass failed', { error: errorMessage(error) });
      }
      if (signal?.aborted) break;
      if (kicked) continue;
      const waitMs = result && result.errors === 0 ? RESYNC_MS : RETRY_MS;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal?.addEventListener('abort', done, { once: true });
        wake = done;
      });
    }
  }

  return {
    pass,
    kick,
    run,
    /** At least one pass has completed. */
    ready: () => passes > 0,
    lastPassOk: () => lastPassOk,
    edge: () => edge,
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
