/**
 * How the harness talks to a peer's node: over HTTP (the image's control listener, httpapi/remote.go)
 * when the image can (label `oneclick.control=http`) and the peer was started with it on
 * (ONECLICK_CONTROL_LISTEN, set by orgNodeEnv) on a network the host is on, else one `docker exec`
 * per command (an image of one's own, ONECLICK_ORGNODE_IMAGE; a peer in a home LAN). Judgements poll every half second per org: as execs, that
 * was most of the engine's work and what made a healthy org look slow under load.
 */
import { networkInterfaces } from 'node:os';
import type { StartedContainer } from '../docker/container.js';
import { contains, parseCidr } from '../net/cidr.js';

/** Where a harness peer serves its control socket over HTTP. */
export const CONTROL_LISTEN = '0.0.0.0:8781';
const LISTEN_ENV = 'ONECLICK_CONTROL_LISTEN';

export interface ControlAnswer {
  ok: boolean;
  /** The control socket's JSON line, or what went wrong. */
  answer: string;
  /** How long the node took to answer, measured inside the peer (HTTP only). */
  elapsedMs?: number;
}

/** The peer's control base URL, or undefined when it has none (by container: an id is one life). */
const bases = new Map<string, Promise<string | undefined>>();

function baseOf(peer: StartedContainer): Promise<string | undefined> {
  let base = bases.get(peer.id);
  if (!base) {
    base = peer.inspect().then((info) => {
      if (info.Config.Labels?.['oneclick.control'] !== 'http') return undefined;
      const listen = info.Config.Env?.find((e) => e.startsWith(`${LISTEN_ENV}=`))?.split('=')[1];
      const port = listen?.split(':').at(-1);
      const ip = Object.values(info.NetworkSettings.Networks ?? {})
        .filter((n) => n.IPAddress && onHostSubnet(n.IPAddress, n.IPPrefixLen))
        .map((n) => n.IPAddress)[0];
      return port && ip ? `http://${ip}:${port}` : undefined;
    });
    bases.set(peer.id, base);
    base.catch(() => bases.delete(peer.id));
  }
  return base;
}

/**
 * Whether the host holds an address in `ip`/`prefix`, i.e. reaches it on its own bridge. A peer in a
 * home LAN does not qualify (the host keeps no address on a LAN bridge, so only the router reaches
 * it): asking there would send the request out of the machine's default route.
 */
function onHostSubnet(ip: string, prefix: number): boolean {
  if (prefix < 8 || prefix > 30) return false;
  const subnet = parseCidr(`${ip}/${prefix}`);
  return Object.values(networkInterfaces()).some((addrs) =>
    (addrs ?? []).some((a) => a.family === 'IPv4' && !a.internal && contains(subnet, a.address)),
  );
}

/** GET/POST over the peer's control listener; a second try on a fresh look-up (a restart moves the IP). */
async function request(peer: StartedContainer, path: string, init: RequestInit, timeoutMs: number) {
  for (let attempt = 0; ; attempt++) {
    const base = await baseOf(peer);
    if (!base) return undefined;
    try {
      return await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      bases.delete(peer.id);
      if (attempt > 0) throw error;
    }
  }
}

/** One control-socket command (`{"command": ...}`), answered within `timeoutMs`. */
export async function control(
  peer: StartedContainer,
  command: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<ControlAnswer> {
  const json = JSON.stringify(command);
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  const res = await request(
    peer,
    `/control?timeout=${secs}`,
    { method: 'POST', body: json },
    timeoutMs + 5_000,
  ).catch((error: Error) => ({ error }));
  if (res === undefined) {
    const r = await peer.exec(['orgnode-api', 'ctl', json]);
    return { ok: r.exitCode === 0, answer: (r.exitCode === 0 ? r.stdout : r.stderr).trim() };
  }
  if ('error' in res) return { ok: false, answer: `control of ${peer.name}: ${res.error.message}` };
  const answer = (await res.text()).trim();
  const elapsed = Number(res.headers.get('control-elapsed-ms'));
  return { ok: res.ok, answer, ...(Number.isFinite(elapsed) && res.ok && { elapsedMs: elapsed }) };
}

/** Whether a TCP connection from the peer to `host:port` opens within `timeoutMs`. */
export async function reaches(
  peer: StartedContainer,
  host: string,
  port: number,
  timeoutMs = 3_000,
): Promise<boolean> {
  const addr = encodeURIComponent(`${host}:${port}`);
  const res = await request(peer, `/reach?addr=${addr}&timeout=${timeoutMs}`, {}, timeoutMs + 5_000).catch(
    () => null,
  );
  if (res === null) return false;
  if (res !== undefined) return res.ok;
  const secs = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const r = await peer.exec(['timeout', secs, 'bash', '-c', ': </dev/tcp/$1/$2', '_', host, String(port)]);
  return r.exitCode === 0;
}

export interface PeerHttpAnswer {
  status: number;
  body: string;
}

/**
 * One GET of `path` from inside the peer, to `address:port` with `Host: host`, on a fresh connection;
 * undefined when the peer has no control listener (the caller asks another way). Rejects when
 * nothing answered.
 */
export async function httpFrom(
  peer: StartedContainer,
  o: { address: string; port: number; path: string; host?: string; timeoutMs: number },
): Promise<PeerHttpAnswer | undefined> {
  const q = new URLSearchParams({
    addr: `${o.address}:${o.port}`,
    path: o.path,
    timeout: String(o.timeoutMs),
    ...(o.host && { host: o.host }),
  });
  const res = await request(peer, `/http?${q.toString()}`, {}, o.timeoutMs + 5_000);
  if (res === undefined) return undefined;
  const text = await res.text();
  if (!res.ok)
    throw new Error(
      `GET ${o.path} via ${o.address}:${o.port} from ${peer.name}: ${text.trim() || res.status}`,
    );
  return JSON.parse(text) as PeerHttpAnswer;
}

export interface ProvedHandshake {
  ok: boolean;
  /** refused | timeout | unreachable | not-radicle | wrong-nid | bad-input (httpapi/handshake.go). */
  kind?: string;
  error?: string;
  /** Connect to answer, measured inside the peer. */
  ms: number;
}

/**
 * radicle's Noise handshake from inside `peer` with `nid` at `address:port`, by the image's stateless
 * prober (a fresh connection and a fresh key; the peer's node and its sessions are not involved):
 * ok only when the node there holds `nid`'s key. Over HTTP where the peer has a control listener,
 * else by exec, so a LAN peer is judged the same way; undefined when the peer's image has no prober
 * (an image of one's own), and the caller judges another way.
 */
export async function proveHandshake(
  peer: StartedContainer,
  o: { nid: string; address: string; port: number; timeoutMs: number },
): Promise<ProvedHandshake | undefined> {
  const addr = `${o.address}:${o.port}`;
  const q = new URLSearchParams({ addr, nid: o.nid, timeout: String(o.timeoutMs) });
  const res = await request(peer, `/handshake?${q.toString()}`, {}, o.timeoutMs + 5_000);
  if (res?.ok) return (await res.json()) as ProvedHandshake;
  if (res) return undefined; // a control listener without the prober
  const r = await peer.exec(['orgnode-api', 'handshake', addr, o.nid, String(o.timeoutMs)]);
  try {
    return r.exitCode === 0 || r.exitCode === 1 ? (JSON.parse(r.stdout) as ProvedHandshake) : undefined;
  } catch {
    return undefined;
  }
}

/** The environment that turns a peer's control listener on. */
export const controlEnv = (): Record<string, string> => ({ [LISTEN_ENV]: CONTROL_LISTEN });
