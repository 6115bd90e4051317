import type { Mutant } from './mutant.js';

export const sharedPort: Mutant = {
  bug: 'hands the same public p2p port to every org',
  // The first of the range, never recorded.
  policy: () => ({ ports: (_store, range) => ({ recorded: () => range.min, allocate: () => range.min }) }),
};
