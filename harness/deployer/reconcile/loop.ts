/** The reconciler's loop: one pass at start, then one on every kick, else every RESYNC_MS. */
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

/** How often a pass runs with no notification (catches drift: a removed container, a lost record). */
export const RESYNC_MS = 10_000;
/** After a pass with errors, the next one comes sooner. */
export const RETRY_MS = 2_000;

export interface PassResult {
  /** Orgs with a running, published org-node after the pass. */
  running: number;
  errors: number;
}

/** How long to wait for a kick after a pass (undefined: the pass itself failed). */
export function waitAfter(
  result: PassResult | undefined,
  ms = { resync: RESYNC_MS, retry: RETRY_MS },
): number {
  return result && result.errors === 0 ? ms.resync : ms.retry;
}

export interface LoopOptions {
  log: Logger;
  metrics?: Metrics;
  ms?: { resync: number; retry: number };
}

export function passLoop(pass: () => Promise<PassResult>, { log, metrics, ms }: LoopOptions) {
  let wake: (() => void) | undefined;
  let kicked = false;

  /** Resolves after `waitMs`, on a kick, or when `signal` aborts. */
  const pause = (waitMs: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      wake = done;
    });

  return {
    /** Asks for a pass soon (coalesced: many kicks during a pass make one more pass). */
    kick(): void {
      kicked = true;
      wake?.();
    },
    /** Passes until `signal` aborts. */
    async run({ signal }: { signal?: AbortSignal } = {}): Promise<void> {
      while (!signal?.aborted) {
        kicked = false;
        let result: PassResult | undefined;
        try {
          result = await pass();
        } catch (error) {
          metrics?.reconcileError();
          log.error('reconcile pass failed', { error: errorMessage(error) });
        }
        if (signal?.aborted) break;
        if (kicked) continue;
        await pause(waitAfter(result, ms), signal);
      }
    },
  };
}
