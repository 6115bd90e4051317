/**
 * What the dashboard shows, observed from outside as the harness judges a provider: the chain head,
 * each org's expiry and state with its records, NID, port and p2p/HTTP health (the `served`
 * condition, judged by the probe peer), the peers and their sessions. Changes become events.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from 'viem';
import { ethProviderAbi } from '../../contracts/index.js';
import { expiryOf } from '../chain/actions.js';
import type { Dial } from '../outside/index.js';
import { sessions } from '../peers/index.js';
import { judge } from '../scenario/conditions.js';
import type { ScenarioContext } from '../scenario/context.js';
import type { Currency } from '../spec/requirements.js';
import { worldCurrency } from './actions.js';
import type { EventLog } from './events.js';

export type OrgState = 'unpaid' | 'pending' | 'served' | 'expiring' | 'gone';

export interface OrgView {
  name: string;
  address: Address;
  state: OrgState;
  expiry: number;
  /** expiry − head (≤ 0: expired). */
  blocksLeft: number;
  graceEnd: number;
  nid?: string;
  /** The public p2p address and port (A and SRV). */
  host?: string;
  port?: number;
  records: { a: string[]; srv: string[]; txt: string[] };
  health: { http: number; p2p: string };
}

export interface PeerView {
  name: string;
  lan?: string;
  nat?: string;
  nid?: string;
  address: string;
  publicAddress?: string;
  sessions: Array<{ nid: string; state: string; link: string }>;
}

export interface Snapshot {
  runId: string;
  at: string;
  head: number;
  blockTime: number;
  /** What the provider contract is paid in: the top-ups the dashboard offers. */
  currency: Currency;
  confirmations: number;
  graceBlocks: number;
  provider: { name: string; address: string; container: string; running: boolean };
  orgs: OrgView[];
  peers: PeerView[];
  topology: {
    internet: string;
    dns: string;
    chain: string;
    lans: Array<{ name: string; subnet: string; router: string; nat?: string }>;
  };
  faults: number;
}

interface Judged {
  served: boolean;
  a: string[];
  srv: Array<{ target: string; port: number }>;
  txt: string[];
  http: { status: number; nid?: string };
  /** The probe's fresh handshakes at A:SRV-port, as the `served` judgement dialed them. */
  dials: Dial[];
}

/** `ok` when a dial answered with a published NID, else why not (the first round has no endpoint yet). */
function p2pHealth(j: Judged): string {
  if (j.dials.some((d) => d.ok)) return 'ok';
  const last = j.dials.at(-1);
  if (last) return last.error ?? 'no answer';
  return !j.a.length || !j.srv.length ? 'nothing to dial' : 'no NID to dial';
}

function stateOf(expiry: number, head: number, grace: number, j: Judged): OrgState {
  const published = j.a.length + j.srv.length + j.txt.length > 0 || j.http.status === 200;
  if (expiry === 0) return published ? 'expiring' : 'unpaid';
  if (expiry > head) return j.served ? 'served' : 'pending';
  if (!published) return head >= expiry + grace ? 'gone' : 'expiring';
  return 'expiring';
}

async function orgView(ctx: ScenarioContext, name: string, head: number): Promise<OrgView> {
  const w = ctx.world;
  const address = ctx.org(name);
  const [expiry, judged] = await Promise.all([
    expiryOf(w.test, w.booted.world.contracts.provider, address),
    judge(ctx, { kind: 'served', org: name }),
  ]);
  const o = judged.observed as unknown as Judged;
  const j = { ...o, served: judged.holds };
  const e = Number(expiry);
  const srv = o.srv[0];
  return {
    name,
    address,
    state: stateOf(e, head, w.profile.graceBlocks, j),
    expiry: e,
    blocksLeft: e - head,
    graceEnd: e + w.profile.graceBlocks,
    ...(o.http.nid && { nid: o.http.nid }),
    ...(o.a[0] && { host: o.a[0] }),
    ...(srv && { port: srv.port }),
    records: { a: o.a, srv: o.srv.map((s) => `${s.target}:${s.port}`), txt: o.txt },
    health: { http: o.http.status, p2p: p2pHealth(o) },
  };
}

async function peerViews(ctx: ScenarioContext, nids: Map<string, string>): Promise<PeerView[]> {
  return Promise.all(
    [...ctx.world.peers].map(async ([name, host]) => {
      const s = await sessions(host).catch(() => []);
      const nid = nids.get(name);
      return {
        name,
        ...(host.lan && { lan: host.lan.name, nat: host.lan.router.nat }),
        ...(nid && { nid }),
        address: host.address,
        ...(host.publicAddress && { publicAddress: host.publicAddress }),
        sessions: s.map((x) => ({ nid: x.nid, state: x.state, link: x.link })),
      };
    }),
  );
}

export interface Observer {
  /** The latest snapshot (after the first round). */
  current(): Snapshot | undefined;
  /** Calls `listener` after every round that changed something. */
  subscribe(listener: (s: Snapshot) => void): () => void;
  stop(): void;
}

/** Observes the world every `intervalMs` until stopped; records chain events and state changes. */
export function observe(
  ctx: ScenarioContext,
  events: EventLog,
  o: { blockTime: number; nids: Map<string, string>; intervalMs?: number },
): Observer {
  const w = ctx.world;
  const listeners = new Set<(s: Snapshot) => void>();
  let last: Snapshot | undefined;
  let lastKey = '';
  let stopped = false;
  let fromBlock = 0n;
  const states = new Map<string, string>();

  const chainEvents = async (head: bigint) => {
    if (head < fromBlock - 1n) events.add('chain', `head went back to block ${head} (a reorg)`);
    if (head < fromBlock) {
      fromBlock = head + 1n;
      return;
    }
    const logs = await w.test.getContractEvents({
      address: w.booted.world.contracts.provider,
      abi: ethProviderAbi,
      fromBlock,
      toBlock: head,
    });
    fromBlock = head + 1n;
    const names = new Map([...w.orgs].map(([n, a]) => [a.toLowerCase(), n]));
    for (const log of logs) {
      const args = (log.args ?? {}) as Record<string, unknown>;
      const org = typeof args.org === 'string' ? (names.get(args.org.toLowerCase()) ?? args.org) : '';
      if (log.eventName === 'NewTopUp')
        events.add('chain', `NewTopUp(${org}, expiry ${String(args.expiry)}) in block ${log.blockNumber}`);
      else if (log.eventName === 'DeploymentStopped')
        events.add(
          'chain',
          `DeploymentStopped(${org}, at ${String(args.atBlock)}) in block ${log.blockNumber}`,
        );
    }
  };

  const round = async (): Promise<Snapshot> => {
    const head = await w.test.getBlockNumber({ cacheTime: 0 });
    await chainEvents(head).catch((e: Error) => events.add('world', `chain events: ${e.message}`));
    const h = Number(head);
    const [orgs, peers, running] = await Promise.all([
      Promise.all([...w.orgs.keys()].map((name) => orgView(ctx, name, h))),
      peerViews(ctx, o.nids),
      w.provider.container
        .inspect()
        .then((i) => i.State.Running)
        .catch(() => false),
    ]);
    for (const org of orgs) {
      const key = `${org.state} ${org.nid ?? '-'} ${org.port ?? '-'}`;
      if (states.get(org.name) !== key) {
        if (states.has(org.name) || org.state !== 'unpaid')
          events.add(
            'probe',
            `${org.name}: ${org.state}${org.nid ? ` (NID ${org.nid}${org.port ? `, port ${org.port}` : ''})` : ''}`,
          );
        states.set(org.name, key);
      }
    }
    const t = w.booted.topology;
    return {
      runId: w.run.id,
      at: new Date().toISOString(),
      head: h,
      blockTime: o.blockTime,
      currency: worldCurrency(ctx),
      confirmations: w.profile.confirmations,
      graceBlocks: w.profile.graceBlocks,
      provider: {
        name: w.provider.manifest.name,
        address: w.provider.address,
        container: w.provider.name,
        running,
      },
      orgs,
      peers,
      topology: {
        internet: t.internet.subnet,
        dns: t.dns.address,
        chain: w.booted.chain.rpcUrl.replace(/^https?:\/\//, ''),
        lans: t.lans.map((l) => ({
          name: l.name,
          subnet: l.network.subnet,
          router: l.router.publicAddress,
          nat: l.router.nat,
        })),
      },
      faults: ctx.faults.length,
    };
  };

  void (async () => {
    while (!stopped) {
      try {
        const s = await round();
        const { at: _at, ...rest } = s;
        const key = JSON.stringify(rest);
        last = s;
        if (key !== lastKey) {
          lastKey = key;
          for (const l of listeners) l(s);
        }
      } catch (error) {
        if (!stopped) events.add('world', `observation failed: ${(error as Error).message}`);
      }
      await sleep(o.intervalMs ?? 1000);
    }
  })();

  return {
    current: () => last,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    stop: () => void (stopped = true),
  };
}
