/**
 * The EIP-712 shape of a oneclick certificate: what a certifier signs and what the Entrance checks
 * on-chain (contracts/src/CertificateLib.sol hashes exactly this). Change both together.
 *
 * The domain carries no verifyingContract: a certificate is a statement about a provider contract on
 * one chain, usable by any Entrance on that chain that trusts the certifier's registry.
 */
import type { Address, Hex } from 'viem';

export const CERTIFICATE_DOMAIN_NAME = 'oneclick certificate';
export const CERTIFICATE_DOMAIN_VERSION = '1';

export const certificateTypes = {
  Certificate: [
    { name: 'provider', type: 'address' },
    { name: 'chainId', type: 'uint256' },
    { name: 'subject', type: 'bytes32' },
    { name: 'statement', type: 'bytes32' },
    { name: 'spec', type: 'string' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'validUntil', type: 'uint64' },
  ],
} as const;

/** The signed fields, as the Entrance's `listCertified` takes them. */
export interface CertificateFields {
  /** The provider contract the certificate is for. */
  provider: Address;
  /** The chain that provider contract lives on. */
  chainId: bigint;
  /** sha256 of the provider image (the in-toto subject digest), as 32 bytes. */
  subject: Hex;
  /** sha256 of the canonical (RFC 8785) in-toto Statement, as 32 bytes. */
  statement: Hex;
  /** The adapter contract version certified against (SPEC.md), e.g. `oneclick/v2`. */
  spec: string;
  /** Unix seconds. */
  issuedAt: bigint;
  /** Unix seconds; the certificate holds while block.timestamp <= validUntil. */
  validUntil: bigint;
}

export function certificateDomain(chainId: bigint) {
  return { name: CERTIFICATE_DOMAIN_NAME, version: CERTIFICATE_DOMAIN_VERSION, chainId } as const;
}

/** Everything viem's signTypedData / hashTypedData / verifyTypedData take for one certificate. */
export function certificateTypedData(fields: CertificateFields) {
  return {
    domain: certificateDomain(fields.chainId),
    types: certificateTypes,
    primaryType: 'Certificate',
    message: fields,
  } as const;
}
