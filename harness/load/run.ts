/**
 * `oneclick load`: boots a world with NATed LANs, starts a provider, funds N orgs in a burst, places
 * M outside peers across the LANs, and measures per iteration peering, replication and HTTP (plus
 * provisioning under the burst, and the baselines: bare `docker run` to ready, direct peer↔peer
 * replication). Seeded; bounded by count and time; everything it makes carries the run label and is
 * removed at the end, also on Ctrl-C.
 */
import { startRun } from '../docker/run.js';
import { iterate, httpTargets } from './iterate.js';
import { k6Round } from './k6-round.js';
import { startMeter } from './meter.js';
import type { LoadOptions, LoadOutcome } from './options.js';
import { newReport, conclude } from './outcome.js';
import { provisionBurst } from './provision.js';
import { replicationSetup } from './replication.js';
import { writeReports } from './report.js';
import { idleUsage } from './resources.js';
import { startLoadWorld } from './world.js';

export { METRIC_DESCRIPTIONS } from './meter.js';
export type { LoadOptions, LoadOutcome } from './options.js';

export async function runLoad(o: LoadOptions): Promise<LoadOutcome> {
  const startedAt = new Date();
  const m = startMeter(o);
  const run = startRun('load');
  const report = newReport(o, run.id, startedAt, m.notes);
  let redact = (s: string) => s;
  try {
    const { world, peers } = await startLoadWorld(run, o, m, report, (r) => (redact = r));
    const { live, published } = await provisionBurst(world, o.orgs, report, m);
    report.resources = await idleUsage(run.id, m);
    const { test, wallets } = world;
    const pairs = await replicationSetup(peers, live, published, { owner: wallets.orgOwner, test }, m);
    await iterate(o, { peers, live, published, pairs, dns: world.booted.world.dns }, m);
    if (o.k6) await k6Round(o, httpTargets({ live, published }), report, m);
    await world.provider.stop().catch(() => undefined);
  } catch (error) {
    report.error = redact((error as Error).message);
    m.progress(`harness error: ${report.error}`);
  } finally {
    m.progress('removing everything this run created');
    // A failed cleanup must not lose the measurements: it is reported, and the report still written.
    await run.dispose().catch((error: Error) => {
      report.error = [report.error, `cleanup: ${redact(error.message)}`].filter(Boolean).join('; ');
      m.progress(`cleanup failed: ${error.message} (oneclick clean --run ${run.id} retries it)`);
    });
  }
  conclude(report, m.h, o, startedAt);
  return { report, files: await writeReports(o.outDir, report) };
}
