import type { Mutant } from './mutant.js';

/** Off by one: "N deep" read as "N blocks including the head", so it acts at confirmations − 1. */
export const earlyByOne: Mutant = {
  bug: 'acts on logs one block before they are ONECLICK_CONFIRMATIONS deep',
  policy: () => ({
    start: (config) =>
      Promise.resolve({
        ...config,
        confirmations: config.confirmations > 0n ? config.confirmations - 1n : 0n,
      }),
  }),
};
