/**
 * Judges one Condition black-box, once. `wait`, `expect` and `never` call it repeatedly; what it
 * returns becomes the evidence (what had to hold, what was seen).
 */
import type { Address } from 'viem';
import { expiryOf } from '../chain/actions.js';
import { fetch as fetchRepo, refs, seed } from '../peers/index.js';
import type { ScenarioContext } from './context.js';
import type { Condition } from './model.js';
import {
  answeringNid,
  endpointOf,
  fqdnOf,
  freshHandshake,
  goneObligations,
  handshake,
  lookup,
  nodeInfo,
  observeGone,
  observeOrg,
  orgContainers,
  problemsOf,
  servedObligations,
  servesRepo,
  sessionWith,
  type NodeInfo,
  type Obligation,
  type OrgObservation,
  type Records,
} from '../outside/index.js';

export interface Judgement {
  holds: boolean;
  expected: string;
  observed: Record<string, unknown>;
  /** What broke, when it does not hold (default: expected). */
  failure?: string;
  /** Polling may stop: all that was judged holds, also what goes to other requirements (default: holds). */
  settled?: boolean;
  /**
   * A contradiction no waiting mends (a NID the node does not answer with, a port another org
   * answers on): a wait that sees the same one again and again ends before its deadline.
   */
  decided?: string;
  /** One evidence line per obligation: for the step's `proves`, or (with `requirement`) for that one. */
  lines?: JudgementLine[];
}

export interface JudgementLine {
  requirement?: string;
  holds: boolean;
  expected: string;
  problem?: string;
}

interface OrgView {
  org: Address;
  fqdn: string;
  records: Records;
  /** Where HTTP was asked: the A record, else where the org was last seen. */
  address?: string;
  port?: number;
  node: NodeInfo;
}

/** Records and the HTTP node answer of an org (asked from the probe on `internet`). */
async function view(ctx: ScenarioContext, name: string): Promise<OrgView> {
  const org = ctx.org(name);
  const fqdn = fqdnOf(org, ctx.zone);
  const records = await lookup(ctx.dnsServer, fqdn);
  const seen = ctx.seen.get(name) ?? {};
  const address = records.a[0] ?? seen.address;
  const port = records.srv[0]?.port ?? seen.port;
  const node: NodeInfo = address ? await nodeInfo(address, fqdn, ctx.world.probe) : { status: 0 };
  return { org, fqdn, records, ...(address && { address }), ...(port !== undefined && { port }), node };
}

/** Everything SPEC.md §4 asks of a served org, observed from `internet` now. */
async function observeServed(ctx: ScenarioContext, name: string): Promise<OrgObservation> {
  const org = ctx.org(name);
  const w = ctx.world;
  const v = await observeOrg(org, fqdnOf(org, ctx.zone), {
    dnsServer: ctx.dnsServer,
    runId: w.run.id,
    from: w.probe,
    internet: w.booted.topology.internet.subnet,
    expiryOnChain: await expiryOf(w.test, w.booted.world.contracts.provider, org),
  });
  return { ...v, sharedWith: sharedWith(ctx, name, v), answeredBefore: ctx.seen.get(name)?.nids ?? [] };
}

/** Other orgs last seen served at the org's A:port (their port, if it does not answer the org). */
function sharedWith(ctx: ScenarioContext, name: string, v: OrgObservation): Record<string, string> {
  const at = endpointOf(v);
  const out: Record<string, string> = {};
  for (const [other, s] of ctx.seen) {
    if (other !== name && s.live && s.nid && at === `${s.address}:${s.port}`) out[other] = s.nid;
  }
  return out;
}

/** Remembers where an org was seen (for `gone`), and whether it is served there now. */
function sighted(ctx: ScenarioContext, name: string, v: OrgObservation, served: boolean): void {
  const seen = ctx.seen.get(name) ?? {};
  const nid = answeringNid(v) ?? v.http.nid;
  if (!v.records.a[0] && !nid) return;
  ctx.seen.set(name, {
    ...seen,
    ...(v.records.a[0] && { address: v.records.a[0] }),
    ...(v.records.srv[0] && { port: v.records.srv[0].port }),
    ...(nid && { nid, nids: [...new Set([...(seen.nids ?? []), nid])] }),
    live: served,
  });
}

/**
 * A judgement over obligations: those `owned` are the step's (its verdict and its `proves` lines);
 * the others go to their own requirements, once the org is served at all (the core holds). Another
 * requirement's contradiction decides the wait only once the step's own obligations hold (then
 * waiting would be for nothing else); before, it would cut short a step still owed its deadline
 * (a TXT expiry lagging beside a wrong TXT nid).
 */
export function overObligations(
  obligations: readonly Obligation[],
  owned: (o: Obligation) => boolean,
  expected: string,
  observed: Record<string, unknown>,
): Judgement {
  const coreHolds = obligations.filter((o) => o.core).every((o) => o.holds);
  const mine = obligations.filter(owned);
  const others = coreHolds ? obligations.filter((o) => !owned(o)) : [];
  const holds = mine.every((o) => o.holds);
  const decisive = (holds ? [...mine, ...others] : mine).filter((o) => !o.holds && o.decisive);
  const problems = problemsOf([...mine, ...others]);
  return {
    holds,
    settled: holds && others.every((o) => o.holds),
    expected,
    observed: { ...observed, ...(problems.length && { problems }) },
    ...(problems.length && { failure: problemsOf(holds ? others : mine).join('; ') }),
    ...(decisive.length && { decided: problemsOf(decisive).join('; ') }),
    lines: [...mine.map((o) => line(o)), ...others.map((o) => ({ ...line(o), requirement: o.requirement }))],
  };
}

const line = (o: Obligation): JudgementLine => ({
  holds: o.holds,
  expected: `${o.name}: ${o.expected}`,
  ...(o.problem && { problem: o.problem }),
});

const SERVED =
  'served (SPEC.md §4): A, SRV, TXT nid=, HTTP /api/v1/node by Host with a NID and a radicle handshake at A:SRV-port, from the internet';

async function served(
  ctx: ScenarioContext,
  name: string,
  owned: (o: Obligation) => boolean,
  expected: string,
) {
  const v = await observeServed(ctx, name);
  const obligations = servedObligations(v);
  sighted(
    ctx,
    name,
    v,
    obligations.filter((o) => o.core).every((o) => o.holds),
  );
  return overObligations(obligations, owned, expected, shownObservation(v));
}

const shownObservation = (v: OrgObservation) => ({
  ...shown({ org: v.org, fqdn: v.name, records: v.records, node: v.http }),
  dials: v.dials,
  nodeContainers: v.containers,
  expiryOnChain: v.expiryOnChain.toString(),
});

const shown = (v: Pick<OrgView, 'org' | 'fqdn' | 'records' | 'node'>) => ({
  org: v.org,
  name: v.fqdn,
  a: v.records.a,
  srv: v.records.srv,
  txt: v.records.txt.map((t) => t.raw),
  http: { status: v.node.status, nid: v.node.nid },
});

/**
 * A named peer's handshake: a fresh one through its NAT (a new connection: what it takes after a
 * partition, or to reach the node a second time), and its session, kept or new (PROV-NAT is about
 * keeping it). Fresh first: radicle's own dial, for an image without the prober, ends the session.
 */
async function p2p(ctx: ScenarioContext, v: OrgView, peerName: string) {
  const peer = ctx.peer(peerName);
  const srv = v.records.srv[0];
  const nid = v.node.nid;
  if (!srv || !nid) return { ok: false, error: !srv ? 'no SRV record' : 'no NID from the HTTP API to dial' };
  const fresh = await freshHandshake(peer, nid, srv.target, srv.port);
  if (!fresh.ok) return { ok: false, error: `no fresh handshake: ${fresh.error ?? ''}` };
  return handshake(peer, nid, srv.target, srv.port);
}

export async function judge(ctx: ScenarioContext, c: Condition): Promise<Judgement> {
  switch (c.kind) {
    case 'served':
      return served(ctx, c.org, (o) => o.core, SERVED);
    case 'published': {
      const v = await view(ctx, c.org);
      const nodes = await runningNodes(ctx, v.org);
      const holds =
        v.records.a.length + v.records.srv.length + v.records.txt.length > 0 ||
        v.node.status === 200 ||
        nodes.length > 0;
      return {
        holds,
        expected:
          'any A/SRV/TXT record, HTTP 200 by Host, or a running org-node container labelled for the org',
        observed: { ...shown(v), nodeContainers: nodes },
      };
    }
    case 'gone':
      return gone(ctx, c.org);
    case 'incomplete':
      return incomplete(ctx, c.org);
    case 'dns-consistent':
      return served(
        ctx,
        c.org,
        (o) => o.core || o.requirement === 'PROV-DNS',
        'one A on internet, one SRV naming the org at its port, TXT nid = the NID the node at A:SRV-port answers with, TXT expiry = expiryOf on chain',
      );
    case 'txt-expiry':
      return served(ctx, c.org, (o) => o.name === 'TXT expiry', 'TXT expiry= equals expiryOf on chain');
    case 'p2p': {
      if (!c.peer)
        return served(
          ctx,
          c.org,
          (o) => o.name === 'p2p',
          'a peer on the internet completes a radicle handshake with the published NID at A:SRV-port',
        );
      const v = await view(ctx, c.org);
      const hs = await p2p(ctx, v, c.peer);
      return {
        holds: hs.ok,
        expected: `${c.peer} completes a fresh radicle handshake with the HTTP API's NID at the SRV target and port, and holds a session`,
        observed: { ...shown(v), handshake: hs.ok ? 'ok' : hs.error },
        ...(!hs.ok && { failure: `${c.peer}: ${hs.error ?? 'no handshake'}` }),
      };
    }
    case 'http':
      return served(
        ctx,
        c.org,
        (o) => o.requirement === 'PROV-HTTP',
        `GET http://<label>.<zone>/api/v1/node (from the internet) answers 200 with the NID of the node at A:SRV-port`,
      );
    case 'same-node':
    case 'same-identity':
      return sameNode(ctx, c.org, c.since, c.kind === 'same-node');
    case 'has-repo':
    case 'lacks-repo': {
      const v = await view(ctx, c.org);
      const repo = ctx.repos.get(c.repo);
      if (!repo) throw new Error(`repository "${c.repo}" was never created`);
      const has = v.address ? await servesRepo(v.address, v.fqdn, repo.rid, ctx.world.probe) : false;
      return {
        holds: c.kind === 'has-repo' ? has : !has,
        expected: `GET /api/v1/repos/${repo.rid} by Host ${c.kind === 'has-repo' ? 'answers 200' : 'does not answer 200'}`,
        observed: { ...shown(v), rid: repo.rid, served: has },
      };
    }
    case 'fetched':
      return fetched(ctx, c.org, c.peer, c.repo);
    case 'isolated':
      return isolated(ctx, c.orgs);
    case 'burst-served':
      return burstServed(ctx);
  }
}

/** Names of the running containers labelled for `org` (SPEC.md §4): the provider's work, seen early. */
async function runningNodes(ctx: ScenarioContext, org: Address): Promise<string[]> {
  const found = await orgContainers(ctx.world.run.id, org);
  return found.map((c) => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12));
}

/**
 * What a teardown removes, any part of it missing (a `never` over it: the deployment is kept whole;
 * records and containers only, so a slow probe under load cannot make a kept deployment look gone).
 */
async function incomplete(ctx: ScenarioContext, name: string): Promise<Judgement> {
  const org = ctx.org(name);
  const fqdn = fqdnOf(org, ctx.zone);
  const [records, nodes] = await Promise.all([lookup(ctx.dnsServer, fqdn), runningNodes(ctx, org)]);
  const parts = {
    A: records.a.length,
    SRV: records.srv.length,
    TXT: records.txt.length,
    'org-node': nodes.length,
  };
  const missing = Object.entries(parts).flatMap(([part, n]) => (n ? [] : [part]));
  return {
    holds: missing.length > 0,
    expected: missing.length
      ? `incomplete: ${missing.join(', ')} missing`
      : 'incomplete: an A, SRV or TXT record or the running org-node container labelled for the org missing',
    observed: {
      org,
      name: fqdn,
      a: records.a,
      srv: records.srv,
      txt: records.txt.map((t) => t.raw),
      nodeContainers: nodes,
    },
  };
}

/** Every record type absent, the last p2p port no longer answering the NID, the Host no longer routed to it. */
async function gone(ctx: ScenarioContext, name: string): Promise<Judgement> {
  const org = ctx.org(name);
  const lastSeen = ctx.seen.get(name);
  const v = await observeGone(org, fqdnOf(org, ctx.zone), lastSeen, {
    dnsServer: ctx.dnsServer,
    runId: ctx.world.run.id,
    from: ctx.world.probe,
  });
  const obligations = goneObligations(v);
  if (obligations.every((o) => o.holds) && lastSeen) ctx.seen.set(name, { ...lastSeen, live: false });
  return overObligations(
    obligations,
    () => true,
    'gone: no A/SRV/TXT record, the last p2p port no longer answers the NID, the Host no longer routed to the node, no running org-node container',
    {
      org,
      name: v.name,
      a: v.records.a,
      srv: v.records.srv,
      txt: v.records.txt.map((t) => t.raw),
      http: { status: v.http.status, nid: v.http.nid },
      lastSeen,
      ...(v.dial && { dial: v.dial }),
      nodeContainers: v.containers,
    },
  );
}

async function sameNode(
  ctx: ScenarioContext,
  name: string,
  since: string,
  strict: boolean,
): Promise<Judgement> {
  const before = ctx.memory.get(since);
  if (!before) throw new Error(`nothing remembered as "${since}"`);
  const v = await view(ctx, name);
  const problems: string[] = [];
  if (!v.node.nid) problems.push(`no NID over HTTP (status ${v.node.status})`);
  else if (v.node.nid !== before.nid) problems.push(`NID changed: ${before.nid} → ${v.node.nid}`);
  const reposNow: string[] = [];
  for (const rid of before.repos) {
    if (v.address && (await servesRepo(v.address, v.fqdn, rid, ctx.world.probe))) reposNow.push(rid);
    else problems.push(`repository ${rid} is no longer served`);
  }
  const sessionsNow: Record<string, unknown> = {};
  if (strict) {
    // An extension must show in TXT too (PROV-EXTEND): same node, new expiry.
    const onChain = await expiryOf(ctx.world.test, ctx.world.booted.world.contracts.provider, v.org);
    const txtExpiry = v.records.txt.find((t) => t.expiry !== undefined)?.expiry;
    if (txtExpiry !== onChain)
      problems.push(`TXT expiry=${txtExpiry ?? '(none)'}, expiryOf on chain is ${onChain}`);
    if (v.node.startedAt !== before.startedAt || v.node.restarts !== before.restarts) {
      problems.push(`the node restarted: started ${before.startedAt} → ${v.node.startedAt}`);
    }
    for (const [peerName, then] of Object.entries(before.sessions)) {
      const now = await sessionWith(ctx.peer(peerName), then.nid);
      sessionsNow[peerName] = now ?? 'none';
      if (now?.state !== 'connected') problems.push(`${peerName}'s session is ${now?.state ?? 'gone'}`);
      else if (then.since !== undefined && now.since !== then.since) {
        problems.push(`${peerName}'s session was re-established (since ${then.since} → ${now.since})`);
      }
    }
  }
  // Another NID, or a later start, never turns back into the remembered node: no waiting mends it.
  const decisive = problems.filter((p) => p.startsWith('NID changed') || p.startsWith('the node restarted'));
  return {
    holds: problems.length === 0,
    ...(problems.length && { failure: problems.join('; ') }),
    ...(decisive.length && { decided: decisive.join('; ') }),
    expected: strict
      ? `the node remembered as "${since}": same NID, same start, the repositories it served, its peer sessions kept`
      : `the NID remembered as "${since}" and the repositories it served then`,
    observed: {
      ...shown(v),
      before: {
        nid: before.nid,
        startedAt: before.startedAt,
        restarts: before.restarts,
        repos: before.repos,
      },
      now: { nid: v.node.nid, startedAt: v.node.startedAt, restarts: v.node.restarts, repos: reposNow },
      ...(strict && { sessions: sessionsNow }),
      problems,
    },
  };
}

async function fetched(
  ctx: ScenarioContext,
  name: string,
  peerName: string,
  repoName: string,
): Promise<Judgement> {
  const repo = ctx.repos.get(repoName);
  if (!repo) throw new Error(`repository "${repoName}" was never created`);
  const v = await view(ctx, name);
  const peer = ctx.peer(peerName);
  const ref = `refs/namespaces/${repo.pusherNid}/refs/heads/main`;
  const observed: Record<string, unknown> = { ...shown(v), rid: repo.rid, ref, pushed: repo.head };
  if (!v.node.nid || !v.records.srv[0]) {
    return {
      holds: false,
      expected: `${peerName} fetches ${repo.rid} from the org-node`,
      observed: { ...observed, error: 'org not served' },
    };
  }
  try {
    const hs = await handshake(peer, v.node.nid, v.records.srv[0].target, v.records.srv[0].port);
    if (!hs.ok) throw new Error(hs.error);
    await seed(peer, repo.rid);
    await fetchRepo(peer, repo.rid, v.node.nid, { timeoutMs: 10_000 });
    const got = await refs(peer, repo.rid);
    observed.fetched = got[ref];
  } catch (error) {
    observed.error = (error as Error).message.split('\n')[0];
  }
  return {
    holds: observed.fetched !== undefined && observed.fetched === repo.head,
    expected: `${peerName} fetches ${repo.rid} from the org-node and sees ${ref} at the pushed head`,
    observed,
  };
}

function isolated(ctx: ScenarioContext, names: string[]): Promise<Judgement> {
  return manyServed(
    ctx,
    names.map((name) => ({ name, org: ctx.org(name) })),
    'each org served, its name, port and Host reaching its own NID; ports and NIDs pairwise distinct',
  );
}

function burstServed(ctx: ScenarioContext): Promise<Judgement> {
  return manyServed(
    ctx,
    ctx.burst.map((org) => ({ name: org, org })),
    `all ${ctx.burst.length} orgs of the burst served, each name, port and Host reaching its own NID; ports and NIDs pairwise distinct`,
  );
}

/** The obligations that say an org's name, port and Host reach its own node. */
const ownNode = (o: Obligation) => o.core || o.name === 'TXT nid' || o.name === 'HTTP nid';

/**
 * Several orgs judged together: each served with its own NID behind its own name, port and Host,
 * one evidence line each, and one for them being pairwise distinct (two orgs at one A:port, or
 * answering with one NID, is a contradiction no waiting mends).
 */
async function manyServed(
  ctx: ScenarioContext,
  orgs: { name: string; org: Address }[],
  expected: string,
): Promise<Judgement> {
  const w = ctx.world;
  const views = await Promise.all(
    orgs.map(async ({ org }) =>
      observeOrg(org, fqdnOf(org, ctx.zone), {
        dnsServer: ctx.dnsServer,
        runId: w.run.id,
        from: w.probe,
        internet: w.booted.topology.internet.subnet,
        expiryOnChain: await expiryOf(w.test, w.booted.world.contracts.provider, org),
      }),
    ),
  );
  const sharing = (key: (v: OrgObservation) => string | undefined, what: string) => {
    const by = new Map<string, string[]>();
    views.forEach((v, i) => {
      const k = key(v);
      if (k) by.set(k, [...(by.get(k) ?? []), orgs[i]!.name]);
    });
    return [...by].filter(([, n]) => n.length > 1).map(([k, n]) => `${n.join(' and ')} share ${what} ${k}`);
  };
  const collisions = [
    ...sharing(endpointOf, 'the p2p endpoint'),
    ...sharing((v) => answeringNid(v) ?? v.http.nid, 'the NID'),
  ];
  const lines: JudgementLine[] = [];
  const problems: string[] = [...collisions];
  const decisive: string[] = [...collisions];
  let settled = true;
  views.forEach((v, i) => {
    const name = orgs[i]!.name;
    const obligations = servedObligations(v);
    if (ctx.world.orgs.has(name))
      sighted(
        ctx,
        name,
        v,
        obligations.filter((o) => o.core).every((o) => o.holds),
      );
    const own = obligations.filter(ownNode);
    const ownProblems = problemsOf(own);
    lines.push({
      holds: !ownProblems.length,
      expected: `${name}: served, its name, port and Host reaching its own NID`,
      ...(ownProblems.length && { problem: ownProblems.join('; ') }),
    });
    problems.push(...ownProblems.map((p) => `${name}: ${p}`));
    decisive.push(...problemsOf(own.filter((o) => o.decisive && !o.holds)).map((p) => `${name}: ${p}`));
    if (own.filter((o) => o.core).every((o) => o.holds)) {
      for (const o of obligations.filter((x) => !ownNode(x))) {
        lines.push({ ...line(o), requirement: o.requirement, expected: `${name}: ${o.name}: ${o.expected}` });
        if (!o.holds) settled = false;
      }
    }
  });
  lines.push({
    holds: !collisions.length,
    expected: 'p2p endpoints (A:port) and NIDs pairwise distinct',
    ...(collisions.length && { problem: collisions.join('; ') }),
  });
  const holds = lines.filter((l) => !l.requirement).every((l) => l.holds);
  return {
    holds,
    settled: holds && settled,
    expected,
    observed: { orgs: views.map(shownObservation), ...(problems.length && { problems }) },
    ...(problems.length && { failure: problems.slice(0, 8).join('; ') }),
    ...(decisive.length && { decided: decisive.join('; ') }),
    lines,
  };
}
