import { referencePolicy } from '../deployer/index.js';
import type { Mutant } from './mutant.js';

export const neverTeardown: Mutant = {
  bug: 'never tears down: ended deployments keep their node and records',
  // An ended deployment is still wanted; one reorged away (expiry 0) goes, as in the reference.
  policy: () => ({ wanted: (row) => referencePolicy.wanted(row) || row.expiry > 0n }),
};
