/**
 * `oneclick verify`: a certificate bundle checked from its own files — every digest recomputed, the
 * signed fields against the Statement, the EIP-712 signature and its signer, the outcome and the
 * validity window. Each check is named, so a refusal says exactly what did not hold.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  getAddress,
  hashTypedData,
  isAddressEqual,
  recoverTypedDataAddress,
  zeroAddress,
  type Address,
  type Hex,
} from 'viem';
import type { CertificationResults } from '../report/model.js';
import { canonicalSha256, fileSha256 } from './digest.js';
import { CERTIFICATE_FILE, type Certificate, type FileDigest } from './model.js';
import { certificateShapeProblems } from './schema.js';
import { certificateDomain, certificateTypedData, type CertificateFields } from './typed-data.js';

/** The bundle cannot be read as one at all: exit 2. */
export class BundleError extends Error {
  override name = 'BundleError';
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Verification {
  valid: boolean;
  checks: Check[];
  certificate: Certificate;
  /** The folder holding certificate.json. */
  dir: string;
}

export interface VerifyOptions {
  /** The address the signature must come from. */
  certifier?: Address;
  /** Judge the validity window at this time (default now). */
  at?: Date;
}

/** Reads `<dir>/certificate.json` (or the file given) and checks it; BundleError when it is no bundle. */
export async function readCertificate(path: string): Promise<{ certificate: Certificate; dir: string }> {
  const file = (await stat(path).catch(() => undefined))?.isDirectory() ? join(path, CERTIFICATE_FILE) : path;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BundleError(`${file}: cannot read (${code}); give a bundle folder or its ${CERTIFICATE_FILE}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BundleError(`${file}: not JSON (${(error as Error).message})`);
  }
  const problems = certificateShapeProblems(value);
  if (problems.length)
    throw new BundleError(`${file}: not a oneclick certificate:\n  ${problems.join('\n  ')}`);
  return { certificate: value as Certificate, dir: dirname(file) };
}

export function signedFields(c: Certificate): CertificateFields {
  const m = c.signature.message;
  return {
    provider: getAddress(m.provider),
    chainId: BigInt(m.chainId),
    subject: m.subject as Hex,
    statement: m.statement as Hex,
    spec: m.spec,
    issuedAt: BigInt(m.issuedAt),
    validUntil: BigInt(m.validUntil),
  };
}

export async function verifyBundle(path: string, options: VerifyOptions = {}): Promise<Verification> {
  const { certificate, dir } = await readCertificate(path);
  const { statement, signature } = certificate;
  const p = statement.predicate;
  const fields = signedFields(certificate);
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const equal = (name: string, pairs: [string, unknown, unknown][]) => {
    const off = pairs.filter(([, a, b]) => String(a).toLowerCase() !== String(b).toLowerCase());
    check(
      name,
      off.length === 0,
      off.length
        ? off.map(([what, a, b]) => `${what}: signed ${String(a)}, statement says ${String(b)}`).join('; ')
        : 'agree',
    );
  };

  const statementDigest = canonicalSha256(statement);
  check(
    'statement digest',
    signature.statementDigest === `sha256:${statementDigest}` && fields.statement === `0x${statementDigest}`,
    `the statement's canonical JSON has sha256:${statementDigest}; signed ${fields.statement}, recorded ${signature.statementDigest}`,
  );

  for (const [name, entry] of [
    ['results.json digest', p.results],
    ['profile digest', p.profile],
    ...p.scenarios.map((s): [string, FileDigest] => [`scenario ${s.id} digest`, s]),
  ] as [string, FileDigest][]) {
    const actual = await fileSha256(join(dir, entry.file)).catch(
      (e: NodeJS.ErrnoException) => `missing (${e.code})`,
    );
    check(
      name,
      actual === entry.digest.sha256,
      actual === entry.digest.sha256
        ? `${entry.file} sha256:${actual}`
        : `${entry.file}: the certificate says sha256:${entry.digest.sha256}, the file has ${actual.length === 64 ? `sha256:${actual}` : actual}`,
    );
  }

  equal('signed fields', [
    ['subject', fields.subject, `0x${statement.subject[0]!.digest.sha256}`],
    ['spec', fields.spec, p.spec],
    ['provider contract', fields.provider, p.providerContract?.address ?? zeroAddress],
    ['chain id', fields.chainId, p.providerContract?.chainId ?? 0],
    ['issued at', fields.issuedAt, Date.parse(p.issued.at) / 1000],
    ['valid until', fields.validUntil, Date.parse(p.validUntil) / 1000],
    [
      'domain',
      JSON.stringify(signature.domain),
      JSON.stringify({ ...certificateDomain(fields.chainId), chainId: fields.chainId.toString() }),
    ],
  ]);

  const typed = certificateTypedData(fields);
  const digest = hashTypedData(typed);
  check(
    'EIP-712 digest',
    digest === signature.digest,
    `the signed fields hash to ${digest}; recorded ${signature.digest}`,
  );
  const recovered = await recoverTypedDataAddress({ ...typed, signature: signature.value }).catch(
    (e: Error) => `unrecoverable (${e.name})`,
  );
  const signedBySigner =
    typeof recovered === 'string' &&
    recovered.startsWith('0x') &&
    isAddressEqual(recovered as Address, signature.signer);
  check('signature', signedBySigner, `recovers to ${recovered}; the certificate names ${signature.signer}`);
  if (options.certifier) {
    const ok = isAddressEqual(signature.signer, options.certifier);
    check(
      'certifier',
      ok,
      ok ? `signed by ${options.certifier}` : `signed by ${signature.signer}, not by ${options.certifier}`,
    );
  }

  const notPassed = p.requirements.filter((r) => r.verdict !== 'pass');
  check(
    'outcome',
    p.outcome === 'certified' && notPassed.length === 0 && p.requirements.length > 0,
    notPassed.length
      ? `not passed: ${notPassed.map((r) => `${r.id} ${r.verdict}`).join(', ')}`
      : `${p.outcome}, ${p.requirements.length} requirements passed`,
  );
  check('results agree', ...(await resultsAgree(join(dir, p.results.file), certificate)));

  const now = Math.floor((options.at ?? new Date()).getTime() / 1000);
  const inWindow = BigInt(now) >= fields.issuedAt && BigInt(now) <= fields.validUntil;
  check(
    'validity window',
    inWindow,
    `${p.issued.at} … ${p.validUntil}; judged at ${new Date(now * 1000).toISOString()}${inWindow ? '' : BigInt(now) < fields.issuedAt ? ' (not yet valid)' : ' (expired)'}`,
  );
  return { valid: checks.every((c) => c.ok), checks, certificate, dir };
}

/** results.json says what the predicate says: the provider, image, seed, profile and every verdict. */
async function resultsAgree(file: string, c: Certificate): Promise<[boolean, string]> {
  let results: CertificationResults;
  try {
    results = JSON.parse(await readFile(file, 'utf8')) as CertificationResults;
  } catch (error) {
    return [false, `${file}: ${(error as Error).message}`];
  }
  const p = c.statement.predicate;
  const off: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (a !== b) off.push(`${what}: results.json ${String(a)}, certificate ${String(b)}`);
  };
  same('provider', results.provider?.name, p.provider.name);
  same('version', results.provider?.version, p.provider.version);
  same('image digest', results.provider?.imageDigest, `sha256:${c.statement.subject[0]!.digest.sha256}`);
  same('seed', results.seed, p.seed);
  same('profile', results.profile, p.profile.name);
  same('outcome', results.outcome, p.outcome);
  const verdicts = new Map((results.requirements ?? []).map((r) => [r.id, r.verdict]));
  for (const r of p.requirements) same(r.id, verdicts.get(r.id), r.verdict);
  if (verdicts.size !== p.requirements.length)
    off.push(`results.json judges ${verdicts.size} requirements, the certificate ${p.requirements.length}`);
  return [
    off.length === 0,
    off.length ? off.join('; ') : 'provider, image, seed, profile and every verdict agree',
  ];
}
