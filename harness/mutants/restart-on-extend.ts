import type { Mutant } from './mutant.js';

export const restartOnExtend: Mutant = {
  bug: 'recreates the org-node container when the expiry changes (same volume and NID, but the node restarts)',
  policy() {
    /** org → the expiry of the last pass that wanted it. */
    const served = new Map<string, bigint>();
    return {
      recreate(row) {
        const before = served.get(row.org);
        served.set(row.org, row.expiry);
        return before !== undefined && before !== row.expiry;
      },
    };
  },
};
