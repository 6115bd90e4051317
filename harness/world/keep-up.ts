/**
 * A world that stays up until Ctrl-C, for `oneclick up` and `oneclick provider start`: `start` boots
 * it on a fresh run and may return what to end first (log follows); then the run removes everything.
 */
import type { Run } from '../docker/run.js';

export async function keepUp(
  prefix: string,
  start: (run: Run) => Promise<(() => void) | undefined>,
): Promise<void> {
  const { startRun } = await import('../docker/run.js');
  const run = startRun(prefix);
  // Ctrl-C: the run's own signal hook removes everything and exits 130; these listeners only end the
  // wait, and stay registered (no `once`) so that no other module's hook sees itself alone.
  let onSignal = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const end = await start(run);
    await stopped;
    end?.();
  } finally {
    await run.dispose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
