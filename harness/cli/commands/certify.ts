import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseIntFlag } from '../flags.js';

interface CertifyFlags {
  provider?: string;
  scenarios: string[];
  profile: string;
  seed?: string;
  out?: string;
  repeat: string;
  parallel?: string;
}

const DEFAULT_SCENARIOS = 'scenarios/*.yaml';

/** Exit codes: 0 certified, 1 a requirement failed (or a mutant failed other than declared), 2 bad input, 3 harness error. */
export interface RunCertificationInput {
  providerDir: string;
  scenarios: string[];
  profile: string;
  seed?: number;
  out?: string;
  repeat: number;
  parallel?: number;
}

/** Shared by `certify` and `scenario run`: loads and validates everything before touching Docker. */
export async function runCertification(input: RunCertificationInput): Promise<number> {
  const { loadScenarios } = await import('../../scenario/parse.js');
  const { loadProfile } = await import('../../scenario/profile.js');
  const { ScenarioError } = await import('../../scenario/problems.js');
  const { loadProvider, ManifestError } = await import('../../provider/manifest.js');
  const { newSeed } = await import('../../scenario/seed.js');
  let scenarios, profile, provider;
  try {
    provider = await loadProvider(input.providerDir);
    profile = loadProfile(input.profile);
    scenarios = loadScenarios(input.scenarios);
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`invalid provider:\n${error.message}`);
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
  if (scenarios.length === 0) throw new UsageError(`no scenario matches ${input.scenarios.join(', ')}`);
  const seed = input.seed ?? newSeed();
  const out = input.out ?? `reports/certify-${provider.manifest.name}-${seed}`;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `certifying ${provider.manifest.name} ${provider.manifest.version}: ${scenarios.length} scenario(s), ` +
      `profile ${profile.name}, seed ${seed} (replay with --seed ${seed})${input.repeat > 1 ? `, ${input.repeat} repetitions` : ''}`,
  );
  const { certify } = await import('../../certify/index.js');
  const { results, paths, mismatch } = await certify({
    providerDir: input.providerDir,
    scenarios,
    profile,
    seed,
    out,
    repeat: input.repeat,
    ...(input.parallel !== undefined && { parallel: input.parallel }),
    onProgress: log,
  });
  const width = Math.max(...results.requirements.map((r) => r.id.length));
  for (const r of results.requirements) {
    console.log(`${r.verdict.padEnd(5)}  ${r.id.padEnd(width)}  ${r.title}`);
  }
  console.log(
    `\n${results.outcome} — ${results.provider.name} ${results.provider.version}, seed ${seed}, ` +
      `${(results.durationMs / 1000).toFixed(0)} s\nreports: ${paths.html}\n         ${paths.json}\n         ${paths.junit}`,
  );
  if (results.outcome === 'harness-error') {
    const broken = results.scenarios.filter((s) => s.status === 'error');
    for (const s of broken) console.error(`harness error in ${s.id}: ${s.error}`);
    return 3;
  }
  if (mismatch) {
    const exact = !mismatch.unexpectedFailures.length && !mismatch.missingFailures.length;
    console.log(
      exact
        ? `as declared: fails exactly ${results.mustFail?.join(', ')}`
        : `NOT as declared: unexpected failures [${mismatch.unexpectedFailures.join(', ')}], missing failures [${mismatch.missingFailures.join(', ')}]`,
    );
    return 1;
  }
  return results.outcome === 'certified' ? 0 : 1;
}

export function certifyCommand(): Command {
  return new Command('certify')
    .description(
      'Run the conformance scenarios against a provider, each in a world of its own, and write results.json, ' +
        'junit.xml and report.html. Exit 0 only when every MUST requirement passes; 1 when one fails; ' +
        '2 for bad input; 3 when the harness itself failed.',
    )
    .requiredOption('--provider <dir>', 'the provider folder (with provider.yaml)')
    .option('--scenarios <glob...>', 'scenario files, folders or globs', [DEFAULT_SCENARIOS])
    .option(
      '--profile <name>',
      'deadlines and world knobs: a name in scenarios/profiles or a file',
      'default',
    )
    .option('--seed <n>', 'replay a run: the same seed gives the same orgs, keys, NIDs and order')
    .option('--out <dir>', 'where the reports go (default reports/certify-<provider>-<seed>)')
    .option('--repeat <n>', 'run the suite n times; a requirement that passes only sometimes is flaky', '1')
    .option('--parallel <n>', "scenarios side by side (default: the profile's)")
    .action(async (flags: CertifyFlags) => {
      const seed = parseIntFlag('--seed', flags.seed, { min: 0, max: 2 ** 31 - 1 });
      const parallel = parseIntFlag('--parallel', flags.parallel, { min: 1, max: 16 });
      process.exitCode = await runCertification({
        providerDir: flags.provider!,
        scenarios: flags.scenarios,
        profile: flags.profile,
        ...(seed !== undefined && { seed }),
        ...(flags.out && { out: flags.out }),
        repeat: parseIntFlag('--repeat', flags.repeat, { min: 1, max: 100 })!,
        ...(parallel !== undefined && { parallel }),
      });
    });
}

export function scenarioCommand(): Command {
  const scenario = new Command('scenario').description('One scenario file at a time.');
  scenario
    .command('run')
    .description('Run one scenario against a provider with live progress, and write its reports.')
    .argument('<file>', 'the scenario file')
    .option('--provider <dir>', 'the provider folder', 'fixtures/providers/reference')
    .option('--profile <name>', 'a name in scenarios/profiles or a file', 'default')
    .option('--seed <n>', 'replay with this seed')
    .option('--out <dir>', 'where the reports go')
    .action(async (file: string, flags: Omit<CertifyFlags, 'scenarios' | 'repeat' | 'parallel'>) => {
      const seed = parseIntFlag('--seed', flags.seed, { min: 0, max: 2 ** 31 - 1 });
      process.exitCode = await runCertification({
        providerDir: flags.provider!,
        scenarios: [file],
        profile: flags.profile,
        ...(seed !== undefined && { seed }),
        ...(flags.out && { out: flags.out }),
        repeat: 1,
      });
    });
  return scenario;
}
