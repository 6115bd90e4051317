import type { Mutant } from './mutant.js';

/**
 * An anti-abuse limit at the edge: one connection per address to each org's p2p port. A peer behind
 * NAT that holds its session cannot dial again (a fresh handshake, or a reconnect after a partition
 * while the edge still counts the old connection): the edge leaves the SYN to itself, which resets it.
 */
export const onePerAddress: Mutant = {
  bug: "forwards at most one connection per address to each org's p2p port (connlimit at the edge)",
  policy: () => ({ p2pTurnedAway: '-m connlimit --connlimit-above 1 --connlimit-mask 32' }),
};
