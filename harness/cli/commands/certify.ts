import { dirname } from 'node:path';
import { Command } from 'commander';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { ProviderContract } from '../../certificate/index.js';
import type { SignOptions } from '../../certify/sign.js';
import { loadProviderOrUsage, UsageError } from '../errors.js';
import { parseIntFlag } from '../flags.js';

interface CertifyFlags {
  provider?: string;
  scenarios: string[];
  profile: string;
  seed?: string;
  out?: string;
  repeat: string;
  parallel?: string;
  sign?: string;
  providerContract?: string;
  rpc?: string;
  chainId?: string;
  validDays?: string;
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
  sign?: SignInput;
}

/** `--sign` and what goes with it: the key's source and where the certificate may be used. */
export interface SignInput {
  key: string;
  providerContract?: string;
  rpc?: string;
  chainId?: number;
  validDays: number;
}

/** Shared by `certify` and `scenario run`: loads and validates everything before touching Docker. */
export async function runCertification(input: RunCertificationInput): Promise<number> {
  const { loadScenarios } = await import('../../scenario/parse.js');
  const { loadProfile } = await import('../../scenario/profile.js');
  const { ScenarioError } = await import('../../scenario/problems.js');
  const { newSeed } = await import('../../scenario/seed.js');
  const provider = await loadProviderOrUsage(input.providerDir);
  let scenarios, profile;
  try {
    profile = loadProfile(input.profile);
    scenarios = loadScenarios(input.scenarios);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
  if (scenarios.length === 0) throw new UsageError(`no scenario matches ${input.scenarios.join(', ')}`);
  const signing = input.sign && (await prepareSigning(input.sign));
  const seed = input.seed ?? newSeed();
  const out = input.out ?? `reports/certify-${provider.manifest.name}-${seed}`;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `certifying ${provider.manifest.name} ${provider.manifest.version}: ${scenarios.length} scenario(s), ` +
      `profile ${profile.name}, seed ${seed} (replay with --seed ${seed})${input.repeat > 1 ? `, ${input.repeat} repetitions` : ''}`,
  );
  const { certify, redactSecrets } = await import('../../certify/index.js');
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
  if (signing) {
    const signed = await signResults(signing, {
      results,
      dir: dirname(paths.json),
      scenarios,
      profile,
      redact: redactSecrets,
    });
    if (signed !== 0 && results.outcome === 'certified') return signed;
  }
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

interface Signing {
  signer: PrivateKeyAccount;
  providerContract?: ProviderContract;
  rpc?: string;
  validDays: number;
}

/** Everything about signing that can be wrong is found before a single container starts. */
async function prepareSigning(sign: SignInput): Promise<Signing> {
  const { loadSigner, SignerKeyError } = await import('../../certificate/key.js');
  const { resolveProviderContract, ProviderContractError } = await import('../../certify/sign.js');
  try {
    const signer = await loadSigner(sign.key);
    const providerContract =
      sign.providerContract === undefined
        ? undefined
        : await resolveProviderContract({
            address: sign.providerContract,
            ...(sign.rpc && { rpc: sign.rpc }),
            ...(sign.chainId !== undefined && { chainId: sign.chainId }),
          });
    return {
      signer,
      validDays: sign.validDays,
      ...(providerContract && { providerContract }),
      ...(sign.rpc && { rpc: sign.rpc }),
    };
  } catch (error) {
    if (error instanceof SignerKeyError || error instanceof ProviderContractError)
      throw new UsageError(error.message);
    throw error;
  }
}

/** Signs a certified run (0), or says why it may not be signed (1); 3 when the fresh bundle does not verify. */
async function signResults(
  signing: Signing,
  bundle: Pick<SignOptions, 'results' | 'dir' | 'scenarios' | 'profile' | 'redact'>,
): Promise<number> {
  const { signCertification, chainHead } = await import('../../certify/sign.js');
  const { refusals } = await import('../../certificate/index.js');
  const reasons = refusals(bundle.results);
  if (reasons.length) {
    console.error(`not signed: only a certified run can be signed, and ${reasons.join('; ')}`);
    return 1;
  }
  const head = await chainHead(signing.rpc);
  const { certificate, verification, path } = await signCertification({
    ...bundle,
    signer: signing.signer,
    validDays: signing.validDays,
    ...(signing.providerContract && {
      providerContract: { ...signing.providerContract, ...(head && { head }) },
    }),
  });
  const p = certificate.statement.predicate;
  console.log(
    `certificate: ${path}\n  signer ${certificate.signature.signer}, valid until ${p.validUntil}` +
      (p.providerContract
        ? `, for ${p.providerContract.address} on chain ${p.providerContract.chainId}`
        : ''),
  );
  if (!verification.valid) {
    for (const c of verification.checks.filter((k) => !k.ok))
      console.error(`certificate check failed: ${c.name}: ${c.detail}`);
    return 3;
  }
  return 0;
}

/** The `--sign` family of flags, checked together; undefined without `--sign`. */
function signInput(flags: CertifyFlags): SignInput | undefined {
  const validDays = parseIntFlag('--valid-days', flags.validDays ?? '90', { min: 1, max: 3650 })!;
  const chainId = parseIntFlag('--chain-id', flags.chainId, { min: 1 });
  if (!flags.sign) {
    const stray = (
      [
        ['--provider-contract', flags.providerContract],
        ['--rpc', flags.rpc],
        ['--chain-id', flags.chainId],
        ['--valid-days', flags.validDays],
      ] as const
    ).filter(([, v]) => v !== undefined);
    if (stray.length)
      throw new UsageError(`${stray.map(([f]) => f).join(', ')} only mean something with --sign`);
    return undefined;
  }
  if ((flags.rpc || chainId !== undefined) && !flags.providerContract) {
    throw new UsageError(
      '--rpc and --chain-id name the chain of --provider-contract: give --provider-contract too',
    );
  }
  return {
    key: flags.sign,
    validDays,
    ...(flags.providerContract && { providerContract: flags.providerContract }),
    ...(flags.rpc && { rpc: flags.rpc }),
    ...(chainId !== undefined && { chainId }),
  };
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
    .option(
      '--sign <file|env:NAME>',
      "sign a certified run: the certifier's secp256k1 key from a file or an environment variable; writes certificate.json",
    )
    .option(
      '--provider-contract <address>',
      'with --sign: the provider contract the certificate may list on the Entrance',
    )
    .option(
      '--rpc <url>',
      "with --provider-contract: the contract's chain (reads chain id, head block, code)",
    )
    .option('--chain-id <n>', 'with --provider-contract and no --rpc: the chain id it lives on')
    .option('--valid-days <n>', 'with --sign: how long the certificate holds (default 90)')
    .action(async (flags: CertifyFlags) => {
      const seed = parseIntFlag('--seed', flags.seed, { min: 0, max: 2 ** 31 - 1 });
      const parallel = parseIntFlag('--parallel', flags.parallel, { min: 1, max: 16 });
      const sign = signInput(flags);
      process.exitCode = await runCertification({
        ...(sign && { sign }),
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
  scenario
    .command('schema')
    .description(
      'Print the JSON Schema scenario files are checked against (assembled from the step definitions).',
    )
    .option('--write', 'write it to harness/scenario/schema.json (what scenario files point editors at)')
    .action(async (flags: { write?: boolean }) => {
      const { scenarioSchema, writeScenarioSchema, SCENARIO_SCHEMA_PATH } =
        await import('../../scenario/schema.js');
      if (!flags.write) return void console.log(JSON.stringify(scenarioSchema(), null, 2));
      writeScenarioSchema();
      console.log(`wrote ${SCENARIO_SCHEMA_PATH}`);
    });
  return scenario;
}
