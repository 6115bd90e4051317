/**
 * One world boot: chain + contracts + net + DNS (`bootWorld`), then the provider and the harness's
 * peers (`populate`), or both at once (`startWorld`); `keepUp` holds one until Ctrl-C.
 */
export { bootWorld, type BootWorldOptions, type BootedWorld } from './boot.js';
export { startPeers, type PeerSpec, type WorldPeer } from './peers.js';
export {
  startWorld,
  populate,
  type StartWorldOptions,
  type PopulateOptions,
  type World,
  type Wallets,
} from './start.js';
export { keepUp } from './keep-up.js';
