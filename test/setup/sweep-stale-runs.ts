import { engineVersion } from '../../harness/docker/engine.js';
import { sweepStaleRuns } from '../../harness/docker/sweep.js';

/** Sweep on start: what a crashed earlier run left behind is removed before the suite begins. */
export default async function setup(): Promise<void> {
  try {
    await engineVersion();
  } catch {
    return; // tests that need the engine will say so themselves
  }
  const swept = await sweepStaleRuns();
  if (swept.length) console.log(`[oneclick] swept leftovers of crashed runs: ${swept.join(', ')}`);
}
