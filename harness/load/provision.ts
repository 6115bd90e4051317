/**
 * Provisioning under a burst: N orgs made through the factory, N top-ups in one block, then per org
 * the ms from that block to its records published and its HTTP answering with the published NID.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from 'viem';
import pLimit from 'p-limit';
import { fqdnOf, lookup, nodeInfo, publishedOf, txtRecords, type Published } from '../outside/index.js';
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
  report: Pick<LoadReport, 'orgs' | 'served' | 'observation'>,
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
  const cost: ObservationCost = {
    polls: 0,
    orgPolls: 0,
    dnsQueries: 0,
    httpRequests: 0,
    cpuMs: 0,
    wallMs: 0,
  };
  const published = await provisioned(orgs, burst.minedAt, dns, hist, m, cost);
  report.observation = cost;
  m.notes.push(describeCost(cost));
  m.progress(
    `provisioned ${published.size}/${orgs.length} orgs (block ${burst.block}); p50 ${fmt(hist.percentile(50))}, max ${fmt(hist.percentile(100))}`,
  );
  m.progress(describeCost(cost));
  if (published.size === 0) throw new Error(`the provider published none of the ${orgs.length} orgs`);
  const live = orgs.filter((org) => published.has(org));
  report.served = live;
  return { live, published };
}

/** What watching the burst cost the harness: its polls, its queries, its own CPU. */
export interface ObservationCost {
  polls: number;
  /** Org look-ups summed over polls (an org pending in 3 polls counts 3). */
  orgPolls: number;
  dnsQueries: number;
  httpRequests: number;
  /** The harness process's CPU (user + system) while polling, in ms. */
  cpuMs: number;
  wallMs: number;
}

/** In flight at once: enough to keep up with 500 orgs, few enough not to open 1500 sockets in a burst. */
const POLL_CONCURRENCY = 64;

/**
 * Per org: ms from the burst block to A/SRV/TXT published and /api/v1/node answering that NID. A poll
 * asks one TXT per pending org (the NID is what comes last); only an org whose NID is out gets its
 * A + SRV and an HTTP request, so a poll costs one small query per pending org.
 */
async function provisioned(
  orgs: readonly Address[],
  minedAt: number,
  dns: { server: string; zone: string },
  hist: LatencyHistogram,
  { now, remaining }: Pick<Meter, 'now' | 'remaining'>,
  cost: ObservationCost,
): Promise<Map<Address, Published>> {
  const timeoutMs = Math.min(remaining() - 60_000, 120_000 + orgs.length * 15_000);
  const found = new Map<Address, Published>();
  const pending = new Set(orgs);
  const limit = pLimit(POLL_CONCURRENCY);
  const one = async (org: Address) => {
    const name = fqdnOf(org, dns.zone);
    cost.dnsQueries++;
    const txt = await txtRecords(dns.server, name).catch(() => []);
    if (!txt.some((t) => t.nid)) return;
    cost.dnsQueries += 3;
    const p = await lookup(dns.server, name).then(
      (records) => publishedOf(name, records),
      () => undefined,
    );
    if (!p) return;
    cost.httpRequests++;
    const { nid } = await nodeInfo(p.address, p.name);
    if (nid !== p.nid || !pending.delete(org)) return;
    found.set(org, p);
    hist.record(performance.now() - minedAt, now());
  };
  while (pending.size > 0 && performance.now() - minedAt < timeoutMs) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    cost.polls++;
    cost.orgPolls += pending.size;
    await Promise.all([...pending].map((org) => limit(() => one(org))));
    const cpu = process.cpuUsage(cpu0);
    cost.cpuMs += (cpu.user + cpu.system) / 1000;
    cost.wallMs += performance.now() - t0;
    if (pending.size > 0) await sleep(200);
  }
  hist.error(pending.size);
  return found;
}

/** One line for the report: per poll and per org looked up. */
export function describeCost(c: ObservationCost): string {
  const perPoll = c.polls ? c.cpuMs / c.polls : 0;
  const perOrg = c.orgPolls ? (c.cpuMs * 1000) / c.orgPolls : 0;
  return (
    `observation of the burst: ${c.polls} polls, ${c.orgPolls} org look-ups, ${c.dnsQueries} DNS queries, ` +
    `${c.httpRequests} HTTP requests; harness CPU ${Math.round(c.cpuMs)} ms in ${Math.round(c.wallMs)} ms of polling ` +
    `(${perPoll.toFixed(1)} ms per poll, ${Math.round(perOrg)} µs per org per poll)`
  );
}
