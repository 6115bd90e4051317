/**
 * Provisioning under a burst: N orgs made through the factory, N top-ups in one block, then per org
 * the ms from that block to its records published and its HTTP answering with the published NID.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from 'viem';
import { fqdnOf, lookup, nodeInfo, publishedOf, type Published } from '../outside/index.js';
import type { World } from '../world/index.js';
import type { LatencyHistogram } from './histogram.js';
import { fmt, type Meter } from './meter.js';
import { createOrgs, topUpBurst } from './orgs.js';
import type { LoadReport } from './report.js';

export interface Provisioned {
  /** The orgs that were published, in creation order. */
  live: Address[];
  published: Map<Address, Published>;
}

/** The orgs go into the report as soon as they exist (a failed burst still shows them). */
export async function provisionBurst(
  world: World,
  count: number,
  report: Pick<LoadReport, 'orgs'>,
  m: Meter,
): Promise<Provisioned> {
  const { test, wallets, booted } = world;
  const { contracts, confirmations, dns } = booted.world;
  m.progress(`creating ${count} orgs through the factory`);
  const orgs = await createOrgs(test, wallets.orgOwner, contracts.orgFactory, count);
  report.orgs = orgs;
  m.progress(`burst: ${count} top-ups in one block; waiting for records + HTTP of every org`);
  m.resetClock();
  const burst = await topUpBurst(test, wallets.user, contracts.provider, orgs, confirmations);
  const hist = m.h.provisioning!;
  const published = await provisioned(orgs, burst.minedAt, dns, hist, m);
  m.progress(
    `provisioned ${published.size}/${orgs.length} orgs (block ${burst.block}); p50 ${fmt(hist.percentile(50))}, max ${fmt(hist.percentile(100))}`,
  );
  if (published.size === 0) throw new Error(`the provider published none of the ${orgs.length} orgs`);
  return { live: orgs.filter((org) => published.has(org)), published };
}

/** Per org: ms from the burst block to A/SRV/TXT published and /api/v1/node answering that NID. */
async function provisioned(
  orgs: readonly Address[],
  minedAt: number,
  dns: { server: string; zone: string },
  hist: LatencyHistogram,
  { now, remaining }: Pick<Meter, 'now' | 'remaining'>,
): Promise<Map<Address, Published>> {
  const timeoutMs = Math.min(remaining() - 60_000, 120_000 + orgs.length * 15_000);
  const found = new Map<Address, Published>();
  const pending = new Set(orgs);
  while (pending.size > 0 && performance.now() - minedAt < timeoutMs) {
    await Promise.all(
      [...pending].map(async (org) => {
        const name = fqdnOf(org, dns.zone);
        const p = await lookup(dns.server, name).then(
          (records) => publishedOf(name, records),
          () => undefined,
        );
        if (!p) return;
        const { nid } = await nodeInfo(p.address, p.name);
        if (nid !== p.nid || !pending.delete(org)) return;
        found.set(org, p);
        hist.record(performance.now() - minedAt, now());
      }),
    );
    if (pending.size > 0) await sleep(200);
  }
  hist.error(pending.size);
  return found;
}
