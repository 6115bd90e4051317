/**
 * An org's org-node: the container `oc-<run>-<label>` on the cluster network, with the org's data
 * mount, created and started if needed (a deterministic name: a restarted controller adopts, never
 * duplicates), and its NID once the node answers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import {
  addressOn,
  ensureVolume,
  execIn,
  inspectContainer,
  ORG_LABEL,
  ROLE_LABEL,
  RUN_LABEL,
  startContainer,
  statusOf,
  type ExecResult,
} from '../docker.js';
import { orgLabel } from '../dns.js';
import { P2P_PORT } from '../edge.js';
import type { Logger } from '../log.js';
import type { DataMount } from '../policy.js';
import type { OrgRow } from '../state/index.js';
import {
  containerName,
  ORG_NODE_ROLE,
  volumeName,
  type ReconcileContext,
  type ReconcilerState,
} from './context.js';

const READY_TIMEOUT_MS = 90_000;
/**
 * How long one `orgnode-api ready` waits inside the node: one exec per wait (not one per poll). An
 * exec is a process the engine spawns, costly when a burst of org-nodes is starting (5 s waits made
 * 2-4 execs a node there); an exited container ends it at once, a stopping process stops waiting.
 */
const READY_WAIT_SECONDS = 20;
const NID = /^z6Mk[1-9A-HJ-NP-Za-km-z]+$/;

export interface ServingNode {
  id: string;
  nid: string;
  /** On the cluster network. */
  address: string;
  /** The public p2p port. */
  port: number;
}

/** The create options of an org's container (pure). */
export function orgNodeSpec(o: {
  name: string;
  label: string;
  org: string;
  runId: string;
  image: string;
  /** `<label>.<zone>` */
  host: string;
  port: number;
  network: string;
  mount: DataMount;
  /** Settings merged into the node's radicle config.json (none: the image's). */
  config?: Readonly<Record<string, unknown>>;
  /** Kernel settings of the node's network namespace (none: the host's defaults). */
  sysctls?: Readonly<Record<string, string>>;
}): Docker.ContainerCreateOptions {
  const alias = `org-${o.label.slice(0, 12)}`;
  return {
    name: o.name,
    Image: o.image,
    Hostname: alias,
    Labels: orgNodeLabels(o.runId, o.org),
    Env: [
      `RAD_ALIAS=${alias}`,
      `RAD_LISTEN=0.0.0.0:${P2P_PORT}`,
      `RAD_EXTERNAL_ADDRESSES=${o.host}:${o.port}`,
      // Nothing is seeded unless asked: the org's anchored repositories get a policy each.
      'RAD_SEEDING_POLICY=block',
      ...(o.config && Object.keys(o.config).length > 0
        ? [`RAD_CONFIG_PATCH=${JSON.stringify(o.config)}`]
        : []),
    ],
    // No health check: the engine runs each as an exec, which at hundreds of idle org-nodes is
    // most of the machine's work; readiness is waited for once (waitForNid), liveness by restart policy.
    HostConfig: {
      NetworkMode: o.network,
      RestartPolicy: { Name: 'unless-stopped' },
      Mounts: [o.mount],
      ...(o.sysctls && Object.keys(o.sysctls).length > 0 && { Sysctls: { ...o.sysctls } }),
    },
    NetworkingConfig: { EndpointsConfig: { [o.network]: {} } },
  };
}

export function orgNodeLabels(runId: string, org: string): Record<string, string> {
  return { [RUN_LABEL]: runId, [ORG_LABEL]: org.toLowerCase(), [ROLE_LABEL]: ORG_NODE_ROLE };
}

/**
 * The org's node, created and started if needed; resolves once it answers with its NID. `running`
 * is told where the container runs before its node is waited for (its route can go in meanwhile).
 */
export async function ensureNode(
  ctx: ReconcileContext,
  row: OrgRow,
  network: string,
  state: Pick<ReconcilerState, 'answering' | 'stopping'>,
  running?: (at: Pick<ServingNode, 'address' | 'port'>) => void,
): Promise<ServingNode> {
  const { docker, store } = ctx;
  const name = containerName(ctx.config.runId, orgLabel(row.org));
  const port = ctx.ports.allocate(row);
  let info = await inspectContainer(docker, name);
  if (!info || !info.State.Running) {
    const found = info;
    // Only what changes the engine holds a slot; reads do not.
    const id = await ctx.engineSlot(() => createAndStart(ctx, row, port, network, found));
    info = await inspectContainer(docker, id);
    if (!info) throw new Error(`container ${name} vanished after its start`);
  }
  if (row.containerId !== info.Id) store.setRuntime(row.org, { containerId: info.Id });
  const address = addressOn(info, network);
  if (!address) throw new Error(`org-node ${name} has no address on ${network}`);
  const id = info.Id;
  const life = `${id} ${info.State.StartedAt}`;
  let nid = state.answering.get(life);
  if (nid === undefined) {
    running?.({ address, port });
    const known = row.containerId === id ? row.nid : undefined;
    const asked = performance.now();
    nid = await ctx.readinessSlot(() =>
      waitForNid({
        name,
        known,
        log: ctx.log,
        ...(state.stopping && { stopping: state.stopping }),
        status: readiness((cmd) => execIn(docker, id, cmd)),
        state: async () => (await inspectContainer(docker, id))?.State,
      }),
    );
    state.answering.set(life, nid);
    ctx.log.info('org-node answering', {
      org: row.org,
      container: name,
      waitedMs: Math.round(performance.now() - asked),
    });
  }
  if (row.nid !== nid) store.setRuntime(row.org, { nid });
  return { id, nid, address, port };
}

/**
 * One wait for the node's NID: `orgnode-api ready` (it waits inside the node); an org-node image
 * without it (exit 126/127) is asked `rad node status` from then on, one exec per poll.
 */
export function readiness(exec: (cmd: string[]) => Promise<ExecResult>): () => Promise<ExecResult> {
  let polled = false;
  return async () => {
    if (!polled) {
      const r = await exec(['orgnode-api', 'ready', String(READY_WAIT_SECONDS)]);
      if (r.exitCode !== 126 && r.exitCode !== 127) return r;
      polled = true;
    }
    return exec(['rad', 'node', 'status', '--only', 'nid']);
  };
}

/** Creates (unless `found`) and starts the org's container: its id. */
async function createAndStart(
  ctx: ReconcileContext,
  row: OrgRow,
  port: number,
  network: string,
  found: Docker.ContainerInspectInfo | undefined,
): Promise<string> {
  const { docker, config } = ctx;
  const label = orgLabel(row.org);
  const name = containerName(config.runId, label);
  let id = found?.Id;
  if (!id) {
    const volume = volumeName(config.runId, label);
    await ensureVolume(docker, volume, orgNodeLabels(config.runId, row.org));
    ctx.store.setRuntime(row.org, { volume });
    const spec = orgNodeSpec({
      name,
      label,
      org: row.org,
      runId: config.runId,
      image: config.orgNodeImage,
      host: ctx.dns.fqdn(label),
      port,
      network,
      mount: ctx.policy.dataMount(volume),
      config: ctx.policy.nodeConfig,
      sysctls: ctx.policy.nodeSysctls,
    });
    try {
      id = (await docker.createContainer(spec)).id;
      ctx.log.info('org-node created', { org: row.org, container: name, port });
    } catch (error) {
      if (statusOf(error) !== 409) throw error; // made by a pass before a crash: adopt it
      id = (await inspectContainer(docker, name))?.Id;
      if (!id) throw new Error(`container ${name} vanished after creation`);
    }
  }
  await startContainer(docker, id);
  ctx.log.info('org-node started', { org: row.org, container: name });
  return id;
}

export interface NidProbe {
  name: string;
  /** The NID recorded for this container, if any (a change is worth a warning). */
  known: string | undefined;
  log: Logger;
  stopping?: AbortSignal;
  /** `orgnode-api ready <s>` in the node: waits there until the control socket answers, prints the NID. */
  status(): Promise<ExecResult>;
  /** The container's state (undefined: gone). */
  state(): Promise<{ Running: boolean; Restarting: boolean; ExitCode: number } | undefined>;
  timeoutMs?: number;
}

/** The node's NID once its control socket answers; fails when the container exits or time runs out. */
export async function waitForNid(p: NidProbe): Promise<string> {
  const timeoutMs = p.timeoutMs ?? READY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const asked = performance.now();
    const r = await unlessStopping(p.status(), p.stopping, p.name);
    const nid = r.stdout.trim();
    if (r.exitCode === 0 && NID.test(nid)) {
      if (p.known && p.known !== nid)
        p.log.warn('org-node NID changed', { container: p.name, was: p.known, now: nid });
      return nid;
    }
    if (p.stopping?.aborted) throw new Error(`stopping: gave up waiting for org-node ${p.name}`);
    if (Date.now() > deadline) {
      throw new Error(
        `org-node ${p.name} not answering after ${timeoutMs} ms: ${(r.stderr || r.stdout).trim()}`,
      );
    }
    const state = await p.state();
    if (!state?.Running && state?.Restarting === false) {
      throw new Error(`org-node ${p.name} exited (${state.ExitCode}) before its node came up`);
    }
    // A wait that came back at once (no such command yet, a failing socket): back off before the next exec.
    if (performance.now() - asked < 1000) await sleep(Math.min(250 + attempt * 100, 1000));
  }
}

/** `work`, or a rejection as soon as `stopping` aborts (the work is left to end on its own). */
function unlessStopping<T>(work: Promise<T>, stopping: AbortSignal | undefined, name: string): Promise<T> {
  if (!stopping) return work;
  return new Promise((resolve, reject) => {
    const stop = () => reject(new Error(`stopping: gave up waiting for org-node ${name}`));
    if (stopping.aborted) return stop();
    stopping.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => stopping.removeEventListener('abort', stop));
  });
}
