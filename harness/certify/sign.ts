/**
 * Signing a finished certification (`certify --sign`): where the certificate may be used on chain,
 * the certificate itself, `verify`'s check of the bundle just written, and the reports again with the
 * certificate shown in report.html and its digest in junit.xml.
 */
import { join } from 'node:path';
import { createPublicClient, getAddress, http, isAddress } from 'viem';
import {
  CERTIFICATE_FILE,
  issueCertificate,
  verifyBundle,
  type Certificate,
  type IssueOptions,
  type ProviderContract,
  type Verification,
} from '../certificate/index.js';
import { fileSha256 } from '../certificate/digest.js';
import type { CertificateSummary } from '../report/model.js';
import { writeReports, type ReportOptions } from '../report/index.js';

export class ProviderContractError extends Error {
  override name = 'ProviderContractError';
}

export interface ProviderContractInput {
  address: string;
  /** Read the chain id, the head and the contract's code from here. */
  rpc?: string;
  chainId?: number;
}

/** Checks the address and, with an RPC URL, that a contract lives there; ProviderContractError names the flag. */
export async function resolveProviderContract(input: ProviderContractInput): Promise<ProviderContract> {
  if (!isAddress(input.address, { strict: false })) {
    throw new ProviderContractError(
      `--provider-contract expects a 0x-prefixed 20-byte address, got "${input.address}"`,
    );
  }
  const address = getAddress(input.address);
  if (!input.rpc) {
    if (input.chainId === undefined) {
      throw new ProviderContractError(
        '--provider-contract needs --rpc <url> (to read the chain) or --chain-id <n>',
      );
    }
    return { address, chainId: input.chainId };
  }
  const client = createPublicClient({ transport: http(input.rpc, { retryCount: 1, timeout: 10_000 }) });
  let chainId: number, code: string | undefined;
  try {
    [chainId, code] = await Promise.all([client.getChainId(), client.getCode({ address })]);
  } catch (error) {
    throw new ProviderContractError(
      `--rpc ${input.rpc}: no answer (${(error as Error).name}); is the chain up?`,
    );
  }
  if (input.chainId !== undefined && input.chainId !== chainId) {
    throw new ProviderContractError(
      `--chain-id ${input.chainId} disagrees with --rpc ${input.rpc}, which is chain ${chainId}`,
    );
  }
  if (!code || code === '0x') {
    throw new ProviderContractError(
      `--provider-contract ${address}: no contract at that address on chain ${chainId} (${input.rpc})`,
    );
  }
  return { address, chainId };
}

/** The chain head when the certificate is issued (its `issued.block`); undefined without an RPC URL. */
export async function chainHead(rpc: string | undefined): Promise<ProviderContract['head']> {
  if (!rpc) return undefined;
  const block = await createPublicClient({ transport: http(rpc) }).getBlock();
  return { number: Number(block.number), timestamp: Number(block.timestamp) };
}

export interface SignOptions extends IssueOptions {
  /** The redactor the reports were written with. */
  redact?: ReportOptions['redact'];
}

export interface Signed {
  certificate: Certificate;
  verification: Verification;
  path: string;
}

export async function signCertification(o: SignOptions): Promise<Signed> {
  const certificate = await issueCertificate(o);
  const path = join(o.dir, CERTIFICATE_FILE);
  const verification = await verifyBundle(o.dir, { certifier: o.signer.address });
  await writeReports(o.results, o.dir, {
    ...(o.redact && { redact: o.redact }),
    certificate: await summarize(certificate, verification, path),
  });
  return { certificate, verification, path };
}

export async function summarize(c: Certificate, v: Verification, path: string): Promise<CertificateSummary> {
  const p = c.statement.predicate;
  return {
    digest: await fileSha256(path),
    statementDigest: c.signature.statementDigest,
    signer: c.signature.signer,
    subject: `sha256:${c.statement.subject[0]!.digest.sha256}`,
    ...(p.providerContract && { providerContract: p.providerContract }),
    issuedAt: p.issued.at,
    ...(p.issued.block !== undefined && { issuedBlock: p.issued.block }),
    validUntil: p.validUntil,
    verification: { valid: v.valid, checks: v.checks },
  };
}
