/**
 * The deployer's public seam: its process, and the policy it is constructed with. Code that builds
 * another deployer on the reference (some decisions made otherwise) imports this file only.
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
export type { OrgRow } from './state/index.js';
