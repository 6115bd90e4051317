import type { Mutant } from './mutant.js';

/**
 * Off by one route: the edge's NAT rules forward each org's public p2p port to the node of the next
 * route written (by port, wrapping). With one org that is its own node, so a single-org dial passes;
 * with several, every SRV port answers another org's NID, whichever org the edge routed first.
 */
export const nextP2pNode: Mutant = {
  bug: "forwards each org's public p2p port to the next route's node (off by one, wrapping)",
  policy: () => ({
    p2pTarget: (route, routes) => routes[(routes.indexOf(route) + 1) % routes.length]!.address,
  }),
};
