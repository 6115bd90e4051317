import type { Mutant } from './mutant.js';
import { recreateOnExpiryChange } from './recreate-on-change.js';

export const restartInGrace: Mutant = {
  bug: 'takes a top-up that lands at or after expiry (in grace) for a new deployment and recreates the org-node (same volume and NID, the node restarts)',
  // The old deployment had ended by the block this change was seen at.
  policy: () => recreateOnExpiryChange((row, before) => before <= row.block),
};
