import { Command } from 'commander';
import { runChecks, type CheckResult } from '../../doctor/checks.js';
import { formatTimings, lastSetupTimings, timingsFile } from '../../doctor/timings.js';

const MARK = { ok: 'ok  ', missing: 'FAIL', warn: 'warn' } as const;

export function formatChecks(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results
    .map((r) => {
      const line = `${MARK[r.status]}  ${r.name.padEnd(width)}  ${r.detail}`;
      return r.fix ? `${line}\n      -> ${r.fix}` : line;
    })
    .join('\n');
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'Check that this machine can run oneclick (Node, Docker engine, iptables, disk, anvil, ...).',
    )
    .option('--json', 'print the checks as JSON')
    .option(
      '--timings',
      'show how long each step of the last scripts/bootstrap.sh took (instead of the checks)',
    )
    .action(async (opts: { json?: boolean; timings?: boolean }) => {
      if (opts.timings) {
        const t = await lastSetupTimings();
        if (opts.json) console.log(JSON.stringify(t ?? null, null, 2));
        else
          console.log(
            t ? formatTimings(t) : `no set-up timings yet (${timingsFile()}): run scripts/bootstrap.sh`,
          );
        return;
      }
      const results = await runChecks();
      console.log(opts.json ? JSON.stringify(results, null, 2) : formatChecks(results));
      const failed = results.filter((r) => r.required && r.status !== 'ok');
      if (failed.length) {
        if (!opts.json)
          console.error(
            `\n${failed.length} required check(s) failed: ${failed.map((r) => r.name).join(', ')}`,
          );
        process.exitCode = 1;
      }
    });
}
