/** HTTP of SPEC.md §4: asked of the published address on port 80, routed by `Host: <label>.<zone>`. */
import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpGetOptions {
  /** The `Host` header (none when absent). */
  host?: string;
  port?: number;
  timeoutMs?: number;
}

/** GET `path` from `address`; rejects when nothing answered. A fresh connection each time (no agent). */
export function httpGet(
  address: string,
  path: string,
  { host, port = 80, timeoutMs = 5_000 }: HttpGetOptions = {},
): Promise<HttpAnswer> {
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
export async function nodeInfo(address: string, host: string): Promise<NodeInfo> {
  const r = await httpAnswer(address, '/api/v1/node', { host });
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
  return (await httpAnswer(address, `/api/v1/repos/${rid}`, { host })).status === 200;
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
