/** Peering: every peer, behind its NAT, dials an org by its SRV and TXT; timed inside the peer. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from 'viem';
import { dialAddress, disconnect, fqdnOf, timedDial, type Published } from '../outside/index.js';
import { shuffled } from './histogram.js';
import type { Meter } from './meter.js';
import type { Peer } from './world.js';

/** Timeout of one dial. */
export const DIAL_TIMEOUT_MS = 20_000;

/** Every peer dials one org (seeded choice, never one it keeps a session with) at once; then hangs up. */
export async function peeringRound(
  peers: readonly Peer[],
  orgs: readonly Address[],
  published: Map<Address, Published>,
  dns: { server: string; zone: string },
  { rng, h, now }: Pick<Meter, 'rng' | 'h' | 'now'>,
): Promise<void> {
  const plan = shuffled(peers, rng).map((peer) => {
    const free = orgs.filter((org) => !peer.pinned.has(org));
    return { peer, org: free.length ? free[Math.floor(rng() * free.length)] : undefined };
  });
  await Promise.all(
    plan.map(async ({ peer, org }) => {
      if (!org) return;
      const d0 = performance.now();
      const address = await dialAddress(dns.server, fqdnOf(org, dns.zone)).catch(() => undefined);
      if (!address) {
        h.dns!.error();
        return;
      }
      h.dns!.record(performance.now() - d0, now());
      const dial = await timedDial(peer.host, address, DIAL_TIMEOUT_MS).catch((e: Error) => ({
        ok: false,
        ms: 0,
        answer: e.message,
      }));
      if (dial.ok) h.peering!.record(dial.ms, now());
      else h.peering!.error();
    }),
  );
  // Hang up, so the next round measures a fresh dial through the NAT and the edge.
  await Promise.all(
    plan.map(async ({ peer, org }) => {
      if (org) await disconnect(peer.host, published.get(org)!.nid).catch(() => undefined);
    }),
  );
  await sleep(500);
}
