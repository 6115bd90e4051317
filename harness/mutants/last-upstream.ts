import type { Mutant } from './mutant.js';

/**
 * One upstream for every Host: the edge's nginx file proxies each org's `server_name` to the node
 * of the last server block written (an upstream variable set once, after the loop). With one org
 * that is its own node, so a single-org check passes; with several, every Host reaches one node.
 */
export const lastUpstream: Mutant = {
  bug: "proxies every org's Host to the node of the last route the edge writes (one upstream for all)",
  policy: () => ({ httpUpstream: (_route, routes) => routes.at(-1)!.address }),
};
