import type { Mutant } from './mutant.js';

/**
 * Takes confirmed for final: on a reorg it rewinds at most to its own cursor block (a reorg depth
 * bound of 0), so a confirmed top-up, extension or cancel that a deeper reorg removed stays in effect.
 */
export const reorgFinal: Mutant = {
  bug: 'treats confirmed blocks as final: what a reorg deeper than the confirmations removed stays in effect',
  policy: () => ({ start: (config) => Promise.resolve({ ...config, maxReorgDepth: 0n }) }),
};
