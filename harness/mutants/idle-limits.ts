import type { Mutant } from './mutant.js';

/**
 * Tunes its org-nodes for idle orgs by capping radicle's inbound connections at one: a node answers
 * the first peer (and every fresh handshake while nobody else is connected), the second peer of an
 * org is refused.
 */
export const idleLimits: Mutant = {
  bug: 'caps every org-node at one inbound connection (limits.connection.inbound = 1)',
  policy: () => ({ nodeConfig: { node: { limits: { connection: { inbound: 1 } } } } }),
};
