export { dockerEngine, engineVersion } from './engine.js';
export { RUN_LABEL, OWNER_LABEL, newRunId, runLabels } from './labels.js';
export { removeRun, staleRuns, sweepStaleRuns, type SweepResult } from './sweep.js';
export { startRun, type Run } from './run.js';
export {
  container,
  ContainerBuilder,
  type StartedContainer,
  type ExecResult,
  type ExecOptions,
  type NetworkAttachment,
} from './container.js';
export { createNetwork, createVolume, type NetworkSpec, type CreatedNetwork } from './network.js';
