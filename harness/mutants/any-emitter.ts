import type { Mutant } from './mutant.js';

/**
 * Reads deployment logs by their topics alone, as a provider watching several provider contracts
 * might: a `NewTopUp` from any contract is taken for its own contract's.
 */
export const anyEmitter: Mutant = {
  bug: "takes every contract's NewTopUp / DeploymentStopped for its provider contract's (filters logs by topic only)",
  policy: () => ({ deploymentLogsFrom: 'any' }),
};
