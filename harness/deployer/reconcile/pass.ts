/**
 * One full pass: desired state (the store) against actual state (the run's Docker objects, the
 * edge, DNS). Phases in order: teardown of the orgs not wanted (records, then containers), the
 * run's strays, the edge's routes to the nodes already running, then per wanted org, as soon as its
 * own node answers (no org waits for the slowest of the pass): its route, records, status, anchors.
 * Errors of one org do not stop the others; they are counted and retried next pass.
 */
import pLimit from 'p-limit';
import type { Address } from 'viem';
import { execIn, removeContainer } from '../docker.js';
import { orgLabel } from '../dns.js';
import { createEdge, type Edge, type EdgeState } from '../edge.js';
import { errorMessage } from '../log.js';
import type { OrgRow } from '../state/index.js';
import { containerName, orgNodeFilters, type ReconcileContext, type ReconcilerState } from './context.js';
import type { PassResult } from './loop.js';
import { ensureClusterNetwork } from './network.js';
import { ensureNode, type ServingNode } from './node.js';
import { markWanted, planPass, servedStatus } from './plan.js';
import { publish } from './publish.js';
import { routeTable, runningRoutes, type RouteTable } from './routes.js';
import { seedAnchors } from './seed.js';
import { removeStrays, tearDown } from './teardown.js';

const TEARDOWN_CONCURRENCY = 4;

/** Counts a pass's failures (logged, and in the metrics). */
export type Fail = (what: string, org: Address | undefined, error: unknown) => void;

function failures(ctx: ReconcileContext): { fail: Fail; count(): number } {
  let errors = 0;
  return {
    fail(what, org, error) {
      errors += 1;
      ctx.metrics?.reconcileError();
      ctx.log.error('reconcile failed', { what, ...(org && { org }), error: errorMessage(error) });
    },
    count: () => errors,
  };
}

/** The edge of the run (one controller per process, made on first use). */
function edgeOf(ctx: ReconcileContext, state: ReconcilerState, network: string): Edge {
  state.edge ??= createEdge({
    docker: ctx.docker,
    runId: ctx.config.runId,
    image: ctx.config.edgeImage,
    publicNetwork: ctx.config.publicNetwork,
    clusterNetwork: network,
    httpPaths: ctx.policy.httpPaths,
    httpUpstream: ctx.policy.httpUpstream,
    p2pTarget: ctx.policy.p2pTarget,
    p2pTurnedAway: ctx.policy.p2pTurnedAway,
    log: ctx.log,
  });
  return state.edge;
}

export async function pass(ctx: ReconcileContext, state: ReconcilerState): Promise<PassResult> {
  const { fail, count } = failures(ctx);
  state.clusterNetwork ??= await ensureClusterNetwork(ctx.docker, ctx.config.runId, ctx.log);
  const network = state.clusterNetwork;
  const edge = edgeOf(ctx, state, network);
  let edgeState: EdgeState | undefined;
  try {
    edgeState = await edge.ensure();
  } catch (error) {
    fail('edge', undefined, error);
  }

  const rows = ctx.store.orgs();
  const plan = planPass(rows, ctx.policy);
  const newlyWanted = markWanted(state.wantedSince, state.published, plan.wanted, Date.now());
  if (newlyWanted > 0) ctx.log.info('orgs wanted', { orgs: newlyWanted });

  // 1. Teardown first: records, then containers (and volumes on purge).
  const limit = pLimit(TEARDOWN_CONCURRENCY);
  await Promise.all(
    plan.ended.map(({ row, purge }) =>
      limit(() => tearDown(ctx, state, row, purge).catch((e) => fail('teardown', row.org, e))),
    ),
  );

  // 2. Containers and volumes of this run that no org wants.
  try {
    await removeStrays(ctx, plan.keepContainers, plan.keepVolumes);
  } catch (error) {
    fail('strays', undefined, error);
  }

  // 3. The edge starts from the wanted org-nodes already running.
  const table = routeTable(state, edge, edgeState);
  if (edgeState) {
    try {
      const running = await ctx.docker.listContainers({ filters: orgNodeFilters(ctx.config.runId) });
      for (const [org, route] of runningRoutes(running, plan.wanted, network, ctx.ports, ctx.dns.fqdn))
        table.routes.set(org, route);
      await table.sync();
    } catch (error) {
      fail('edge routes', undefined, error);
    }
  }

  // 4. Per org, as soon as its node answers.
  const served = await Promise.all(
    plan.wanted.map((row) => serve(ctx, state, row, { network, edgeState, table, fail })),
  );
  const running = served.filter(Boolean).length;

  state.passes += 1;
  state.lastPassOk = count() === 0;
  ctx.metrics?.pass();
  ctx.log.debug('reconcile pass', { orgs: rows.length, running, errors: count() });
  return { running, errors: count() };
}

/** Serves one wanted org: its node, then its route, records, status and anchors; true once published. */
export async function serve(
  ctx: ReconcileContext,
  state: ReconcilerState,
  start: OrgRow,
  pass: { network: string; edgeState: EdgeState | undefined; table: RouteTable; fail: Fail },
): Promise<boolean> {
  const { fail, table, edgeState } = pass;
  const org = start.org;
  const route = (at: Pick<ServingNode, 'address' | 'port'>) => ({
    host: ctx.dns.fqdn(orgLabel(org)),
    port: at.port,
    address: at.address,
  });
  let node: ServingNode;
  try {
    if (ctx.policy.recreate(start))
      await removeContainer(ctx.docker, containerName(ctx.config.runId, orgLabel(org)));
    // Routed while its node comes up (no record names it yet): in a burst an edge apply takes
    // seconds, and it is then done by the time the node answers. A failure here is retried below.
    node = await ensureNode(ctx, start, pass.network, state, (at) => {
      if (edgeState) table.forward(org, route(at)).catch(() => undefined);
    });
  } catch (error) {
    fail('org-node', org, error);
    // Not serving: no route (the org's records, if any, stay until a stop).
    if (table.routes.delete(org) && edgeState) await table.sync().catch((e) => fail('edge routes', org, e));
    return false;
  }
  const row = ctx.store.org(org);
  if (!row || !edgeState) return false;
  try {
    await table.forward(org, route(node));
  } catch (error) {
    fail('edge routes', org, error);
    return false;
  }
  let served = false;
  try {
    await publish(ctx, state, row, node, edgeState);
    const status = servedStatus(row);
    if (row.status !== status) ctx.store.setRuntime(org, { status });
    served = true;
    if (ctx.policy.seedsAnchors) {
      await seedAnchors((cmd) => execIn(ctx.docker, node.id, cmd), {
        org,
        containerId: node.id,
        anchors: ctx.store.anchorsOf(org),
        seeded: state.seeded,
        log: ctx.log,
      });
    }
  } catch (error) {
    fail('records', org, error);
  }
  return served;
}
