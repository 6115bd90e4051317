import type { Mutant } from './mutant.js';

export const restartInGrace: Mutant = {
  bug: 'takes a top-up that lands at or after expiry (in grace) for a new deployment and recreates the org-node (same volume and NID, the node restarts)',
  policy() {
    /** org → the expiry it was served with last. */
    const served = new Map<string, bigint>();
    return {
      recreate(row) {
        const before = served.get(row.org);
        served.set(row.org, row.expiry);
        // The old deployment had ended by the block this change was seen at.
        return before !== undefined && before !== row.expiry && before <= row.block;
      },
    };
  },
};
