import { Command } from 'commander';
import { removeRun, sweepStaleRuns } from '../../docker/sweep.js';

export function cleanCommand(): Command {
  return new Command('clean')
    .description('Remove containers, networks and volumes left by oneclick runs (label oneclick.run).')
    .option('--run <id>', 'remove only this run')
    .option('--stale', 'remove only runs whose owning process is gone')
    .action(async (opts: { run?: string; stale?: boolean }) => {
      if (opts.stale) {
        const runs = await sweepStaleRuns();
        console.log(runs.length ? `removed stale runs: ${runs.join(', ')}` : 'no stale runs');
        return;
      }
      const removed = await removeRun(opts.run);
      console.log(
        `removed ${removed.containers} containers, ${removed.networks} networks, ${removed.volumes} volumes`,
      );
    });
}
