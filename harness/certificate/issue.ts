/**
 * Issues a certificate for a finished certification: copies the inputs into the bundle, digests them
 * and results.json, builds the in-toto Statement and signs its EIP-712 form with the certifier key.
 * Only a run whose every requirement passed can be signed.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashTypedData, zeroAddress, type Address } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { API_VERSION } from '../provider/manifest.js';
import type { CertificationResults } from '../report/model.js';
import { canonicalSha256, fileSha256 } from './digest.js';
import {
  CERTIFICATE_FILE,
  CERTIFICATE_SCHEMA,
  INPUTS_DIR,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  type Certificate,
  type CertificationPredicate,
  type SignedFieldsJson,
  type Statement,
} from './model.js';
import { certificateDomain, certificateTypedData, type CertificateFields } from './typed-data.js';

export class CertificateRefused extends Error {
  override name = 'CertificateRefused';
}

/** Where the certificate may be used on chain, and the chain's head when it was issued. */
export interface ProviderContract {
  address: Address;
  chainId: number;
  head?: { number: number; timestamp: number };
}

export interface IssueOptions {
  results: CertificationResults;
  /** The bundle: the folder results.json was written to. */
  dir: string;
  scenarios: readonly { id: string; file: string }[];
  profile: { name: string; file: string };
  signer: PrivateKeyAccount;
  providerContract?: ProviderContract;
  validDays: number;
  now?: Date;
}

export const DAY_SECONDS = 86_400;

/** Why `results` may not be signed; empty when it may. */
export function refusals(results: CertificationResults): string[] {
  const reasons: string[] = [];
  if (results.mustFail?.length)
    reasons.push(`the provider declares mustFail (${results.mustFail.join(', ')})`);
  if (results.outcome !== 'certified') reasons.push(`the outcome is ${results.outcome}, not certified`);
  const notPassed = results.requirements.filter((r) => r.verdict !== 'pass');
  if (notPassed.length) {
    reasons.push(`not every requirement passed: ${notPassed.map((r) => `${r.id} ${r.verdict}`).join(', ')}`);
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(results.provider.imageDigest ?? '')) {
    reasons.push('the provider image has no sha256 digest to name as the subject');
  }
  return reasons;
}

export async function issueCertificate(o: IssueOptions): Promise<Certificate> {
  const reasons = refusals(o.results);
  if (reasons.length) {
    throw new CertificateRefused(`not signed: only a certified run can be signed, and ${reasons.join('; ')}`);
  }
  const inputs = await copyInputs(o.dir, o.scenarios, o.profile);
  const now = Math.floor((o.now ?? new Date()).getTime() / 1000);
  // A certificate must not look issued in the chain's future, or the Entrance refuses it as not yet valid.
  const issuedAt = Math.min(now, o.providerContract?.head?.timestamp ?? now);
  const validUntil = issuedAt + o.validDays * DAY_SECONDS;
  const imageDigest = o.results.provider.imageDigest!.slice('sha256:'.length);
  const predicate: CertificationPredicate = {
    provider: {
      name: o.results.provider.name,
      version: o.results.provider.version,
      image: o.results.provider.image,
    },
    ...(o.providerContract && {
      providerContract: { address: o.providerContract.address, chainId: o.providerContract.chainId },
    }),
    spec: API_VERSION,
    harness: { name: o.results.harness.name, version: o.results.harness.version },
    seed: o.results.seed,
    profile: { name: o.profile.name, ...inputs.profile },
    scenarios: inputs.scenarios,
    results: { file: 'results.json', digest: { sha256: await fileSha256(join(o.dir, 'results.json')) } },
    requirements: o.results.requirements.map((r) => ({ id: r.id, level: r.level, verdict: r.verdict })),
    outcome: 'certified',
    issued: {
      at: new Date(issuedAt * 1000).toISOString(),
      ...(o.providerContract?.head && { block: o.providerContract.head.number }),
    },
    validUntil: new Date(validUntil * 1000).toISOString(),
  };
  const statement: Statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: o.results.provider.image, digest: { sha256: imageDigest } }],
    predicateType: PREDICATE_TYPE,
    predicate,
  };
  const statementDigest = canonicalSha256(statement);
  const fields: CertificateFields = {
    provider: o.providerContract?.address ?? zeroAddress,
    chainId: BigInt(o.providerContract?.chainId ?? 0),
    subject: `0x${imageDigest}`,
    statement: `0x${statementDigest}`,
    spec: API_VERSION,
    issuedAt: BigInt(issuedAt),
    validUntil: BigInt(validUntil),
  };
  const typed = certificateTypedData(fields);
  const certificate: Certificate = {
    schema: CERTIFICATE_SCHEMA,
    statement,
    signature: {
      scheme: 'eip712-secp256k1',
      statementDigest: `sha256:${statementDigest}`,
      primaryType: 'Certificate',
      domain: { ...certificateDomain(fields.chainId), chainId: fields.chainId.toString() },
      message: fieldsToJson(fields),
      digest: hashTypedData(typed),
      signer: o.signer.address,
      value: await o.signer.signTypedData(typed),
    },
  };
  await writeFile(join(o.dir, CERTIFICATE_FILE), `${JSON.stringify(certificate, null, 2)}\n`);
  return certificate;
}

export function fieldsToJson(f: CertificateFields): SignedFieldsJson {
  return {
    provider: f.provider,
    chainId: f.chainId.toString(),
    subject: f.subject,
    statement: f.statement,
    spec: f.spec,
    issuedAt: f.issuedAt.toString(),
    validUntil: f.validUntil.toString(),
  };
}

async function copyInputs(
  dir: string,
  scenarios: IssueOptions['scenarios'],
  profile: IssueOptions['profile'],
): Promise<{
  scenarios: CertificationPredicate['scenarios'];
  profile: { file: string; digest: { sha256: string } };
}> {
  await mkdir(join(dir, INPUTS_DIR, 'scenarios'), { recursive: true });
  const copy = async (from: string, to: string) => {
    await copyFile(from, join(dir, to));
    return { file: to, digest: { sha256: await fileSha256(join(dir, to)) } };
  };
  return {
    scenarios: await Promise.all(
      scenarios.map(async (s) => ({
        id: s.id,
        ...(await copy(s.file, `${INPUTS_DIR}/scenarios/${s.id}.yaml`)),
      })),
    ),
    profile: await copy(profile.file, `${INPUTS_DIR}/profile.yaml`),
  };
}
