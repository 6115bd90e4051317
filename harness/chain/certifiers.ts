/**
 * Viem-style actions on the CertifierRegistry and on the Entrance's certified listings. Writes
 * return the transaction hash as soon as it is in the pool (see actions.ts); a write that would
 * revert throws before sending, with the contract's custom error in the message.
 */
import type { Address, Hash, Hex } from 'viem';
import { readContract } from 'viem/actions';
import { certifierRegistryAbi, entranceAbi } from '../../contracts/index.js';
import type { CertificateFields } from '../certificate/typed-data.js';
import {
  blockOf,
  view,
  viewOf,
  write,
  writeOf,
  type ReadOptions,
  type Reader,
  type TxOverrides,
} from './view.js';
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

export const addCertifier = writeOf(certifierRegistryAbi, 'addCertifier');

export const revokeCertifier = writeOf(certifierRegistryAbi, 'revokeCertifier');

/** Replaces `oldCertifier` by `newCertifier` in one transaction. */
export const rotateCertifier = (
  wallet: WalletClient,
  registry: Address,
  oldCertifier: Address,
  newCertifier: Address,
  tx: TxOverrides = {},
) => write(certifierRegistryAbi, 'rotateCertifier')(wallet, registry, [oldCertifier, newCertifier], tx);

/** Withdraws one certificate by its statement digest (permanent). */
export const revokeCertificate = writeOf(certifierRegistryAbi, 'revokeCertificate');

/** First step of an ownership transfer: names `newOwner`, who must `acceptRegistryOwnership`. */
export const transferRegistryOwnership = writeOf(certifierRegistryAbi, 'transferOwnership');

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

export const isCertifier = viewOf(certifierRegistryAbi, 'isCertifier');

/** Every registered certifier (a revocation moves the last one into the gap). */
export const certifiers = view(certifierRegistryAbi, 'certifiers');

export const isCertificateRevoked = viewOf(certifierRegistryAbi, 'isRevoked');

export const registryOwner = view(certifierRegistryAbi, 'owner');

export const registryPendingOwner = view(certifierRegistryAbi, 'pendingOwner');

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
export const certificateOf = viewOf(entranceAbi, 'certificateOf');

/** Whether `provider` is certified at that block: stored, not expired, certifier registered, not revoked. */
export const isCertified = viewOf(entranceAbi, 'isCertified');

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
