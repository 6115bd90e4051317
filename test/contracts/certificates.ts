/** Shared helpers for the certificate tests: throwaway certifier keys, signing, block timestamps. */
import { keccak256, parseSignature, serializeSignature, toHex, type Address, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { certificateTypedData, type CertificateFields } from '../../harness/certificate/typed-data.js';
import type { TestClient } from '../../harness/chain/clients.js';

/** secp256k1 group order. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A deterministic throwaway key (never funded, never used for transactions). */
export function throwawayAccount(label: string): PrivateKeyAccount {
  return privateKeyToAccount(keccak256(toHex(`oneclick test certifier ${label}`)));
}

export function bytes32(label: string): Hex {
  return keccak256(toHex(label));
}

export function signCertificate(account: PrivateKeyAccount, fields: CertificateFields): Promise<Hex> {
  return account.signTypedData(certificateTypedData(fields));
}

export function certificateFor(
  provider: Address,
  chainId: bigint,
  issuedAt: bigint,
  validUntil: bigint,
  overrides: Partial<CertificateFields> = {},
): CertificateFields {
  return {
    provider,
    chainId,
    subject: bytes32(`image of ${provider}`),
    statement: bytes32(`statement for ${provider} ${issuedAt} ${validUntil}`),
    spec: 'oneclick/v1',
    issuedAt,
    validUntil,
    ...overrides,
  };
}

/** The same signature with s replaced by n - s and v flipped: valid for ecrecover, refused as high-s. */
export function highS(signature: Hex): { signature: Hex; s: Hex } {
  const { r, s, yParity } = parseSignature(signature);
  const high = toHex(SECP256K1_N - BigInt(s), { size: 32 });
  return { signature: serializeSignature({ r, s: high, yParity: yParity === 0 ? 1 : 0 }), s: high };
}

/** The same signature with its last byte (v) set to `v`. */
export function withV(signature: Hex, v: number): Hex {
  return `${signature.slice(0, 130)}${v.toString(16).padStart(2, '0')}` as Hex;
}

export async function latestTimestamp(test: TestClient): Promise<bigint> {
  return (await test.getBlock({ blockTag: 'latest' })).timestamp;
}

/**
 * The next block (the next transaction's, or its gas estimate's) gets timestamp `at`. Anvil accepts
 * any timestamp not below the latest block's.
 */
export async function nextTimestamp(test: TestClient, at: bigint): Promise<void> {
  await test.setNextBlockTimestamp({ timestamp: at });
}

/** Mines one empty block at timestamp `at`: time moves on without any transaction. */
export async function mineAt(test: TestClient, at: bigint): Promise<void> {
  await nextTimestamp(test, at);
  await test.mine({ blocks: 1 });
}
