/**
 * Black-box probes of one org, as an outsider sees it: DNS asked from the host at the topology's
 * server, HTTP by Host through the published address, TCP and radicle handshakes from the harness's
 * own peers. Nothing here reads the provider's internals.
 */
import { Resolver } from 'node:dns/promises';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import type { Address } from 'viem';
import { connect, type Session, sessions } from '../peers/index.js';
import type { StartedContainer } from '../docker/container.js';
import { dockerEngine } from '../docker/engine.js';
import { RUN_LABEL } from '../docker/labels.js';

export interface Records {
  a: string[];
  srv: { target: string; port: number }[];
  txt: { nid?: string; expiry?: bigint; raw: string }[];
}

export const labelOf = (org: Address): string => org.toLowerCase().slice(2);
export const fqdnOf = (org: Address, zone: string): string => `${labelOf(org)}.${zone}`;

const NID_RE = /^z6Mk[1-9A-HJ-NP-Za-km-z]{40,60}$/;

function resolverFor(server: string): Resolver {
  const resolver = new Resolver({ timeout: 1500, tries: 2 });
  resolver.setServers([server]);
  return resolver;
}

const absent = (error: unknown): boolean =>
  ['ENOTFOUND', 'ENODATA', 'ENONAME'].includes((error as NodeJS.ErrnoException).code ?? '');

async function orEmpty<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    if (absent(error)) return [];
    throw error;
  }
}

/** A, SRV and TXT of `fqdn` from `server` (host[:port]); missing names and types are empty lists. */
export async function lookup(server: string, fqdn: string): Promise<Records> {
  const r = resolverFor(server);
  const [a, srv, txt] = await Promise.all([
    orEmpty(r.resolve4(fqdn)),
    orEmpty(r.resolveSrv(`_radicle._tcp.${fqdn}`)),
    orEmpty(r.resolveTxt(fqdn)),
  ]);
  return {
    a: a.sort(),
    srv: srv.map((s) => ({ target: s.name.replace(/\.$/, ''), port: s.port })),
    txt: txt.map((chunks) => parseTxt(chunks.join(''))),
  };
}

/** `nid=… expiry=…` (space or `;` separated, any order). */
export function parseTxt(raw: string): { nid?: string; expiry?: bigint; raw: string } {
  const fields = new Map(
    raw
      .split(/[\s;]+/)
      .map((kv) => kv.split('=') as [string, string | undefined])
      .filter(([, v]) => v !== undefined) as [string, string][],
  );
  const expiry = fields.get('expiry');
  return {
    raw,
    ...(fields.has('nid') && { nid: fields.get('nid')! }),
    ...(expiry !== undefined && /^\d+$/.test(expiry) && { expiry: BigInt(expiry) }),
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET `path` from `address:80` with `Host: host`; status 0 when nothing answered. */
export function httpGet(address: string, host: string, path: string, timeoutMs = 3_000): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const req = request(
      { host: address, port: 80, path, headers: { Host: host }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', () => resolve({ status: 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

export interface NodeInfo {
  status: number;
  nid?: string;
  /** When the node process in its container started, and how often it restarted there. */
  startedAt?: string;
  restarts?: number;
}

/** `GET /api/v1/node` routed by Host. */
export async function nodeInfo(address: string, host: string): Promise<NodeInfo> {
  const r = await httpGet(address, host, '/api/v1/node');
  if (r.status !== 200) return { status: r.status };
  try {
    const body = JSON.parse(r.body) as {
      id?: unknown;
      supervisor?: { startedAt?: unknown; restarts?: unknown };
    };
    const nid = typeof body.id === 'string' && NID_RE.test(body.id) ? body.id : undefined;
    return {
      status: r.status,
      ...(nid && { nid }),
      ...(typeof body.supervisor?.startedAt === 'string' && { startedAt: body.supervisor.startedAt }),
      ...(typeof body.supervisor?.restarts === 'number' && { restarts: body.supervisor.restarts }),
    };
  } catch {
    return { status: r.status };
  }
}

/** Whether the org-node serves repository `rid` (`GET /api/v1/repos/<rid>` by Host). */
export async function servesRepo(address: string, host: string, rid: string): Promise<boolean> {
  return (await httpGet(address, host, `/api/v1/repos/${rid}`)).status === 200;
}

/** Whether a TCP connection to `address:port` is accepted within `timeoutMs`. */
export function tcpOpen(address: string, port: number, timeoutMs = 1_500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: address, port, timeout: timeoutMs });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** A radicle handshake from `peer` to `nid@host:port` (an existing session counts). */
export async function handshake(
  peer: StartedContainer,
  nid: string,
  host: string,
  port: number,
  timeoutMs = 8_000,
): Promise<{ ok: boolean; session?: Session; error?: string }> {
  try {
    return { ok: true, session: await connect(peer, `${nid}@${host}:${port}`, { timeoutMs }) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] };
  }
}

/** `peer`'s session with `nid`, if any. */
export async function sessionWith(peer: StartedContainer, nid: string): Promise<Session | undefined> {
  return (await sessions(peer)).find((s) => s.nid === nid);
}

/** The label SPEC.md §4 puts on an org's node container (value: the org address, lowercase, 0x). */
export const ORG_LABEL = 'oneclick.org';

/** Containers of the run labelled for `org` (running ones unless `all`), as an operator lists them. */
export async function orgContainers(runId: string, org: Address, options: { all?: boolean } = {}) {
  return dockerEngine().listContainers({
    all: options.all ?? false,
    filters: { label: [`${RUN_LABEL}=${runId}`, `${ORG_LABEL}=${org.toLowerCase()}`] },
  });
}
