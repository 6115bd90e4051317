import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAddress, recoverTypedDataAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  CertificateRefused,
  certificateTypedData,
  issueCertificate,
  loadSigner,
  readCertificate,
  signedFields,
  verifyBundle,
  type Certificate,
} from '../../harness/certificate/index.js';
import { failingResults } from '../report/fixture.js';
import { certifiedResults, throwawayKey, writtenRun } from './fixture.js';

const CONTRACT = { address: getAddress('0x00000000000000000000000000000000000a11ce'), chainId: 31337 };
const NOW = new Date('2026-12-01T12:00:00Z');

async function signed(extra: Parameters<typeof issueCertificate>[0]['providerContract'] | null = CONTRACT) {
  const { key, account } = throwawayKey();
  const run = await writtenRun(certifiedResults());
  const certificate = await issueCertificate({
    results: certifiedResults(),
    ...run,
    signer: account,
    ...(extra && { providerContract: extra }),
    validDays: 30,
    now: NOW,
  });
  return { ...run, key, account, certificate };
}

const failedChecks = async (dir: string, at = NOW) =>
  (await verifyBundle(dir, { at })).checks.filter((c) => !c.ok).map((c) => c.name);

describe('certificate bundle', () => {
  it('is an in-toto Statement about the image, signed over its canonical digest, and verifies', async () => {
    const { dir, account, certificate } = await signed();
    const { statement, signature } = certificate;
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.subject[0]!.digest.sha256).toBe(
      '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(statement.predicate).toMatchObject({
      provider: { name: 'acme-oneclick', version: '1.2.3' },
      providerContract: CONTRACT,
      spec: 'oneclick/v2',
      seed: 42,
      profile: { name: 'default', file: 'inputs/profile.yaml' },
      scenarios: [{ id: 'all', file: 'inputs/scenarios/all.yaml' }],
      results: { file: 'results.json' },
      outcome: 'certified',
      issued: { at: NOW.toISOString() },
      validUntil: '2026-12-31T12:00:00.000Z',
    });
    expect(statement.predicate.requirements.every((r) => r.verdict === 'pass')).toBe(true);
    expect(signature.signer).toBe(account.address);
    const recovered = await recoverTypedDataAddress({
      ...certificateTypedData(signedFields(certificate)),
      signature: signature.value,
    });
    expect(recovered).toBe(account.address);
    const v = await verifyBundle(dir, { certifier: account.address, at: NOW });
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.valid).toBe(true);
    // The file on disk is the certificate returned.
    expect((await readCertificate(dir)).certificate).toEqual(certificate);
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: 'x', c: null }] })).toBe(
      '{"a":[true,{"c":null,"d":"x"}],"b":1}',
    );
    expect(canonicalJson({ a: [true, { c: null, d: 'x' }], b: 1 })).toBe(
      canonicalJson({ b: 1, a: [true, { d: 'x', c: null }] }),
    );
  });

  it('names the digest that no longer matches when one byte of results.json changes', async () => {
    const { dir } = await signed();
    const file = join(dir, 'results.json');
    const bytes = await readFile(file);
    bytes[bytes.indexOf('"seed": 42') + 9] = '3'.charCodeAt(0);
    await writeFile(file, bytes);
    const failed = await failedChecks(dir);
    expect(failed).toContain('results.json digest');
    expect(failed).toContain('results agree'); // seed 43 is not what the certificate says
    const v = await verifyBundle(dir, { at: NOW });
    expect(v.checks.find((c) => c.name === 'results.json digest')!.detail).toMatch(
      /the certificate says sha256:[0-9a-f]{64}, the file has sha256:[0-9a-f]{64}/,
    );
  });

  it('catches a changed scenario file, profile, statement, signed field, signature or signer', async () => {
    const mutations: [string, (c: Certificate, dir: string) => Promise<void> | void, string][] = [
      [
        'scenario',
        async (_, dir) => writeFile(join(dir, 'inputs/scenarios/all.yaml'), 'scenario: other\n'),
        'scenario all digest',
      ],
      [
        'profile',
        async (_, dir) => writeFile(join(dir, 'inputs/profile.yaml'), 'description: slow\n'),
        'profile digest',
      ],
      ['predicate', (c) => void (c.statement.predicate.seed = 7), 'statement digest'],
      [
        'valid until',
        (c) => void (c.signature.message.validUntil = String(Number(c.signature.message.validUntil) + 1)),
        'signature',
      ],
      [
        'provider',
        (c) => void (c.signature.message.provider = '0x00000000000000000000000000000000000b0b00'),
        'signed fields',
      ],
      [
        'signature',
        (c) =>
          void (c.signature.value =
            `${c.signature.value.slice(0, 10)}${c.signature.value[10] === 'a' ? 'b' : 'a'}${c.signature.value.slice(11)}` as `0x${string}`),
        'signature',
      ],
      ['signer', (c) => void (c.signature.signer = throwawayKey().account.address), 'signature'],
    ];
    for (const [what, mutate, check] of mutations) {
      const { dir, certificate } = await signed();
      await mutate(certificate, dir);
      await writeFile(join(dir, 'certificate.json'), JSON.stringify(certificate));
      expect(await failedChecks(dir), what).toContain(check);
    }
  });

  it('holds only inside its validity window and only for the certifier asked for', async () => {
    const { dir } = await signed();
    expect(await failedChecks(dir, new Date('2027-01-01T00:00:00Z'))).toEqual(['validity window']);
    expect(await failedChecks(dir, new Date('2026-11-30T00:00:00Z'))).toEqual(['validity window']);
    const other = throwawayKey().account.address;
    const v = await verifyBundle(dir, { at: NOW, certifier: other });
    expect(v.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['certifier']);
  });

  it('without a provider contract it signs the zero address on chain 0 (valid off-chain, listable nowhere)', async () => {
    const { dir, certificate } = await signed(null);
    expect(certificate.signature.message).toMatchObject({
      provider: '0x0000000000000000000000000000000000000000',
      chainId: '0',
    });
    expect(certificate.statement.predicate.providerContract).toBeUndefined();
    expect(await failedChecks(dir)).toEqual([]);
  });

  it('refuses to sign a failed run, a mutant and a run with a skipped requirement', async () => {
    const { account } = throwawayKey();
    const cases = [
      [failingResults(), /outcome is failed.*PROV-DNS fail/],
      [certifiedResults({ mustFail: ['PROV-DNS'] }), /declares mustFail \(PROV-DNS\)/],
      [
        (() => {
          const r = certifiedResults();
          r.requirements[0] = { ...r.requirements[0]!, verdict: 'skip' };
          return r;
        })(),
        /CHAIN-TOPUP skip/,
      ],
    ] as const;
    for (const [results, why] of cases) {
      const run = await writtenRun(results);
      const attempt = issueCertificate({ results, ...run, signer: account, validDays: 1 });
      await expect(attempt).rejects.toThrow(CertificateRefused);
      await expect(attempt).rejects.toThrow(why);
      await expect(readFile(join(run.dir, 'certificate.json'))).rejects.toThrow(/ENOENT/);
    }
  });
});

describe('certifier key', () => {
  it('reads a key from a file or an environment variable', async () => {
    const { key, account } = throwawayKey();
    const { dir } = await writtenRun(certifiedResults());
    await writeFile(join(dir, 'key'), `${key}\n`);
    expect((await loadSigner(join(dir, 'key'))).address).toBe(account.address);
    process.env.ONECLICK_TEST_KEY = key.slice(2);
    expect((await loadSigner('env:ONECLICK_TEST_KEY')).address).toBe(account.address);
    delete process.env.ONECLICK_TEST_KEY;
  });

  it('says where it looked and what it expected, never what it found', async () => {
    const { dir } = await writtenRun(certifiedResults());
    const almost = `0x${'ab'.repeat(31)}zz`;
    await writeFile(join(dir, 'bad'), almost);
    await expect(loadSigner(join(dir, 'bad'))).rejects.toThrow(
      /does not hold a secp256k1 private key: 64 hex digits/,
    );
    await expect(loadSigner(join(dir, 'bad'))).rejects.not.toThrow(almost.slice(2, 20));
    await expect(loadSigner(join(dir, 'missing'))).rejects.toThrow(/cannot read file .*missing \(ENOENT\)/);
    await expect(loadSigner('env:ONECLICK_NOT_SET_ANYWHERE')).rejects.toThrow(
      /environment variable ONECLICK_NOT_SET_ANYWHERE is not set/,
    );
    await expect(loadSigner('env:1x')).rejects.toThrow(/not a variable name/);
    const outOfRange = `0x${'ff'.repeat(32)}`; // above the curve order
    await writeFile(join(dir, 'range'), outOfRange);
    await expect(loadSigner(join(dir, 'range'))).rejects.toThrow(/not a valid secp256k1 key/);
    await expect(loadSigner(join(dir, 'range'))).rejects.not.toThrow('ffffffff');
  });
});
