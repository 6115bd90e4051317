/**
 * HTTP of SPEC.md §4: asked of the published address on port 80, routed by `Host: <label>.<zone>`.
 * A judgement asks `from` a peer on `internet` (the harness host reaches every Docker bridge, the
 * provider's private ones too, so what it sees is not what the internet sees).
 */
import { request } from 'node:http';
import type { StartedContainer } from '../docker/container.js';
import { httpFrom } from '../peers/index.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpGetOptions {
  /** The `Host` header (none when absent). */
  host?: string;
  port?: number;
  timeoutMs?: number;
  /** Ask from inside this container (a peer on `internet`) instead of from the harness host. */
  from?: StartedContainer;
}

/** GET `path` from `address`; rejects when nothing answered. A fresh connection each time (no agent). */
export function httpGet(
  address: string,
  path: string,
  { host, port = 80, timeoutMs = 5_000, from }: HttpGetOptions = {},
): Promise<HttpAnswer> {
  if (from) return httpGetFrom(from, address, path, { ...(host && { host }), port, timeoutMs });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port, path, headers: host ? { Host: host } : {}, timeout: timeoutMs, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} via ${address}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * One GET from inside `peer` on a fresh connection: over its control listener, else (an image
 * without one) HTTP/1.0 over bash's /dev/tcp in an exec, `Connection: close`, read until the server
 * closes it.
 */
async function httpGetFrom(
  peer: StartedContainer,
  address: string,
  path: string,
  { host, port, timeoutMs }: { host?: string; port: number; timeoutMs: number },
): Promise<HttpAnswer> {
  const answer = await httpFrom(peer, { address, port, path, ...(host && { host }), timeoutMs });
  if (answer) return answer;
  const script =
    'exec 3<>"/dev/tcp/$1/$2" || exit 7; ' +
    'printf "GET %s HTTP/1.0\\r\\n%sConnection: close\\r\\n\\r\\n" "$3" "$4" >&3; cat <&3';
  const header = host ? `Host: ${host}\r\n` : '';
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  const r = await peer.exec([
    'timeout',
    String(secs),
    'bash',
    '-c',
    script,
    '_',
    address,
    String(port),
    path,
    header,
  ]);
  if (r.exitCode === 124) throw new Error(`GET ${path} via ${address}:${port} from ${peer.name}: timed out`);
  if (r.exitCode !== 0 || !r.stdout)
    throw new Error(
      `GET ${path} via ${address}:${port} from ${peer.name}: ${r.stderr.trim() || 'no answer'}`,
    );
  return parseHttpAnswer(r.stdout);
}

/** Status and body of a raw HTTP/1.x answer (a chunked body is joined). */
export function parseHttpAnswer(raw: string): HttpAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? '' : raw.slice(split + 4);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  if (/^transfer-encoding:\s*chunked/im.test(head)) body = dechunk(body);
  return { status, body };
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (eol < 0 || !size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

/** Like httpGet, but status 0 (the error in `body`) when nothing answered: an observation, not a failure. */
export function httpAnswer(address: string, path: string, options?: HttpGetOptions): Promise<HttpAnswer> {
  return httpGet(address, path, { timeoutMs: 3_000, ...options }).catch((error: Error) => ({
    status: 0,
    body: error.message,
  }));
}

const NID_RE = /^z6Mk[1-9A-HJ-NP-Za-km-z]{40,60}$/;

export interface NodeInfo {
  status: number;
  nid?: string;
  /** When the node process in its container started, and how often it restarted there. */
  startedAt?: string;
  restarts?: number;
}

/** `GET /api/v1/node` by Host: the status, and the NID (when it is one) and supervisor facts. */
export async function nodeInfo(address: string, host: string, from?: StartedContainer): Promise<NodeInfo> {
  const r = await httpAnswer(address, '/api/v1/node', { host, ...(from && { from }) });
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
export async function servesRepo(
  address: string,
  host: string,
  rid: string,
  from?: StartedContainer,
): Promise<boolean> {
  return (await httpAnswer(address, `/api/v1/repos/${rid}`, { host, ...(from && { from }) })).status === 200;
}

/**
 * The head the org-node's API shows for `rid` (`payloads.xyz.radicle.project.meta.head`; '' when it
 * shows none), or undefined while it does not serve it.
 */
export async function repoHead(address: string, host: string, rid: string): Promise<string | undefined> {
  const r = await httpAnswer(address, `/api/v1/repos/${rid}`, { host });
  if (r.status !== 200) return undefined;
  try {
    const view = JSON.parse(r.body) as { payloads?: Record<string, { meta?: { head?: string } }> };
    return view.payloads?.['xyz.radicle.project']?.meta?.head ?? '';
  } catch {
    return undefined;
  }
}
