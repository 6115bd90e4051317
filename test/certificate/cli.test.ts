import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../harness/certificate/index.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR } from '../provider/reference-fixture.js';
import { certifiedResults, throwawayKey, writtenRun } from './fixture.js';

async function bundle() {
  const { key, account } = throwawayKey();
  const results = certifiedResults();
  const run = await writtenRun(results);
  await issueCertificate({ results, ...run, signer: account, validDays: 30 });
  return { ...run, key, account };
}

describe('oneclick verify', () => {
  it('exits 0 on a fresh bundle and lists every check', async () => {
    const { dir, account } = await bundle();
    const r = await runCli(['verify', dir, '--certifier', account.address]);
    expect(r.code, r.stderr).toBe(0);
    for (const check of [
      'statement digest',
      'results.json digest',
      'signature',
      'certifier',
      'validity window',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^ok +${check}`, 'm'));
    }
    expect(r.stdout).toMatch(/^valid — acme-oneclick 1\.2\.3, signed by 0x/m);
  });

  it('exits 1 naming the digest when one byte of results.json changed, and the signer when it is not the certifier', async () => {
    const { dir } = await bundle();
    const tampered = `${dir}-tampered`;
    await cp(dir, tampered, { recursive: true });
    const file = join(tampered, 'results.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"durationMs": ', '"durationMs": 1'));
    const r = await runCli(['verify', join(tampered, 'certificate.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^FAIL +results\.json digest +results\.json: the certificate says sha256:[0-9a-f]{64}, the file has sha256:/m,
    );
    expect(r.stderr).toMatch(/invalid: results\.json digest did not hold/);
    const other = await runCli(['verify', dir, '--certifier', throwawayKey().account.address]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/invalid: certifier did not hold/);
  });

  it('exits 2 for something that is not a bundle, naming the field', async () => {
    const { dir } = await bundle();
    const missing = await runCli(['verify', join(dir, 'nothing-here')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \(ENOENT\)/);
    const cert = JSON.parse(await readFile(join(dir, 'certificate.json'), 'utf8')) as {
      signature: Record<string, unknown>;
    };
    delete cert.signature.signer;
    cert.signature.value = 'zz';
    await writeFile(join(dir, 'certificate.json'), JSON.stringify(cert));
    const broken = await runCli(['verify', dir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/\/signature: missing field "signer"/);
    expect(broken.stderr).toMatch(/\/signature\/value: must match pattern/);
    const flags = await runCli(['verify', dir, '--certifier', 'alice']);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toMatch(/--certifier expects a 0x-prefixed 20-byte address/);
    const only = await runCli(['verify', dir, '--only', 'payments']);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/--provider, --out and --only only mean something with --replay/);
  });
});

describe('oneclick certify --sign: bad input exits 2 before anything starts', () => {
  it('names where the key was looked for, never the key', async () => {
    const bad = `0x${'12'.repeat(31)}`;
    const r = await runCli(['certify', '--provider', REFERENCE_DIR, '--sign', 'env:ONECLICK_BAD_KEY'], {
      ONECLICK_BAD_KEY: bad,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environment variable ONECLICK_BAD_KEY does not hold a secp256k1 private key/);
    expect(r.stderr + r.stdout).not.toContain(bad.slice(2, 30));
    expect(r.stderr).not.toMatch(/certifying/);
  });

  it('wants --sign for the contract flags, an address, and a chain to find it on', async () => {
    const { key } = throwawayKey();
    const env = { ONECLICK_KEY: key };
    const cases: [string[], RegExp][] = [
      [
        ['--provider-contract', '0x00000000000000000000000000000000000a11ce'],
        /--provider-contract only mean something with --sign/,
      ],
      [
        ['--sign', 'env:ONECLICK_KEY', '--provider-contract', 'acme'],
        /--provider-contract expects a 0x-prefixed 20-byte address, got "acme"/,
      ],
      [
        ['--sign', 'env:ONECLICK_KEY', '--provider-contract', '0x00000000000000000000000000000000000a11ce'],
        /needs --rpc <url> .* or --chain-id <n>/,
      ],
      [['--sign', 'env:ONECLICK_KEY', '--rpc', 'http://127.0.0.1:1'], /give --provider-contract too/],
      [
        [
          '--sign',
          'env:ONECLICK_KEY',
          '--provider-contract',
          '0x00000000000000000000000000000000000a11ce',
          '--rpc',
          'http://127.0.0.1:1',
        ],
        /--rpc http:\/\/127\.0\.0\.1:1: no answer/,
      ],
      [['--sign', 'env:ONECLICK_KEY', '--valid-days', '0'], /--valid-days must be between 1 and 3650/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['certify', '--provider', REFERENCE_DIR, ...flags], env);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr, flags.join(' ')).toMatch(message);
      expect(r.stderr + r.stdout).not.toContain(key.slice(2));
    }
  });
});
