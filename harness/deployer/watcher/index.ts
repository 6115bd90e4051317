/**
 * The watcher: chain logs → desired state per org in the store → a change list for the reconciler.
 *
 * Each step (step.ts) reads one bounded range of confirmed blocks (safe head = head −
 * confirmations) after the cursor, decodes the provider's `NewTopUp` / `DeploymentStopped` and the
 * served orgs' `Anchored`, and commits the result with the new cursor in one transaction. Before
 * reading, it checks that the cursor block is still canonical; if not, it walks back (bounded) to
 * the newest stored block that is, forgets everything above it, and recomputes every org touched
 * since from the contract (`expiryOf` at the step's block), not from event arithmetic.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage, type Logger } from '../log.js';
import type { ChainReader } from '../rpc.js';
import type { Store } from '../state/index.js';
import { FatalWatcherError, watchContext, type WatcherConfig } from './context.js';
import { scanAnchors } from './scan.js';
import { step, type Change, type StepResult } from './step.js';

export { ADDRESS_BATCH, ChainMovedError, FatalWatcherError, type WatcherConfig } from './context.js';
export type { Reorg } from './reorg.js';
export { applyEvents } from './settle.js';
export type { Change, StepResult } from './step.js';

const BACKOFF_BASE_MS = 200;

export interface WatcherOptions {
  config: WatcherConfig;
  store: Store;
  reader: ChainReader;
  log: Logger;
  /** Called after each step that changed something (after the commit; the store is the truth). */
  onChange?: (change: Change) => void | Promise<void>;
  /** Whose deployment logs count (the policy's; default the provider contract's). */
  logsFrom?: 'provider' | 'any';
}

/** Capped exponential backoff: base, 2·base, 4·base, … up to `maxMs`. */
export function backoffMs(attempt: number, maxMs: number, baseMs = BACKOFF_BASE_MS): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}

/** The run loop's two waits: after catching up, and after a failed step. */
interface Waits {
  poll: typeof sleep;
  backoff: typeof sleep;
}

/** How the run loop stands between steps. */
interface RunState {
  attempt: number;
  caughtUp: boolean;
  chainChecked: boolean;
}

export function createWatcher({ config, store, reader, log, onChange, logsFrom }: WatcherOptions) {
  const ctx = watchContext({ config, store, reader, log, ...(logsFrom && { logsFrom }) });

  async function notify(change: Change): Promise<void> {
    try {
      await onChange?.(change);
    } catch (error) {
      // The store holds the truth; a reconciler catches up from it. Keep watching.
      log.error('change listener failed', { error: errorMessage(error), block: change.block });
    }
  }

  /** Fails fast (no retry) if the RPC serves another chain than ONECLICK_CHAIN_ID. */
  async function checkChain(): Promise<void> {
    const id = await reader.chainId();
    if (id !== config.chainId) {
      throw new FatalWatcherError(`the RPC serves chain ${id}, but ONECLICK_CHAIN_ID is ${config.chainId}`);
    }
  }

  const once = (): Promise<StepResult> => step(ctx, notify);
  /** Caught up and no backfill left. */
  const idle = (result: StepResult) => result.caughtUp && store.nextScans(1).length === 0;

  /** Steps until nothing confirmed is left to read (tests, benchmarks); returns every step. */
  async function sync({ maxSteps = 100_000 }: { maxSteps?: number } = {}): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (let i = 0; i < maxSteps; i++) {
      const result = await once();
      results.push(result);
      if (idle(result)) return results;
    }
    throw new Error(`not caught up after ${maxSteps} steps`);
  }

  /** One turn of the run loop: a step, then the wait before the next. */
  async function turn(s: RunState, wait: Waits, signal?: AbortSignal): Promise<void> {
    try {
      if (!s.chainChecked) await checkChain();
      s.chainChecked = true;
      const result = await once();
      s.attempt = 0;
      const nowIdle = idle(result);
      if (nowIdle && !s.caughtUp) log.info('caught up', { block: result.change.block, safe: result.safe });
      s.caughtUp = nowIdle;
      if (nowIdle) await wait.poll(config.pollIntervalMs, signal);
    } catch (error) {
      if (error instanceof FatalWatcherError) throw error;
      s.attempt += 1;
      const retryInMs = backoffMs(s.attempt, config.backoffMaxMs);
      log.warn('watcher step failed; retrying', {
        error: errorMessage(error),
        attempt: s.attempt,
        retryInMs,
      });
      await wait.backoff(retryInMs, signal);
    }
  }

  /**
   * Watches until `signal` aborts: catches up as fast as the RPC allows, then polls every
   * `pollIntervalMs` (a `poll` that a new head cuts short, with ONECLICK_WS_URL). Any failed step
   * is retried after a capped exponential backoff, logged as a warning; only a wrong chain id stops it.
   */
  async function run({
    signal,
    wait = sleep,
    poll = wait,
  }: { signal?: AbortSignal; wait?: typeof sleep; poll?: typeof sleep } = {}): Promise<void> {
    const s: RunState = { attempt: 0, caughtUp: false, chainChecked: false };
    while (!signal?.aborted) await turn(s, { poll, backoff: wait }, signal);
  }

  return { step: once, sync, run, checkChain, scanAnchors: (cursor: bigint) => scanAnchors(ctx, cursor) };
}

export type Watcher = ReturnType<typeof createWatcher>;
