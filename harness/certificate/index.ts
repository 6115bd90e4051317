/** Certificates of certification runs: issue (sign) and verify bundles; the EIP-712 shape the Entrance checks. */
export { canonicalJson, canonicalSha256 } from './digest.js';
export {
  CertificateRefused,
  issueCertificate,
  refusals,
  type IssueOptions,
  type ProviderContract,
} from './issue.js';
export { loadSigner, SignerKeyError } from './key.js';
export * from './model.js';
export {
  certificateDomain,
  certificateTypedData,
  certificateTypes,
  type CertificateFields,
} from './typed-data.js';
export {
  BundleError,
  readCertificate,
  signedFields,
  verifyBundle,
  type Check,
  type Verification,
  type VerifyOptions,
} from './verify.js';
