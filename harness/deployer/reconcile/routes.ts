/**
 * The edge's routes during a pass: it starts from the wanted org-nodes already running (a
 * restarted controller keeps serving them while the pass checks each), then each org's route is
 * added as soon as its container runs (before its node answers: nothing names it until its records
 * go out) and confirmed when it answers. Applies are serialized, each a full sync of the
 * routes known when its turn comes (so a burst of ready orgs coalesces).
 */
import type Docker from 'dockerode';
import type { Address } from 'viem';
import { ORG_LABEL } from '../docker.js';
import { orgLabel } from '../dns.js';
import type { Edge, EdgeRoute, EdgeState } from '../edge.js';
import type { Ports } from '../policy.js';
import type { OrgRow } from '../state/index.js';
import type { ReconcilerState } from './context.js';

/** Routes of the wanted orgs whose containers run with an address on `network` and a recorded port (pure). */
export function runningRoutes(
  containers: readonly Docker.ContainerInfo[],
  wanted: readonly OrgRow[],
  network: string,
  ports: Pick<Ports, 'recorded'>,
  fqdn: (label: string) => string,
): Map<Address, EdgeRoute> {
  const byOrg = new Map(wanted.map((r) => [r.org.toLowerCase(), r]));
  const routes = new Map<Address, EdgeRoute>();
  for (const c of containers) {
    const row = byOrg.get(c.Labels?.[ORG_LABEL] ?? '');
    const address = c.NetworkSettings?.Networks?.[network]?.IPAddress;
    const port = row && ports.recorded(row);
    if (!row || port === undefined || !address || c.State !== 'running') continue;
    routes.set(row.org, { host: fqdn(orgLabel(row.org)), port, address });
  }
  return routes;
}

/** The pass's routes and the edge they are applied to; `sync` waits for its own turn. */
export interface RouteTable {
  routes: Map<Address, EdgeRoute>;
  sync(): Promise<void>;
  /**
   * Sets `org`'s route; resolves once the edge forwards it: at once when the last apply carried it
   * already (routed while its node came up), else after an apply of its own turn.
   */
  forward(org: Address, route: EdgeRoute): Promise<void>;
}

const routeKey = (r: EdgeRoute) => `${r.host} ${r.port} ${r.address}`;

export function routeTable(
  state: Pick<ReconcilerState, 'edgeQueue' | 'edgeNext'>,
  edge: Pick<Edge, 'apply'>,
  edgeState: EdgeState | undefined,
): RouteTable {
  const routes = new Map<Address, EdgeRoute>();
  /** What the last apply of this table made the edge forward (nothing known after a failed one). */
  let carried = new Set<string>();
  /** The apply under way and what it carries. */
  let applying: { keys: Set<string>; done: Promise<unknown> } | undefined;
  async function sync(): Promise<void> {
    if (!edgeState) throw new Error('the edge is not available');
    // One apply at a time; each applies the routes as they are when its turn comes, so the syncs
    // asked while one runs all wait for the next one (a burst of ready orgs: one reload, not one each).
    if (state.edgeNext) return state.edgeNext;
    const turn = state.edgeQueue.then(async () => {
      state.edgeNext = undefined;
      const now = [...routes.values()];
      const current = { keys: new Set(now.map(routeKey)), done: edge.apply(edgeState, now) };
      applying = current;
      carried = new Set();
      try {
        await current.done;
        carried = current.keys;
      } finally {
        if (applying === current) applying = undefined;
      }
    });
    state.edgeNext = turn;
    state.edgeQueue = turn.catch(() => undefined);
    await turn;
  }
  return {
    routes,
    sync,
    async forward(org, route) {
      routes.set(org, route);
      const key = routeKey(route);
      if (carried.has(key)) return;
      const current = applying;
      if (current?.keys.has(key)) {
        const ok = await current.done.then(
          () => true,
          () => false,
        );
        if (ok) return;
      }
      await sync();
    },
  };
}
