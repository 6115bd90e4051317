/**
 * Black-box probes a load run judges a provider with (SPEC.md §4): DNS asked of the topology's
 * server from the host, HTTP by Host through the published address, and timed radicle dials from
 * inside a peer.
 */
import { request } from 'node:http';
import { Resolver } from 'node:dns/promises';
import type { Address } from 'viem';
import type { StartedContainer } from '../docker/container.js';

export const labelOf = (org: Address) => org.toLowerCase().slice(2);

export interface Published {
  nid: string;
  port: number;
  address: string;
  /** `<label>.<zone>` */
  name: string;
}

/** DNS of the topology's server, asked from the host (the server sits on the `internet` bridge). */
export function dnsClient(server: string, timeoutMs = 2000): Resolver {
  const r = new Resolver({ timeout: timeoutMs, tries: 2 });
  const [host, port] = server.split(':');
  r.setServers([port ? `${host}:${port}` : host!]);
  return r;
}

/** The org's A, SRV and TXT records, or undefined while any is missing. */
export async function lookup(r: Resolver, org: Address, zone: string): Promise<Published | undefined> {
  const name = `${labelOf(org)}.${zone}`;
  const none = () => [] as never[];
  const [a, srv, txt] = await Promise.all([
    r.resolve4(name).catch(none),
    r.resolveSrv(`_radicle._tcp.${name}`).catch(none),
    r.resolveTxt(name).catch(none),
  ]);
  const nid = txt
    .map((chunks) => chunks.join(''))
    .find((t) => t.startsWith('nid='))
    ?.slice(4);
  const address = a[0];
  const port = srv[0]?.port;
  if (!nid || !address || !port) return undefined;
  return { nid, port, address, name };
}

/** SRV then TXT of an org (what a peer needs to dial it): `nid@name:port`, or undefined. */
export async function dialAddress(r: Resolver, org: Address, zone: string): Promise<string | undefined> {
  const name = `${labelOf(org)}.${zone}`;
  const [srv, txt] = await Promise.all([
    r.resolveSrv(`_radicle._tcp.${name}`).catch(() => []),
    r.resolveTxt(name).catch(() => [] as string[][]),
  ]);
  const nid = txt
    .map((c) => c.join(''))
    .find((t) => t.startsWith('nid='))
    ?.slice(4);
  const target = srv[0];
  if (!nid || !target) return undefined;
  return `${nid}@${target.name.replace(/\.$/, '')}:${target.port}`;
}

export function httpGet(
  address: string,
  path: string,
  { host, port = 80, timeoutMs = 5_000 }: { host?: string; port?: number; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port, path, headers: host ? { Host: host } : {}, timeout: timeoutMs, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} via ${address}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** `GET /api/v1/node` by Host: the node's id, or undefined. */
export async function nodeIdOverHttp(p: Published): Promise<string | undefined> {
  const r = await httpGet(p.address, '/api/v1/node', { host: p.name, timeoutMs: 3000 });
  return r.status === 200 ? (JSON.parse(r.body) as { id?: string }).id : undefined;
}

/** The head the org-node's API shows for `rid` (`payloads.xyz.radicle.project.meta.head`), or undefined. */
export async function headOverHttp(p: Published, rid: string): Promise<string | undefined> {
  const r = await httpGet(p.address, `/api/v1/repos/${rid}`, { host: p.name, timeoutMs: 3000 });
  if (r.status !== 200) return undefined;
  const view = JSON.parse(r.body) as { payloads?: Record<string, { meta?: { head?: string } }> };
  return view.payloads?.['xyz.radicle.project']?.meta?.head ?? '';
}

export interface TimedDial {
  ok: boolean;
  /** ms from the dial to the session (measured inside the peer, without `docker exec` overhead). */
  ms: number;
  answer: string;
}

/**
 * A non-persistent dial of `nid@host:port` over the node's control socket, timed inside the peer:
 * radicle answers once the session is established (or failed). Non-persistent, so a later
 * `disconnect` really ends it and the next dial measures a fresh handshake.
 */
export async function timedDial(
  peer: StartedContainer,
  address: string,
  timeoutMs: number,
): Promise<TimedDial> {
  const secs = Math.ceil(timeoutMs / 1000);
  const cmd = JSON.stringify({
    command: 'connect',
    addr: address,
    opts: { persistent: false, timeout: { secs, nanos: 0 } },
  });
  const r = await peer.exec([
    'bash',
    '-c',
    's=$(date +%s%N); out=$(orgnode-api ctl "$1" 2>&1); rc=$?; e=$(date +%s%N); echo "$s $e $rc"; echo "$out"',
    '_',
    cmd,
  ]);
  const [first = '', ...rest] = r.stdout.split('\n');
  const [s, e, rc] = first.trim().split(' ');
  const answer = rest.join('\n').trim();
  const ms = s && e && /^\d+$/.test(s) && /^\d+$/.test(e) ? Number(BigInt(e) - BigInt(s)) / 1e6 : 0;
  const ok = rc === '0' && !/disconnected|error/i.test(answer);
  return { ok, ms, answer: answer || r.stderr.trim() };
}

/** Ends the session with `nid` (control socket `disconnect`); ignores a missing session. */
export async function disconnect(peer: StartedContainer, nid: string): Promise<void> {
  await peer.exec(['orgnode-api', 'ctl', JSON.stringify({ command: 'disconnect', nid })]);
}

/** Polls `probe` until it returns a value, or returns undefined at the deadline. */
export async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
