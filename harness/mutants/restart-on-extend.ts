import type { Mutant } from './mutant.js';
import { recreateOnExpiryChange } from './recreate-on-change.js';

export const restartOnExtend: Mutant = {
  bug: 'recreates the org-node container when the expiry changes (same volume and NID, but the node restarts)',
  policy: () => recreateOnExpiryChange(),
};
