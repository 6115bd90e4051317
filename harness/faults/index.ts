/**
 * Faults oneclick injects into its own containers and networks: small functions, each returning a
 * handle whose `heal()` undoes exactly what it did (restart has nothing to undo).
 */
export { healAll, type Fault, type FaultKind } from './fault.js';
export {
  killContainer,
  stopContainer,
  pauseContainer,
  restartContainer,
  type KillFault,
  type StopFault,
  type PauseFault,
} from './containers.js';
export { disconnectContainer, partition, type DisconnectFault, type PartitionFault } from './partition.js';
export { injectLoss, type LossOptions, type LossFault } from './loss.js';
export { capBandwidth, parseRate, type BandwidthOptions, type BandwidthFault } from './bandwidth.js';
export {
  detectNetem,
  injectLatency,
  LATENCY_BACKEND_ENV,
  type LatencyBackend,
  type LatencyOptions,
  type LatencyFault,
} from './latency.js';
export { DELAYER_PATH } from './delayer.js';
export { resolveInterface, type LinkSelector, type Direction, type AddressSet } from './links.js';
