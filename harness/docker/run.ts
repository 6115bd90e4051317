import { newRunId, runLabels } from './labels.js';
import { removeRun, type SweepResult } from './sweep.js';

export interface Run {
  readonly id: string;
  /** Labels to put on everything this run creates. */
  labels(extra?: Record<string, string>): Record<string, string>;
  /** Registers a teardown step; steps run last-in first-out before the label sweep. */
  defer(step: () => Promise<void> | void): void;
  /** Tears down: deferred steps, then every labelled resource. Safe to call twice. */
  dispose(): Promise<SweepResult>;
}

const live = new Set<Run>();
let signalsHooked = false;

/**
 * A run owns everything it creates through its labels. Ctrl-C, SIGTERM and uncaught errors dispose
 * every live run before the process exits, so nothing is left running.
 */
export function startRun(prefix?: string): Run {
  hookSignals();
  const id = newRunId(prefix);
  const steps: Array<() => Promise<void> | void> = [];
  let disposed: Promise<SweepResult> | undefined;
  const run: Run = {
    id,
    labels: (extra) => runLabels(id, extra),
    defer: (step) => void steps.push(step),
    dispose() {
      disposed ??= (async () => {
        live.delete(run);
        for (const step of steps.reverse()) {
          try {
            await step();
          } catch (error) {
            console.error(`[oneclick] cleanup step of run ${id} failed: ${(error as Error).message}`);
          }
        }
        return removeRun(id);
      })();
      return disposed;
    },
  };
  live.add(run);
  return run;
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  const bail = (code: number) => async () => {
    const runs = [...live];
    if (runs.length) console.error(`[oneclick] cleaning up ${runs.length} run(s) before exit...`);
    await Promise.allSettled(runs.map((r) => r.dispose()));
    process.exit(code);
  };
  // `on`, not `once`: execa (under @viem/anvil) hooks signals through signal-exit, which re-raises a
  // signal, killing the process before cleanup, when it finds itself the only listener left.
  process.on('SIGINT', bail(130));
  process.on('SIGTERM', bail(143));
}
