/**
 * A plain TypeScript model of the certifier registry and of the Entrance's certified listings, the
 * reference of certificate-model.property.test.ts. It keeps sets and maps only (no slots, no
 * ordering tricks of the contracts) and states the listing rules in the order the Entrance checks
 * them. It does no cryptography: a signature is described by who made it or how it is broken.
 *
 * Operations take `now`, the timestamp of the block the transaction is mined in; reads take the
 * timestamp of the block they read.
 */
import type { CertificateFields } from '../../harness/certificate/typed-data.js';

export interface ModelRecord {
  certifier: string;
  statement: string;
  subject: string;
  spec: string;
  issuedAt: bigint;
  validUntil: bigint;
}

export interface CertificateModel {
  readonly chainId: bigint;
  registryOwner: string;
  /** Owner of every provider contract in play. */
  readonly providerOwner: string;
  readonly certifiers: Set<string>;
  readonly revoked: Set<string>;
  /** Listed providers in listing order. */
  listed: string[];
  readonly records: Map<string, ModelRecord>;
}

/** How the signature handed to `listCertified` was made. */
export type ModelSignature =
  /** A well-formed signature by `signer` of exactly the fields sent. */
  | { kind: 'by'; signer: string }
  /** A well-formed signature of other fields than those sent: it recovers some unrelated address. */
  | { kind: 'forged' }
  | { kind: 'length'; length: number }
  | { kind: 'highS' }
  | { kind: 'v'; v: number };

/** The custom error the contract must revert with (args when the model knows them), or success. */
export type Outcome = { ok: true } | { error: string; args?: readonly unknown[] };

const OK: Outcome = { ok: true };

export function newModel(chainId: bigint, registryOwner: string, providerOwner: string): CertificateModel {
  return {
    chainId,
    registryOwner,
    providerOwner,
    certifiers: new Set(),
    revoked: new Set(),
    listed: [],
    records: new Map(),
  };
}

// ---- registry ----

export function addCertifier(m: CertificateModel, caller: string, certifier: string): Outcome {
  if (caller !== m.registryOwner) return { error: 'NotOwner' };
  if (m.certifiers.has(certifier)) return { error: 'AlreadyCertifier', args: [certifier] };
  m.certifiers.add(certifier);
  return OK;
}

export function revokeCertifier(m: CertificateModel, caller: string, certifier: string): Outcome {
  if (caller !== m.registryOwner) return { error: 'NotOwner' };
  if (!m.certifiers.has(certifier)) return { error: 'NotACertifier', args: [certifier] };
  m.certifiers.delete(certifier);
  return OK;
}

export function rotateCertifier(m: CertificateModel, caller: string, from: string, to: string): Outcome {
  if (caller !== m.registryOwner) return { error: 'NotOwner' };
  if (!m.certifiers.has(from)) return { error: 'NotACertifier', args: [from] };
  if (m.certifiers.has(to)) return { error: 'AlreadyCertifier', args: [to] };
  m.certifiers.delete(from);
  m.certifiers.add(to);
  return OK;
}

export function revokeCertificate(m: CertificateModel, caller: string, statement: string): Outcome {
  if (caller !== m.registryOwner) return { error: 'NotOwner' };
  if (m.revoked.has(statement)) return { error: 'AlreadyRevoked', args: [statement] };
  m.revoked.add(statement);
  return OK;
}

// ---- entrance ----

function addListing(m: CertificateModel, provider: string) {
  if (!m.listed.includes(provider)) m.listed.push(provider);
}

/** Plain `list`: the certificate on record, if any, is kept. */
export function list(m: CertificateModel, caller: string, provider: string): Outcome {
  if (caller !== m.providerOwner) return { error: 'NotProviderOwner' };
  addListing(m, provider);
  return OK;
}

export function delist(m: CertificateModel, caller: string, provider: string): Outcome {
  if (!m.listed.includes(provider)) return { error: 'NotListed', args: [provider] };
  if (caller !== m.providerOwner) return { error: 'NotProviderOwner' };
  m.listed = m.listed.filter((p) => p !== provider);
  m.records.delete(provider);
  return OK;
}

export function listCertified(
  m: CertificateModel,
  now: bigint,
  caller: string,
  provider: string,
  cert: CertificateFields,
  signature: ModelSignature,
): Outcome {
  if (caller !== m.providerOwner) return { error: 'NotProviderOwner' };
  if (cert.provider !== provider) {
    return { error: 'CertificateForAnotherProvider', args: [provider, cert.provider] };
  }
  if (cert.chainId !== m.chainId)
    return { error: 'CertificateForAnotherChain', args: [m.chainId, cert.chainId] };
  if (cert.issuedAt > now) return { error: 'CertificateNotYetValid', args: [cert.issuedAt, now] };
  if (now > cert.validUntil) return { error: 'CertificateExpired', args: [cert.validUntil, now] };
  if (m.revoked.has(cert.statement)) return { error: 'CertificateRevoked', args: [cert.statement] };
  switch (signature.kind) {
    case 'length':
      return { error: 'InvalidSignatureLength', args: [BigInt(signature.length)] };
    case 'highS':
      return { error: 'InvalidSignatureS' };
    case 'v':
      return { error: 'InvalidSignatureV', args: [signature.v] };
    case 'forged':
      return { error: 'SignerNotCertifier' };
    case 'by':
      if (!m.certifiers.has(signature.signer))
        return { error: 'SignerNotCertifier', args: [signature.signer] };
  }
  addListing(m, provider);
  m.records.set(provider, {
    certifier: signature.signer,
    statement: cert.statement,
    subject: cert.subject,
    spec: cert.spec,
    issuedAt: cert.issuedAt,
    validUntil: cert.validUntil,
  });
  return OK;
}

/** Certified at a block with timestamp `now`: on record, not expired, certifier registered, not revoked. */
export function isCertified(m: CertificateModel, now: bigint, provider: string): boolean {
  const r = m.records.get(provider);
  return (
    r !== undefined && now <= r.validUntil && m.certifiers.has(r.certifier) && !m.revoked.has(r.statement)
  );
}
