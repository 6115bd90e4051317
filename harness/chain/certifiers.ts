/**
 * Viem-style actions on the CertifierRegistry and on the Entrance's certified listings. Writes
 * return the transaction hash as soon as it is in the pool (see actions.ts); a write that would
 * revert throws before sending, with the contract's custom error in the message.
 */
import type { Address, Hash, Hex } from 'viem';
import { readContract } from 'viem/actions';
import { certifierRegistryAbi, entranceAbi } from '../../contracts/index.js';
import type { CertificateFields } from '../certificate/typed-data.js';
import { blockOf, type ReadOptions, type Reader, type TxOverrides } from './actions.js';
import type { WalletClient } from './clients.js';

/** The certificate as the contracts' `CertificateLib.Certificate` tuple (only the signed fields). */
export function certificateArg(fields: CertificateFields) {
  return {
    provider: fields.provider,
    chainId: fields.chainId,
    subject: fields.subject,
    statement: fields.statement,
    spec: fields.spec,
    issuedAt: fields.issuedAt,
    validUntil: fields.validUntil,
  } as const;
}

// ---- registry writes (owner only) ----

export function addCertifier(
  wallet: WalletClient,
  registry: Address,
  certifier: Address,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'addCertifier',
    args: [certifier],
    ...tx,
  });
}

export function revokeCertifier(
  wallet: WalletClient,
  registry: Address,
  certifier: Address,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'revokeCertifier',
    args: [certifier],
    ...tx,
  });
}

/** Replaces `oldCertifier` by `newCertifier` in one transaction. */
export function rotateCertifier(
  wallet: WalletClient,
  registry: Address,
  oldCertifier: Address,
  newCertifier: Address,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'rotateCertifier',
    args: [oldCertifier, newCertifier],
    ...tx,
  });
}

/** Withdraws one certificate by its statement digest (permanent). */
export function revokeCertificate(
  wallet: WalletClient,
  registry: Address,
  statement: Hex,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'revokeCertificate',
    args: [statement],
    ...tx,
  });
}

/** First step of an ownership transfer: names `newOwner`, who must `acceptRegistryOwnership`. */
export function transferRegistryOwnership(
  wallet: WalletClient,
  registry: Address,
  newOwner: Address,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'transferOwnership',
    args: [newOwner],
    ...tx,
  });
}

export function acceptRegistryOwnership(
  wallet: WalletClient,
  registry: Address,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'acceptOwnership',
    ...tx,
  });
}

// ---- registry reads ----

export function isCertifier(
  client: Reader,
  registry: Address,
  who: Address,
  at: ReadOptions = {},
): Promise<boolean> {
  return readContract(client, {
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'isCertifier',
    args: [who],
    ...blockOf(at),
  });
}

/** Every registered certifier (a revocation moves the last one into the gap). */
export function certifiers(
  client: Reader,
  registry: Address,
  at: ReadOptions = {},
): Promise<readonly Address[]> {
  return readContract(client, {
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'certifiers',
    ...blockOf(at),
  });
}

export function isCertificateRevoked(
  client: Reader,
  registry: Address,
  statement: Hex,
  at: ReadOptions = {},
): Promise<boolean> {
  return readContract(client, {
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'isRevoked',
    args: [statement],
    ...blockOf(at),
  });
}

export function registryOwner(client: Reader, registry: Address, at: ReadOptions = {}): Promise<Address> {
  return readContract(client, {
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'owner',
    ...blockOf(at),
  });
}

export function registryPendingOwner(
  client: Reader,
  registry: Address,
  at: ReadOptions = {},
): Promise<Address> {
  return readContract(client, {
    address: registry,
    abi: certifierRegistryAbi,
    functionName: 'pendingOwner',
    ...blockOf(at),
  });
}

// ---- entrance ----

/** Lists (or updates) `provider` with a certificate and its certifier's 65-byte signature. */
export function listCertified(
  wallet: WalletClient,
  entrance: Address,
  provider: Address,
  name: string,
  endpoint: string,
  fields: CertificateFields,
  signature: Hex,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: entrance,
    abi: entranceAbi,
    functionName: 'listCertified',
    args: [provider, name, endpoint, certificateArg(fields), signature],
    ...tx,
  });
}

/** The certificate stored for `provider` (all zero when none), whether or not it still holds. */
export function certificateOf(client: Reader, entrance: Address, provider: Address, at: ReadOptions = {}) {
  return readContract(client, {
    address: entrance,
    abi: entranceAbi,
    functionName: 'certificateOf',
    args: [provider],
    ...blockOf(at),
  });
}

/** Whether `provider` is certified at that block: stored, not expired, certifier registered, not revoked. */
export function isCertified(
  client: Reader,
  entrance: Address,
  provider: Address,
  at: ReadOptions = {},
): Promise<boolean> {
  return readContract(client, {
    address: entrance,
    abi: entranceAbi,
    functionName: 'isCertified',
    args: [provider],
    ...blockOf(at),
  });
}

/** The EIP-712 digest the Entrance computes for `fields` on its chain (what a certifier signs). */
export function certificateDigest(
  client: Reader,
  entrance: Address,
  fields: CertificateFields,
  at: ReadOptions = {},
): Promise<Hex> {
  return readContract(client, {
    address: entrance,
    abi: entranceAbi,
    functionName: 'certificateDigest',
    args: [certificateArg(fields)],
    ...blockOf(at),
  });
}
