/**
 * Judges one Condition black-box, once. `wait`, `expect` and `never` call it repeatedly; what it
 * returns becomes the evidence (what had to hold, what was seen).
 */
import type { Address } from 'viem';
import { expiryOf } from '../chain/actions.js';
import { fetch as fetchRepo, refs, seed } from '../peers/index.js';
import type { ScenarioContext, Sighting } from './context.js';
import type { Condition } from './model.js';
import {
  fqdnOf,
  handshake,
  lookup,
  nodeInfo,
  orgContainers,
  servesRepo,
  sessionWith,
  tcpOpen,
  type NodeInfo,
  type Records,
} from '../outside/index.js';

export interface Judgement {
  holds: boolean;
  expected: string;
  observed: Record<string, unknown>;
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

/** Records and the HTTP node answer of an org, remembering where it was seen served. */
async function view(ctx: ScenarioContext, name: string): Promise<OrgView> {
  const org = ctx.org(name);
  const fqdn = fqdnOf(org, ctx.zone);
  const records = await lookup(ctx.dnsServer, fqdn);
  const seen = ctx.seen.get(name) ?? {};
  const address = records.a[0] ?? seen.address;
  const port = records.srv[0]?.port ?? seen.port;
  const node: NodeInfo = address ? await nodeInfo(address, fqdn) : { status: 0 };
  if (records.a[0] || node.nid) {
    const sighting: Sighting = { ...seen };
    if (records.a[0]) sighting.address = records.a[0];
    if (records.srv[0]) sighting.port = records.srv[0].port;
    if (node.nid) sighting.nid = node.nid;
    ctx.seen.set(name, sighting);
  }
  return { org, fqdn, records, ...(address && { address }), ...(port !== undefined && { port }), node };
}

const recordCount = (v: OrgView) =>
  v.records.a.length + v.records.ptr.length + v.records.srv.length + v.records.txt.length;

const shown = (v: OrgView) => ({
  org: v.org,
  name: v.fqdn,
  a: v.records.a,
  ptr: v.records.ptr,
  srv: v.records.srv,
  txt: v.records.txt.map((t) => t.raw),
  http: { status: v.node.status, nid: v.node.nid },
});

async function p2p(ctx: ScenarioContext, v: OrgView, peerName?: string) {
  const peer = peerName ? ctx.peer(peerName) : ctx.world.probe;
  const srv = v.records.srv[0];
  const nid = v.node.nid;
  if (!srv || !nid) return { ok: false, error: !srv ? 'no SRV record' : 'no NID from the HTTP API to dial' };
  return handshake(peer, nid, srv.target, srv.port);
}

export async function judge(ctx: ScenarioContext, c: Condition): Promise<Judgement> {
  switch (c.kind) {
    case 'served': {
      const v = await view(ctx, c.org);
      const hs = await p2p(ctx, v);
      const holds =
        v.records.a.length > 0 &&
        v.records.ptr.length > 0 &&
        v.records.srv.length > 0 &&
        v.records.txt.length > 0 &&
        !!v.node.nid &&
        hs.ok;
      return {
        holds,
        expected:
          'A, browse PTR, SRV and TXT records, HTTP /api/v1/node by Host with a NID, and a radicle handshake at the SRV port',
        observed: { ...shown(v), handshake: hs.ok ? 'ok' : hs.error },
      };
    }
    case 'published': {
      const v = await view(ctx, c.org);
      const nodes = await runningNodes(ctx, v.org);
      const holds = recordCount(v) > 0 || v.node.status === 200 || nodes.length > 0;
      return {
        holds,
        expected:
          'any A/PTR/SRV/TXT record, HTTP 200 by Host, or a running org-node container labelled for the org',
        observed: { ...shown(v), nodeContainers: nodes },
      };
    }
    case 'gone': {
      const v = await view(ctx, c.org);
      const seen = ctx.seen.get(c.org);
      const portOpen = seen?.address && seen.port ? await tcpOpen(seen.address, seen.port) : false;
      const nodes = await runningNodes(ctx, v.org);
      const holds = recordCount(v) === 0 && v.node.status !== 200 && !portOpen && nodes.length === 0;
      return {
        holds,
        expected:
          'no A/PTR/SRV/TXT record, no HTTP 200 by Host, the last p2p port closed, no running org-node container',
        observed: { ...shown(v), lastSeen: seen, p2pPortOpen: portOpen, nodeContainers: nodes },
      };
    }
    case 'dns-consistent':
      return dnsConsistent(ctx, c.org);
    case 'txt-expiry': {
      const v = await view(ctx, c.org);
      const published = v.records.txt.find((t) => t.expiry !== undefined)?.expiry;
      const onChain = await expiryOf(ctx.world.test, ctx.world.booted.world.contracts.provider, v.org);
      return {
        holds: published === onChain,
        expected: `TXT expiry= equals expiryOf on chain (${onChain})`,
        observed: { ...shown(v), expiryOnChain: onChain.toString() },
      };
    }
    case 'p2p': {
      const v = await view(ctx, c.org);
      const hs = await p2p(ctx, v, c.peer);
      return {
        holds: hs.ok,
        expected: `${c.peer ?? 'the probe peer'} completes a radicle handshake with the HTTP API's NID at the SRV target and port`,
        observed: { ...shown(v), handshake: hs.ok ? 'ok' : hs.error },
      };
    }
    case 'http': {
      const v = await view(ctx, c.org);
      return {
        holds: v.node.status === 200 && !!v.node.nid,
        expected: `GET http://${v.fqdn}/api/v1/node answers 200 with the node's NID`,
        observed: shown(v),
      };
    }
    case 'same-node':
    case 'same-identity':
      return sameNode(ctx, c.org, c.since, c.kind === 'same-node');
    case 'has-repo':
    case 'lacks-repo': {
      const v = await view(ctx, c.org);
      const repo = ctx.repos.get(c.repo);
      if (!repo) throw new Error(`repository "${c.repo}" was never created`);
      const has = v.address ? await servesRepo(v.address, v.fqdn, repo.rid) : false;
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

async function dnsConsistent(ctx: ScenarioContext, name: string): Promise<Judgement> {
  const v = await view(ctx, name);
  const problems: string[] = [];
  const { a, ptr, srv, txt } = v.records;
  if (a.length !== 1) problems.push(`expected one A record, found ${a.length}`);
  if (ptr.length !== 1) problems.push(`expected one browse PTR to the org's instance, found ${ptr.length}`);
  if (srv.length !== 1) problems.push(`expected one SRV record, found ${srv.length}`);
  else if (srv[0]!.target !== v.fqdn) problems.push(`SRV target ${srv[0]!.target} is not ${v.fqdn}`);
  // The fields may come in one TXT record or several.
  const t = { nid: txt.find((x) => x.nid)?.nid, expiry: txt.find((x) => x.expiry !== undefined)?.expiry };
  if (!t?.nid) problems.push('no TXT nid=');
  if (t?.expiry === undefined) problems.push('no TXT expiry=');
  const hs = await p2p(ctx, v);
  if (!hs.ok) problems.push(`no handshake at the SRV port: ${hs.error}`);
  if (t?.nid && v.node.nid && t.nid !== v.node.nid)
    problems.push(`TXT nid ${t.nid} is not the node's NID ${v.node.nid}`);
  const onChain = await expiryOf(ctx.world.test, ctx.world.booted.world.contracts.provider, v.org);
  if (t?.expiry !== undefined && t.expiry !== onChain)
    problems.push(`TXT expiry ${t.expiry} is not expiryOf ${onChain}`);
  return {
    holds: problems.length === 0,
    expected:
      "one A, one browse PTR to the org's instance, one SRV naming the org at its port, TXT nid = the NID the node answers with, TXT expiry = expiryOf on chain",
    observed: {
      ...shown(v),
      expiryOnChain: onChain.toString(),
      handshake: hs.ok ? 'ok' : hs.error,
      problems,
    },
  };
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
    if (v.address && (await servesRepo(v.address, v.fqdn, rid))) reposNow.push(rid);
    else problems.push(`repository ${rid} is no longer served`);
  }
  const sessionsNow: Record<string, unknown> = {};
  if (strict) {
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
  return {
    holds: problems.length === 0,
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

async function isolated(ctx: ScenarioContext, names: string[]): Promise<Judgement> {
  const views = await Promise.all(names.map((n) => view(ctx, n)));
  const problems: string[] = [];
  const ports = views.map((v) => v.records.srv[0]?.port);
  const nids = views.map((v) => v.node.nid);
  if (new Set(ports).size !== ports.length || ports.includes(undefined))
    problems.push(`ports not distinct: ${ports.join(', ')}`);
  if (new Set(nids).size !== nids.length || nids.includes(undefined))
    problems.push(`NIDs not distinct: ${nids.join(', ')}`);
  // Each org's port must answer with its own NID: a dial with the org's NID at its port.
  for (const v of views) {
    const hs = await p2p(ctx, v);
    if (!hs.ok) problems.push(`${v.fqdn}: no handshake with its own NID at its port (${hs.error})`);
  }
  return {
    holds: problems.length === 0,
    expected: 'distinct ports and NIDs; each name, port and Host reaches its own node',
    observed: { orgs: views.map(shown), problems },
  };
}

async function burstServed(ctx: ScenarioContext): Promise<Judgement> {
  const names = ctx.burst;
  const views = await Promise.all(
    names.map(async (org) => {
      const fqdn = fqdnOf(org, ctx.zone);
      const records = await lookup(ctx.dnsServer, fqdn);
      const node: NodeInfo = records.a[0] ? await nodeInfo(records.a[0], fqdn) : { status: 0 };
      return { org, records, node };
    }),
  );
  const served = views.filter(
    (v) =>
      v.records.a.length &&
      v.records.ptr.length &&
      v.records.srv.length &&
      v.records.txt.length &&
      v.node.nid,
  );
  const ports = new Set(served.map((v) => v.records.srv[0]!.port));
  const nids = new Set(served.map((v) => v.node.nid));
  return {
    holds: served.length === names.length && ports.size === names.length && nids.size === names.length,
    expected: `all ${names.length} orgs of the burst served (A, PTR, SRV, TXT, HTTP NID) with distinct ports and NIDs`,
    observed: {
      orgs: names.length,
      served: served.length,
      distinctPorts: ports.size,
      distinctNids: nids.size,
      missing: views
        .filter((v) => !served.includes(v))
        .map((v) => v.org)
        .slice(0, 10),
    },
  };
}
