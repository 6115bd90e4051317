/**
 * `oneclick up`: a world that stays up, with its API and live dashboard on 127.0.0.1. Everything it
 * creates belongs to `run` (Ctrl-C and a crash remove it too); `stop()` ends the server first.
 */
import { randomBytes } from 'node:crypto';
import { followLines } from '../docker/logs.js';
import type { Run } from '../docker/run.js';
import { nid } from '../peers/index.js';
import { runAction } from './actions.js';
import { eventLog, type EventLog } from './events.js';
import { observe } from './observe.js';
import { serveWorld } from './server.js';
import { writeWorldFile } from './state.js';
import { bootPlayground, type PlaygroundOptions } from './world.js';

export { findWorld, worldsUp, type WorldFile } from './state.js';
export { ACTION_KINDS } from './actions.js';

export interface Playground {
  runId: string;
  port: number;
  /** A dashboard URL with a one-time ticket (the token itself is never in a URL or a log). */
  dashboardUrl(): string;
  events: EventLog;
  summary: Record<string, unknown>;
  /** Seconds from the call to a world whose dashboard has its first observation. */
  readySeconds: number;
  stop(): Promise<void>;
}

export async function startPlayground(
  run: Run,
  o: PlaygroundOptions & { port: number },
): Promise<Playground> {
  const t0 = performance.now();
  const ctx = await bootPlayground(run, o);
  const w = ctx.world;
  const events = eventLog(w.redact);
  events.add(
    'world',
    `world ${run.id} up: provider ${w.provider.manifest.name} ready after ${w.provider.readyAfterMs} ms`,
  );
  const nids = new Map(await Promise.all([...w.peers].map(async ([n, h]) => [n, await nid(h)] as const)));
  for (const name of w.orgs.keys()) await runAction(ctx, events, 'top-up', { org: name });
  const observer = observe(ctx, events, { blockTime: o.blockTime, nids });
  const unfollow = followLines(w.provider.container.id, (line) => events.add('provider', line), 20);
  const token = randomBytes(24).toString('hex');
  const server = await serveWorld({ ctx, events, observer, token, port: o.port });
  const removeFile = await writeWorldFile({
    runId: run.id,
    pid: process.pid,
    port: server.port,
    token,
    startedAt: new Date().toISOString(),
  });
  const stop = async () => {
    observer.stop();
    unfollow();
    await removeFile();
    await server.close();
  };
  run.defer(stop);
  while (!observer.current()) await new Promise((r) => setTimeout(r, 100));
  const b = w.booted;
  return {
    runId: run.id,
    port: server.port,
    dashboardUrl: () => server.dashboardUrl(),
    events,
    readySeconds: Math.round(performance.now() - t0) / 1000,
    summary: {
      runId: run.id,
      api: `http://127.0.0.1:${server.port}`,
      openapi: `http://127.0.0.1:${server.port}/openapi.json`,
      seed: o.seed,
      provider: {
        name: w.provider.manifest.name,
        version: w.provider.manifest.version,
        container: w.provider.name,
      },
      chain: { rpcUrl: b.chain.rpcUrl, chainId: b.chain.chainId, blockTime: o.blockTime },
      currency: o.currency,
      contracts: {
        provider: b.world.contracts.provider,
        entrance: b.deployment.entrance,
        orgFactory: b.deployment.orgFactory,
      },
      dns: { server: b.world.dns.server, zone: b.world.dns.zone },
      orgs: Object.fromEntries(w.orgs),
      peers: Object.fromEntries(
        [...w.peers].map(([n, h]) => [n, { lan: h.lan?.name, nat: h.lan?.router.nat, nid: nids.get(n) }]),
      ),
    },
    stop,
  };
}
