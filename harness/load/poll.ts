import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` until it returns a value, or returns undefined at the deadline. */
export async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}
