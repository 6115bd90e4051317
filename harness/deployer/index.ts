/**
 * The deployer's public seam: its process, and the policy it is constructed with. What builds on
 * the reference from outside (oneclick's mutant providers, harness/mutants) imports this file only.
 */
export type { DeployerConfig } from './config.js';
export { createLogger, type Logger } from './log.js';
export {
  referencePolicy,
  withPolicy,
  type DataMount,
  type Policy,
  type Ports,
  type StartContext,
} from './policy.js';
export { runDeployer } from './run.js';
export type { OrgRow } from './state.js';
