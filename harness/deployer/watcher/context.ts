/**
 * What every phase of a watcher step works with: the configuration, the store, the chain reader
 * and the log, fixed for the process. Phases are functions of it (and of what the step read so
 * far), so each can be driven alone.
 */
import type { Address } from 'viem';
import type { DeployerConfig } from '../config.js';
import type { Terms } from '../desired.js';
import { emitters, type Emitters } from '../events.js';
import type { Logger } from '../log.js';
import type { ChainReader } from '../rpc.js';
import type { Store } from '../state/index.js';

/** Addresses per `eth_getLogs` of anchors. */
export const ADDRESS_BATCH = 500;

/**
 * A step's deployment logs are read in up to this many block ranges side by side, each of at least
 * SPLIT_MIN_BLOCKS (a live step's few blocks stay one read). The node answers the next part while
 * this process parses the last: 10 000 logs in 27 blocks came in about half the time of one read.
 */
export const LOG_READ_SPLIT = 4;
export const SPLIT_MIN_BLOCKS = 4n;

export type WatcherConfig = Pick<
  DeployerConfig,
  | 'chainId'
  | 'providerAddress'
  | 'confirmations'
  | 'graceBlocks'
  | 'retentionBlocks'
  | 'logRangeBlocks'
  | 'startBlock'
  | 'maxReorgDepth'
  | 'pollIntervalMs'
  | 'backoffMaxMs'
>;

export interface WatchContext {
  config: WatcherConfig;
  store: Store;
  reader: ChainReader;
  log: Logger;
  provider: Address;
  /** The provider contract as the only expected emitter of deployment logs. */
  providerOnly: Emitters;
  /** Whose deployment logs are read (`any`: every emitter's, taken for the provider's). */
  logsFrom: 'provider' | 'any';
  terms: Terms;
}

export function watchContext(
  o: Pick<WatchContext, 'config' | 'store' | 'reader' | 'log'> & Partial<Pick<WatchContext, 'logsFrom'>>,
): WatchContext {
  return {
    logsFrom: 'provider',
    ...o,
    provider: o.config.providerAddress,
    providerOnly: emitters([o.config.providerAddress]),
    terms: { graceBlocks: o.config.graceBlocks, retentionBlocks: o.config.retentionBlocks },
  };
}

/** The chain moved under a read (the block hashes of one range disagree): retry the step. */
export class ChainMovedError extends Error {
  override name = 'ChainMovedError';
}

/** Not worth retrying: the configuration points at the wrong chain. */
export class FatalWatcherError extends Error {
  override name = 'FatalWatcherError';
}

export const minOf = (a: bigint, b: bigint) => (a < b ? a : b);
export const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
