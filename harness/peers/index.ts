/**
 * Outside radicle peers: helpers over a started container of the org-node image (`rad`, `git`,
 * `orgnode-api` inside; RAD_HOME set). Every helper returns data, never text to grep.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedContainer } from '../docker/container.js';
import { container } from '../docker/container.js';
import type { Run } from '../docker/run.js';
import { ensureImage } from '../images/index.js';
import { control, controlEnv } from './control.js';

export {
  control,
  reaches,
  httpFrom,
  proveHandshake,
  type ControlAnswer,
  type PeerHttpAnswer,
  type ProvedHandshake,
} from './control.js';

/** Where helpers keep working copies inside a peer. */
export const WORK_DIR = '/work';
export const P2P_PORT = 8776;
export const HTTP_PORT = 8080;

export interface NodeEnvOptions {
  alias?: string;
  /** 64 hex chars: a deterministic identity (first start only). */
  keygenSeed?: string;
  seedingPolicy?: 'allow' | 'block';
  seedingScope?: 'all' | 'followed';
  /** IP:port list (default 0.0.0.0:8776). */
  listen?: string[];
  /** host:port list announced to peers. */
  externalAddresses?: string[];
  /** NID@host:port list the node keeps connections to. */
  connect?: string[];
  /** JSON object deep-merged into config.json last. */
  configPatch?: Record<string, unknown>;
  httpListen?: string;
}

/** The environment the org-node image's entrypoint reads (see recipes/org-node/entrypoint.sh). */
export function orgNodeEnv(o: NodeEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = controlEnv();
  if (o.alias) env.RAD_ALIAS = o.alias;
  if (o.keygenSeed) env.RAD_KEYGEN_SEED = o.keygenSeed;
  if (o.seedingPolicy) env.RAD_SEEDING_POLICY = o.seedingPolicy;
  if (o.seedingScope) env.RAD_SEEDING_SCOPE = o.seedingScope;
  if (o.listen) env.RAD_LISTEN = o.listen.join(',');
  if (o.externalAddresses) env.RAD_EXTERNAL_ADDRESSES = o.externalAddresses.join(',');
  if (o.connect) env.RAD_CONNECT = o.connect.join(',');
  if (o.configPatch) env.RAD_CONFIG_PATCH = JSON.stringify(o.configPatch);
  if (o.httpListen) env.ONECLICK_HTTP_LISTEN = o.httpListen;
  return env;
}

export interface StartPeerOptions extends NodeEnvOptions {
  /** Container name; default `<run>-<alias>`. */
  name?: string;
  /** Default: oneclick's own org-node image (built if needed). */
  image?: string;
  network?: string;
  ip?: string;
  networkAliases?: string[];
  /** A volume (or host path) mounted on /radicle: the identity and storage outlive the container. */
  volume?: string;
  env?: Record<string, string>;
  /** Wait until the node answers on its control socket (default true). */
  wait?: boolean;
  readyTimeoutMs?: number;
}

/** Starts a radicle node in a container of the org-node image, labelled for `run`, and waits for it. */
export async function startPeer(run: Run, options: StartPeerOptions = {}): Promise<StartedContainer> {
  const image = options.image ?? (await ensureImage('org-node', { onProgress: () => undefined }));
  const alias = options.alias ?? `peer-${Math.random().toString(36).slice(2, 8)}`;
  const b = container(image)
    .named(options.name ?? `${run.id}-${alias}`)
    .withHostname(alias)
    .withLabels(run.labels({ 'oneclick.role': 'peer' }))
    .withEnv({ ...orgNodeEnv({ ...options, alias }), ...options.env });
  if (options.network) {
    b.withNetwork(options.network, {
      ...(options.ip ? { ip: options.ip } : {}),
      ...(options.networkAliases ? { aliases: options.networkAliases } : {}),
    });
  }
  if (options.volume) b.withMount(options.volume, '/radicle');
  const peer = await b.start();
  if (options.wait !== false) await waitReady(peer, options.readyTimeoutMs);
  return peer;
}

/**
 * Waits until radicle-node answers on the control socket; returns its NID. One exec that waits inside
 * the container (`orgnode-api ready`), not one per attempt; an image without it is polled.
 */
export async function waitReady(peer: StartedContainer, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const secs = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const r = await peer.exec(['orgnode-api', 'ready', secs]);
  if (r.exitCode === 0 && r.stdout.trim()) return r.stdout.trim();
  await failIfExited(peer);
  if (r.exitCode === 1)
    throw new Error(`peer ${peer.name}: node not up after ${timeoutMs} ms (${r.stderr.trim()})`);
  return pollReady(peer, deadline, timeoutMs);
}

/** For org-node images without `orgnode-api ready` (ONECLICK_ORGNODE_IMAGE): `rad node status` until it answers. */
async function pollReady(peer: StartedContainer, deadline: number, timeoutMs: number): Promise<string> {
  for (;;) {
    const r = await peer.exec(['rad', 'node', 'status', '--only', 'nid']);
    if (r.exitCode === 0 && r.stdout.trim()) return r.stdout.trim();
    await failIfExited(peer);
    if (Date.now() > deadline)
      throw new Error(
        `peer ${peer.name}: node not up after ${timeoutMs} ms (${(r.stderr || r.stdout).trim()})`,
      );
    await sleep(250);
  }
}

async function failIfExited(peer: StartedContainer): Promise<void> {
  const info = await peer.inspect();
  if (info.State.Running) return;
  throw new Error(
    `peer ${peer.name} exited (${info.State.ExitCode}) before its node was up:\n${await peer.logs(30)}`,
  );
}

/** The peer's Node ID (from its public key: works while the node is stopped too). */
export async function nid(peer: StartedContainer): Promise<string> {
  const r = await peer.exec(['orgnode-api', 'nid']);
  if (r.exitCode === 0) return r.stdout.trim();
  return (await peer.run(['rad', 'self', '--nid'])).trim();
}

export type SessionState = 'initial' | 'attempted' | 'connected' | 'disconnected';

export interface Session {
  nid: string;
  link: 'inbound' | 'outbound';
  /** The address the session runs over, as the node sees it. */
  addr: string;
  state: SessionState;
  /** Unix seconds, when connected (or disconnected). */
  since?: number;
}

/** The node's peer sessions, from the control socket (`{"command":"sessions"}`). */
export async function sessions(peer: StartedContainer): Promise<Session[]> {
  const r = await control(peer, { command: 'sessions' });
  if (!r.ok) throw new Error(`${peer.name}: sessions: ${r.answer}`);
  const raw = JSON.parse(r.answer) as Array<{
    nid: string;
    link: 'inbound' | 'outbound';
    addr: string;
    state: string | Record<string, { since?: number }>;
  }>;
  return raw.map((s) => {
    const [state, detail] =
      typeof s.state === 'string'
        ? [s.state, undefined]
        : (Object.entries(s.state)[0] ?? ['initial', undefined]);
    return {
      nid: s.nid,
      link: s.link,
      addr: s.addr,
      state: state as SessionState,
      ...(detail?.since !== undefined ? { since: detail.since } : {}),
    };
  });
}

/** `NID@host:port` → its parts. */
export function parseNodeAddress(address: string): { nid: string; host: string; port: number } {
  const m = /^(z6Mk[1-9A-HJ-NP-Za-km-z]+)@(.+):(\d+)$/.exec(address);
  if (!m) throw new Error(`not a NID@host:port address: ${address}`);
  return { nid: m[1]!, host: m[2]!, port: Number(m[3]) };
}

/**
 * Connects `peer` to `NID@host:port` (`rad node connect --timeout`, which radicle makes a persistent
 * connection) and waits until the session is connected. A connect can report success and still lose
 * the session to a conflict with one the other side is opening (radicle keeps one session per pair),
 * so this waits on the session itself. Throws when it is not connected within `timeoutMs`.
 */
export async function connect(
  peer: StartedContainer,
  address: string,
  options: { timeoutMs?: number } = {},
): Promise<Session> {
  const { nid: target } = parseNodeAddress(address);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const r = await peer.exec([
    'rad',
    'node',
    'connect',
    address,
    '--timeout',
    `${Math.ceil(timeoutMs / 1000)}s`,
  ]);
  let session: Session | undefined;
  if (r.exitCode === 0) {
    for (;;) {
      session = (await sessions(peer)).find((s) => s.nid === target);
      if (session?.state === 'connected') return session;
      if (Date.now() > deadline) break;
      await sleep(200);
    }
  } else {
    session = (await sessions(peer)).find((s) => s.nid === target);
  }
  throw new Error(
    `${peer.name}: could not connect to ${address} within ${timeoutMs} ms ` +
      `(session: ${session ? session.state : 'none'}): ${(r.stderr || r.stdout).trim()}`,
  );
}

/** A working copy inside a peer. */
export interface LocalRepo {
  rid: string;
  name: string;
  /** Its directory inside the peer. */
  dir: string;
}

export interface CreateRepoOptions {
  description?: string;
  /** Files of the first commit (path → content); default a README. */
  files?: Record<string, string>;
  message?: string;
  visibility?: 'public' | 'private';
}

/**
 * A new radicle repository: `git init` + a first commit + `rad init --name --description
 * --default-branch main --public --no-confirm`. Returns its RID and working copy.
 */
export async function createRepo(
  peer: StartedContainer,
  name: string,
  options: CreateRepoOptions = {},
): Promise<LocalRepo> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`repository name must be [A-Za-z0-9._-]+: ${name}`);
  const dir = `${WORK_DIR}/${name}`;
  await peer.run(['mkdir', '-p', dir]);
  await peer.run(['git', 'init', '-q', '-b', 'main', dir]);
  await writeFiles(peer, dir, options.files ?? { 'README.md': `# ${name}\n` });
  await peer.run(['git', '-C', dir, 'add', '-A']);
  await peer.run(['git', '-C', dir, 'commit', '-q', '-m', options.message ?? 'Initial commit']);
  await peer.run(
    [
      'rad',
      'init',
      '--name',
      name,
      '--description',
      options.description ?? `${name}, created by oneclick`,
      '--default-branch',
      'main',
      options.visibility === 'private' ? '--private' : '--public',
      '--no-confirm',
    ],
    { workdir: dir },
  );
  const rid = (await peer.run(['rad', '.'], { workdir: dir })).trim();
  if (!rid.startsWith('rad:')) throw new Error(`rad . printed no RID in ${dir}: ${rid}`);
  return { rid, name, dir };
}

/** Commits files (path → content) in a working copy; returns the new head. */
export async function commit(
  peer: StartedContainer,
  repo: LocalRepo,
  files: Record<string, string>,
  message = 'Update',
): Promise<string> {
  await writeFiles(peer, repo.dir, files);
  await peer.run(['git', '-C', repo.dir, 'add', '-A']);
  await peer.run(['git', '-C', repo.dir, 'commit', '-q', '-m', message]);
  return (await peer.run(['git', '-C', repo.dir, 'rev-parse', 'HEAD'])).trim();
}

export interface PushResult {
  /** The pushed commit. */
  head: string;
  branch: string;
}

/** `git push rad <branch>`: signs refs into storage and announces them to connected peers. */
export async function push(peer: StartedContainer, repo: LocalRepo, branch = 'main'): Promise<PushResult> {
  await peer.run(['git', '-C', repo.dir, 'push', '-q', 'rad', branch]);
  const head = (await peer.run(['git', '-C', repo.dir, 'rev-parse', branch])).trim();
  return { head, branch };
}

/** `rad seed <rid> --scope <scope>`; by default without fetching (use `fetch`). */
export async function seed(
  peer: StartedContainer,
  rid: string,
  options: { scope?: 'all' | 'followed'; fetch?: boolean } = {},
): Promise<void> {
  await peer.run([
    'rad',
    'seed',
    rid,
    '--scope',
    options.scope ?? 'all',
    ...(options.fetch ? [] : ['--no-fetch']),
  ]);
}

export interface FetchResult {
  rid: string;
  /** Nodes it fetched from. */
  fetchedFrom: string[];
}

/**
 * `rad sync --fetch <rid> [--seed <fromNid>]`. rad exits 0 even when its target was not met, so
 * this reads its report: it throws unless `fromNid` (when given) or some node was fetched from.
 */
export async function fetch(
  peer: StartedContainer,
  rid: string,
  fromNid?: string,
  options: { timeoutMs?: number } = {},
): Promise<FetchResult> {
  const timeout = `${Math.ceil((options.timeoutMs ?? 15_000) / 1000)}s`;
  const r = await peer.exec([
    'rad',
    'sync',
    '--fetch',
    rid,
    ...(fromNid ? ['--seed', fromNid] : []),
    '--timeout',
    timeout,
  ]);
  const text = `${r.stdout}\n${r.stderr}`;
  const fetchedFrom = [...text.matchAll(/Fetched from (z6Mk[1-9A-HJ-NP-Za-km-z]+)/g)].map((m) => m[1]!);
  const ok = r.exitCode === 0 && (fromNid ? fetchedFrom.includes(fromNid) : fetchedFrom.length > 0);
  if (!ok) {
    throw new Error(
      `${peer.name}: fetching ${rid}${fromNid ? ` from ${fromNid}` : ''} failed:\n${text.trim()}`,
    );
  }
  return { rid, fetchedFrom: [...new Set(fetchedFrom)] };
}

/** `rad clone <rid> [--seed <nid>] --scope all` into /work/<name>; returns the working copy. */
export async function clone(
  peer: StartedContainer,
  rid: string,
  options: { seed?: string; name?: string; timeoutMs?: number } = {},
): Promise<LocalRepo> {
  const name = options.name ?? `clone-${rid.slice(4, 12)}`;
  const dir = `${WORK_DIR}/${name}`;
  await peer.run(['mkdir', '-p', WORK_DIR]);
  await peer.run(
    [
      'rad',
      'clone',
      rid,
      dir,
      '--scope',
      'all',
      '--timeout',
      `${Math.ceil((options.timeoutMs ?? 15_000) / 1000)}s`,
      ...(options.seed ? ['--seed', options.seed] : []),
    ],
    { workdir: WORK_DIR },
  );
  return { rid, name, dir };
}

/** refname → object id, as in `git show-ref` over `$RAD_HOME/storage/<id>` (sorted by refname). */
export type Refs = Record<string, string>;

/** The repository's refs in the peer's storage (canonical refs and every namespace). */
export async function refs(peer: StartedContainer, rid: string): Promise<Refs> {
  const id = rid.replace(/^rad:/, '');
  if (!/^z[1-9A-HJ-NP-Za-km-z]+$/.test(id)) throw new Error(`not a RID: ${rid}`);
  const r = await peer.exec(['bash', '-c', 'git -C "$RAD_HOME/storage/$1" show-ref', '_', id]);
  if (r.exitCode === 1 && !r.stdout) return {};
  if (r.exitCode !== 0) throw new Error(`${peer.name}: show-ref of ${rid} failed: ${r.stderr.trim()}`);
  return parseShowRef(r.stdout);
}

export function parseShowRef(text: string): Refs {
  const out: Refs = {};
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{40}) (\S+)$/.exec(line.trim());
    if (m) out[m[2]!] = m[1]!;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Waits until `check(refs)` holds in the peer's storage (replication is asynchronous). */
export async function waitForRefs(
  peer: StartedContainer,
  rid: string,
  check: (refs: Refs) => boolean,
  timeoutMs = 20_000,
): Promise<Refs> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await refs(peer, rid).catch(() => ({}) as Refs);
    if (check(current)) return current;
    if (Date.now() > deadline) {
      throw new Error(
        `${peer.name}: refs of ${rid} did not converge in ${timeoutMs} ms: ${JSON.stringify(current)}`,
      );
    }
    await sleep(250);
  }
}

async function writeFiles(peer: StartedContainer, dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    if (path.startsWith('/') || path.split('/').includes('..'))
      throw new Error(`file path must be relative: ${path}`);
    await peer.run(['bash', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1"', '_', `${dir}/${path}`], {
      stdin: content,
    });
  }
}
