/**
 * certificate.json (schema `oneclick/certificate/v1`): an in-toto Statement about the provider image
 * whose predicate is the certification, and an EIP-712 signature over the Statement's digest by the
 * certifier. SPEC.md §6 is the prose of this format.
 */
import type { Address, Hex } from 'viem';
import type { CertificateFields } from './typed-data.js';

export const CERTIFICATE_SCHEMA = 'oneclick/certificate/v1';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://oneclick.test/certification/v1';
export const CERTIFICATE_FILE = 'certificate.json';
/** Where a bundle keeps the inputs it was certified with, so it can be checked and replayed alone. */
export const INPUTS_DIR = 'inputs';

export interface DigestSet {
  sha256: string;
}

export interface FileDigest {
  /** Path inside the bundle, `/`-separated. */
  file: string;
  digest: DigestSet;
}

export interface CertificationPredicate {
  provider: { name: string; version: string; image: string };
  /** The contract this certificate may list; absent when certified without `--provider-contract`. */
  providerContract?: { address: Address; chainId: number };
  spec: string;
  harness: { name: string; version: string };
  seed: number;
  profile: { name: string } & FileDigest;
  scenarios: ({ id: string } & FileDigest)[];
  results: FileDigest;
  requirements: { id: string; level: 'MUST' | 'SHOULD'; verdict: string }[];
  outcome: 'certified';
  issued: { at: string; block?: number };
  validUntil: string;
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: DigestSet }[];
  predicateType: typeof PREDICATE_TYPE;
  predicate: CertificationPredicate;
}

/** The EIP-712 message as JSON (numbers as decimal strings). */
export type SignedFieldsJson = { [K in keyof CertificateFields]: string };

export interface Certificate {
  schema: typeof CERTIFICATE_SCHEMA;
  statement: Statement;
  signature: {
    scheme: 'eip712-secp256k1';
    /** `sha256:` + hex of the RFC 8785 canonical JSON of `statement`. */
    statementDigest: string;
    primaryType: 'Certificate';
    domain: { name: string; version: string; chainId: string };
    message: SignedFieldsJson;
    /** The EIP-712 digest that was signed. */
    digest: Hex;
    signer: Address;
    value: Hex;
  };
}
