import { Command } from 'commander';
import { isAddress, getAddress } from 'viem';
import { UsageError } from '../errors.js';

interface VerifyFlags {
  certifier?: string;
  at?: string;
  replay?: boolean;
  provider?: string;
  out?: string;
  only?: string[];
}

/** Exit codes: 0 valid (and, with --replay, the same verdicts), 1 a check failed, 2 not a bundle or bad flags. */
export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      'Check a certificate bundle from its own files: every digest, the signed fields, the EIP-712 signature and ' +
        'its signer, the outcome and the validity window. Exit 0 valid, 1 invalid (naming the check), 2 bad input.',
    )
    .argument('<bundle>', 'the certification folder, or its certificate.json')
    .option('--certifier <address>', 'the address the certificate must be signed by')
    .option('--at <time>', 'judge the validity window at this ISO 8601 time (default now)')
    .option(
      '--replay',
      "re-run the certification with the bundle's seed, scenarios and profile and compare verdicts",
    )
    .option(
      '--provider <dir>',
      'with --replay: the provider package (default: the folder results.json names)',
    )
    .option('--out <dir>', "with --replay: where the replay's reports go (default <bundle>/replay)")
    .option(
      '--only <scenario...>',
      'with --replay: replay only these scenarios of the bundle (by id) and compare the verdicts they judge',
    )
    .action(async (bundle: string, flags: VerifyFlags) => {
      if (flags.certifier !== undefined && !isAddress(flags.certifier, { strict: false })) {
        throw new UsageError(`--certifier expects a 0x-prefixed 20-byte address, got "${flags.certifier}"`);
      }
      const at = flags.at === undefined ? undefined : new Date(flags.at);
      if (at && Number.isNaN(at.getTime()))
        throw new UsageError(`--at expects an ISO 8601 time, got "${flags.at}"`);
      if (!flags.replay && (flags.provider || flags.out || flags.only))
        throw new UsageError('--provider, --out and --only only mean something with --replay');
      const { verifyBundle, BundleError } = await import('../../certificate/index.js');
      let verification;
      try {
        verification = await verifyBundle(bundle, {
          ...(flags.certifier && { certifier: getAddress(flags.certifier) }),
          ...(at && { at }),
        });
      } catch (error) {
        if (error instanceof BundleError) throw new UsageError(error.message);
        throw error;
      }
      const width = Math.max(...verification.checks.map((c) => c.name.length));
      for (const c of verification.checks)
        console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
      const { signature, statement } = verification.certificate;
      console.log(
        `\n${verification.valid ? 'valid' : 'INVALID'} — ${statement.predicate.provider.name} ${statement.predicate.provider.version}, ` +
          `signed by ${signature.signer}, valid until ${statement.predicate.validUntil}`,
      );
      if (!verification.valid) {
        const failed = verification.checks.filter((c) => !c.ok).map((c) => c.name);
        console.error(`invalid: ${failed.join(', ')} did not hold`);
        process.exitCode = 1;
        return;
      }
      if (!flags.replay) return;
      const { readFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const results = JSON.parse(
        await readFile(join(verification.dir, statement.predicate.results.file), 'utf8'),
      ) as { provider: { dir: string } };
      const { replayCertification, ReplayScopeError } = await import('../../certify/replay.js');
      const replay = await replayCertification({
        ...(flags.only && { only: flags.only }),
        certificate: verification.certificate,
        dir: verification.dir,
        providerDir: flags.provider ?? results.provider.dir,
        out: flags.out ?? join(verification.dir, 'replay'),
        onProgress: (line) => process.stderr.write(`${line}\n`),
      }).catch((error: unknown) => {
        throw error instanceof ReplayScopeError ? new UsageError(error.message) : error;
      });
      console.log(
        replay.same
          ? `replay: the same image and every verdict ${flags.only ? `of ${flags.only.join(', ')} ` : ''}the same (${replay.out})`
          : `replay DIFFERS (${replay.out}):\n  ${replay.differences.join('\n  ')}`,
      );
      process.exitCode = replay.same ? 0 : 1;
    });
}
