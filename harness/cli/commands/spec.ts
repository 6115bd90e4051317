import { Command } from 'commander';
import { UsageError } from '../errors.js';

interface CoverageFlags {
  scenarios: string[];
  mutants: string;
  json?: boolean;
}

export function specCommand(): Command {
  const spec = new Command('spec').description('The requirements of SPEC.md §5 and what checks them.');
  spec
    .command('coverage')
    .description(
      'Requirement → scenarios that prove it → shipped mutants that must fail it. Exit 1 when a requirement ' +
        'has no scenario; requirements no mutant fails are listed (the suite has never been shown to catch them).',
    )
    .option('--scenarios <glob...>', 'scenario files, folders or globs', ['scenarios/*.yaml'])
    .option(
      '--mutants <dir>',
      'a folder of provider packages that declare mustFail',
      'fixtures/providers/faulty',
    )
    .option('--json', 'print the table as JSON')
    .action(async (flags: CoverageFlags) => {
      const { specCoverage } = await import('../../spec/coverage.js');
      const { ScenarioError } = await import('../../scenario/problems.js');
      const { ManifestError } = await import('../../provider/manifest.js');
      let coverage;
      try {
        coverage = await specCoverage(flags.scenarios, flags.mutants);
      } catch (error) {
        if (error instanceof ScenarioError || error instanceof ManifestError)
          throw new UsageError(error.message);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new UsageError(`--mutants ${flags.mutants}: no such folder`);
        }
        throw error;
      }
      if (flags.json) {
        console.log(JSON.stringify(coverage, null, 2));
      } else {
        const width = Math.max(...coverage.rows.map((r) => r.id.length));
        const scenarioWidth = Math.max(9, ...coverage.rows.map((r) => r.scenarios.join(', ').length));
        console.log(`${'requirement'.padEnd(width)}  ${'scenarios'.padEnd(scenarioWidth)}  mutants`);
        for (const r of coverage.rows) {
          console.log(
            `${r.id.padEnd(width)}  ${(r.scenarios.join(', ') || '—').padEnd(scenarioWidth)}  ${r.mutants.join(', ') || '—'}`,
          );
        }
        const n = coverage.rows.length;
        console.log(
          `\n${n - coverage.unproved.length}/${n} requirements proved by a scenario; ` +
            `${n - coverage.unmutated.length}/${n} failed by at least one mutant` +
            (coverage.unmutated.length ? ` (none fails: ${coverage.unmutated.join(', ')})` : ''),
        );
      }
      if (coverage.unproved.length) {
        console.error(`no scenario proves: ${coverage.unproved.join(', ')}`);
        process.exitCode = 1;
      }
    });
  return spec;
}
