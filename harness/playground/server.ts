/**
 * The world API: one HTTP server on 127.0.0.1 that the dashboard, `oneclick world` and k6 talk to
 * (documented by /openapi.json). Every /api route wants the world's token, as `Authorization:
 * Bearer` or as the HttpOnly cookie a one-time dashboard ticket sets; the Host must be the loopback
 * address (no DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ScenarioContext } from '../scenario/context.js';
import { ActionInputError, actionKinds, runAction } from './actions.js';
import type { EventLog } from './events.js';
import type { Observer } from './observe.js';
import { openApiDocument } from './openapi.js';
import { peerOperation, type PeerOp } from './peering.js';

export interface WorldServer {
  port: number;
  /** A dashboard URL with a fresh one-time ticket (it sets the session cookie and is spent). */
  dashboardUrl(): string;
  close(): Promise<void>;
}

const UI = fileURLToPath(new URL('./ui/', import.meta.url));
const ASSETS: Record<string, string> = {
  '/': 'dashboard.html',
  '/dashboard.js': 'dashboard.js',
  '/dashboard.css': 'dashboard.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";
const COOKIE = 'oneclick_session';
const TICKET_MS = 10 * 60_000;
const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

export interface ServeOptions {
  ctx: ScenarioContext;
  events: EventLog;
  observer: Observer;
  token: string;
  /** 0: any free port. */
  port: number;
}

export async function serveWorld(o: ServeOptions): Promise<WorldServer> {
  const { ctx, events, observer, token } = o;
  const tickets = new Map<string, number>();
  let port = 0;
  const authorized = (req: IncomingMessage) => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return same(auth.slice(7), token);
    const c = cookieOf(req);
    return c !== undefined && same(c, token);
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/world') {
      const s = observer.current();
      if (!s) throw new HttpError(503, 'the first observation is still under way');
      return send(res, 200, s);
    }
    if (method === 'GET' && path === '/api/events') return stream(req, res);
    if (method === 'GET' && path === '/api/log') {
      const since = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('since') ?? 0);
      return send(res, 200, { events: events.recent().filter((e) => e.seq > since) });
    }
    if (method === 'GET' && path === '/api/actions') return send(res, 200, { actions: actionKinds() });
    if (method === 'POST' && path === '/api/tickets') return send(res, 200, { url: dashboardUrl() });
    const action = /^\/api\/actions\/([a-z-]+)$/.exec(path);
    if (method === 'POST' && action)
      return send(res, 200, await runAction(ctx, events, action[1]!, await body(req)));
    const peerOp = /^\/api\/peers\/([^/]+)\/(dial|push|wait-ref)$/.exec(path);
    if (method === 'POST' && peerOp) {
      const [, peer, op] = peerOp as unknown as [string, string, PeerOp];
      return send(res, 200, await peerOperation(ctx, events, op, peer, await body(req)));
    }
    throw new HttpError(404, `no route ${method} ${path} (see /openapi.json)`);
  };

  const stream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    const write = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const s = observer.current();
    if (s) write('snapshot', s);
    for (const e of events.recent().slice(-200)) write('event', e);
    const offSnap = observer.subscribe((snap) => write('snapshot', snap));
    const offEvent = events.subscribe((e) => write('event', e));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      offSnap();
      offEvent();
      clearInterval(ping);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      throw new HttpError(421, `Host must be 127.0.0.1:${port}`);
    const path = url.pathname;
    if (path === '/favicon.ico') return void res.writeHead(204).end(); // none: no console 404
    if (path === '/openapi.json') return send(res, 200, openApiDocument(actionKinds()));
    const asset = ASSETS[path];
    if (asset && req.method === 'GET') {
      const ticket = url.searchParams.get('ticket');
      if (ticket !== null) {
        const until = tickets.get(ticket);
        tickets.delete(ticket);
        if (until === undefined || until < Date.now())
          throw new HttpError(
            403,
            'this dashboard link was used or is older than 10 minutes: `oneclick world url` prints a new one',
          );
        res.writeHead(303, {
          location: '/',
          'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        });
        return res.end();
      }
      const text = await readFile(`${UI}${asset}`, 'utf8');
      res.writeHead(200, {
        'content-type': TYPES[asset.split('.').pop()!]!,
        'content-security-policy': CSP,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      return res.end(text);
    }
    if (!path.startsWith('/api/')) throw new HttpError(404, `no page ${path}`);
    if (!authorized(req))
      throw new HttpError(401, 'this world wants its token (Authorization: Bearer, from its world file)');
    return api(req, res, path);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      const status =
        error instanceof HttpError ? error.status : error instanceof ActionInputError ? 400 : 500;
      const problems =
        error instanceof ActionInputError
          ? error.problems
          : error instanceof HttpError
            ? error.problems
            : undefined;
      if (res.headersSent) return void res.end();
      send(res, status, { error: ctx.world.redact(error.message), ...(problems && { problems }) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  function dashboardUrl(): string {
    const ticket = randomBytes(16).toString('hex');
    tickets.set(ticket, Date.now() + TICKET_MS);
    return `http://127.0.0.1:${port}/?ticket=${ticket}`;
  }

  return {
    port,
    dashboardUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
