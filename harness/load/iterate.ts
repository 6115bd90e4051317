/** The iterations of a load run: peering, replication, then HTTP through the edge, each round at once. */
import type { Address } from 'viem';
import type { Published } from '../outside/index.js';
import { httpLoad } from './http.js';
import { fmt, type Meter } from './meter.js';
import type { LoadOptions } from './options.js';
import { peeringRound } from './peering.js';
import { replicationRound, type Pairs } from './replication.js';
import type { Peer } from './world.js';

export interface Stage {
  peers: Peer[];
  /** The published orgs. */
  live: Address[];
  published: Map<Address, Published>;
  pairs: Pairs;
  dns: { server: string; zone: string };
}

/** Iterates by count (default 3) or until `durationSeconds`, leaving the last minute of the bound. */
export async function iterate(o: LoadOptions, stage: Stage, m: Meter): Promise<void> {
  const iterations = o.durationSeconds !== undefined ? Infinity : (o.iterations ?? 3);
  const began = performance.now();
  for (let it = 1; it <= Math.min(iterations, 10_000); it++) {
    if (o.durationSeconds !== undefined && it > 1 && performance.now() - began >= o.durationSeconds * 1000)
      break;
    if (m.remaining() < 60_000) {
      m.notes.push(`stopped after ${it - 1} iterations: the time bound (${o.maxMinutes} min) was near`);
      break;
    }
    await iteration(it, o, stage, m);
  }
}

async function iteration(it: number, o: LoadOptions, stage: Stage, m: Meter): Promise<void> {
  const { peers, live, published, pairs } = stage;
  const { h, progress } = m;
  progress(`iteration ${it}: peering (${peers.length} peers dial at once)`);
  await peeringRound(peers, live, published, stage.dns, m);
  if (pairs.provider.length + pairs.baseline.length > 0) {
    progress(
      `iteration ${it}: replication (${pairs.provider.length} via the provider, ${pairs.baseline.length} direct)`,
    );
    await replicationRound(pairs, published, m);
  }
  progress(`iteration ${it}: HTTP, ${o.httpSeconds} s per endpoint, ${o.httpConnections} connections`);
  for (const [metric, path] of [
    ['http_node', '/api/v1/node'],
    ['http_repos', '/api/v1/repos'],
  ] as const) {
    const r = await httpLoad({
      targets: httpTargets(stage),
      path,
      connections: o.httpConnections,
      durationSeconds: o.httpSeconds,
      histogram: h[metric]!,
      now: m.now,
    });
    const prev = h[metric]!.rps;
    h[metric]!.rps = prev === undefined ? r.rps : (prev * (it - 1) + r.rps) / it;
  }
  progress(
    `iteration ${it} done: peering p50 ${fmt(h.peering!.percentile(50))}, replication p50 ${fmt(h.replication!.percentile(50))}, ` +
      `http_node p50 ${fmt(h.http_node!.percentile(50))} (${Math.round(h.http_node!.rps ?? 0)} req/s)`,
  );
}

/** Each published org's address and Host name: what HTTP load goes to. */
export const httpTargets = ({ live, published }: Pick<Stage, 'live' | 'published'>) =>
  live.map((org) => ({ address: published.get(org)!.address, host: published.get(org)!.name }));
