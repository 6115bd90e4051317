import type { Mutant } from './mutant.js';

/**
 * The naive watcher: it acts on logs as soon as they are mined (no confirmations) and takes every
 * block it read for final (a reorg depth bound of 0: on a reorg it rewinds at most to its own cursor
 * block), so a top-up a reorg removes before it would have been confirmed stays served.
 */
export const headFinal: Mutant = {
  bug: 'acts on logs at the head and takes what it read for final: a top-up reorged away before its confirmation stays served',
  policy: () => ({
    start: (config) => Promise.resolve({ ...config, confirmations: 0n, maxReorgDepth: 0n }),
  }),
};
