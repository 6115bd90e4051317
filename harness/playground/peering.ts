/**
 * Peer operations that time themselves, for k6 and the dashboard: a peer dials an org (ms to a
 * session), pushes a repository (ms), waits until another peer has the pushed ref (ms). Each runs the
 * scenario steps and conditions of the same name (connect, create-repo + anchor, push, `fetched`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { disconnect, fqdnOf, nodeInfo, lookup } from '../outside/index.js';
import { judge } from '../scenario/conditions.js';
import type { ScenarioContext } from '../scenario/context.js';
import type { Step } from '../scenario/model.js';
import { stepDefinition } from '../scenario/steps/index.js';
import { ActionInputError } from './actions.js';
import type { EventLog } from './events.js';

const base = { index: 0, line: 0, proves: [] };
const REPO = /^[a-z0-9][a-z0-9-]{0,31}$/;

function run(ctx: ScenarioContext, step: Step) {
  return stepDefinition(step.kind)!.run(ctx, step as never);
}

function known(ctx: ScenarioContext, what: { peer?: unknown; org?: unknown; repo?: unknown }): void {
  const problems: string[] = [];
  if (what.peer !== undefined && !ctx.world.peers.has(String(what.peer)))
    problems.push(`peer: no peer "${String(what.peer)}" (one of: ${[...ctx.world.peers.keys()].join(', ')})`);
  if (what.org !== undefined && !ctx.world.orgs.has(String(what.org)))
    problems.push(`org: no org "${String(what.org)}" (one of: ${[...ctx.world.orgs.keys()].join(', ')})`);
  if (what.repo !== undefined && (typeof what.repo !== 'string' || !REPO.test(what.repo)))
    problems.push(`repo: expected a name matching ${REPO}, got ${JSON.stringify(what.repo)}`);
  if (problems.length) throw new ActionInputError(problems);
}

const since = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/** Hangs up any session with the org first, so every dial is a fresh one through NAT and edge. */
export async function dial(ctx: ScenarioContext, peer: string, org: string) {
  known(ctx, { peer, org });
  const fqdn = fqdnOf(ctx.org(org), ctx.zone);
  const a = (await lookup(ctx.dnsServer, fqdn)).a[0];
  const nid = a ? (await nodeInfo(a, fqdn)).nid : undefined;
  if (nid) await disconnect(ctx.peer(peer), nid).catch(() => undefined);
  const t0 = performance.now();
  const out = await run(ctx, { ...base, kind: 'connect', peer, org });
  const ms = since(t0);
  return { summary: `${peer} dials ${org}: a session after ${ms} ms`, peer, org, ms, ...out.facts };
}

/**
 * Commits and pushes `repo` from `peer`; the first push of a repo creates it and, with `org`, anchors
 * it on that org (so its node seeds it) and connects the pusher to it.
 */
export async function pushRepo(ctx: ScenarioContext, peer: string, repo: string, org?: string) {
  known(ctx, { peer, repo, ...(org !== undefined && { org }) });
  const made = ctx.repos.get(repo);
  if (made && made.peer !== peer)
    throw new ActionInputError([`repo: "${repo}" was created by ${made.peer}, who alone pushes to it`]);
  if (!made) {
    await run(ctx, { ...base, kind: 'create-repo', peer, repo });
    if (org !== undefined) {
      await run(ctx, { ...base, kind: 'anchor', org, repo });
      await run(ctx, { ...base, kind: 'connect', peer, org });
    }
  }
  const t0 = performance.now();
  const out = await run(ctx, { ...base, kind: 'push', peer, repo, index: ctx.repos.size + Date.now() });
  const ms = since(t0);
  return { summary: `${peer} pushes ${repo} in ${ms} ms`, peer, repo, ms, ...out.facts };
}

/** Polls the `fetched` condition until `peer` has the ref pushed last to `repo` through `org`'s node. */
export async function waitRef(ctx: ScenarioContext, peer: string, org: string, repo: string, seconds = 90) {
  known(ctx, { peer, org, repo });
  if (!ctx.repos.has(repo)) throw new ActionInputError([`repo: "${repo}" was never pushed (push it first)`]);
  const t0 = performance.now();
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const j = await judge(ctx, { kind: 'fetched', org, peer, repo });
    if (j.holds || Date.now() >= end) {
      const ms = since(t0);
      const summary = j.holds
        ? `${peer} has the last ref of ${repo} from ${org} after ${ms} ms`
        : `${peer} still lacks the last ref of ${repo} from ${org} after ${ms} ms`;
      return { summary, peer, org, repo, ms, holds: j.holds, observed: j.observed };
    }
    await sleep(250);
  }
}

export const PEER_OPS = ['dial', 'push', 'wait-ref'] as const;
export type PeerOp = (typeof PEER_OPS)[number];

/** Runs peer operation `op` with the API body `b` and logs what it timed, like an action. */
export async function peerOperation(
  ctx: ScenarioContext,
  events: EventLog,
  op: PeerOp,
  peer: string,
  b: Record<string, unknown>,
) {
  const str = (k: string) => (b[k] === undefined ? undefined : String(b[k]));
  const out =
    op === 'dial'
      ? await dial(ctx, peer, str('org')!)
      : op === 'push'
        ? await pushRepo(ctx, peer, str('repo')!, str('org'))
        : await waitRef(
            ctx,
            peer,
            str('org')!,
            str('repo')!,
            b.seconds === undefined ? undefined : Number(b.seconds),
          );
  events.add('peer', out.summary, { op, peer, ms: out.ms });
  return out;
}
