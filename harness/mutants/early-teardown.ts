import type { Mutant } from './mutant.js';

export const earlyTeardown: Mutant = {
  bug: 'ignores the grace: tears down at expiry, not expiry + grace',
  policy: () => ({ start: (config) => Promise.resolve({ ...config, graceBlocks: 0n }) }),
};
