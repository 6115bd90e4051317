import type { Mutant } from './mutant.js';

export const ignoreConfirmations: Mutant = {
  bug: 'acts on logs at depth 0 (ignores ONECLICK_CONFIRMATIONS)',
  policy: () => ({ start: (config) => Promise.resolve({ ...config, confirmations: 0n }) }),
};
