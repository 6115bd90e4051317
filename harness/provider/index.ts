export {
  loadProvider,
  providerFromManifest,
  parseManifest,
  formatProblem,
  didYouMean,
  ManifestError,
  MANIFEST_FILE,
  MANIFEST_SCHEMA_PATH,
  API_VERSION,
  BASE_BUILD_ARG,
  DEFAULT_READINESS_TIMEOUT_SECONDS,
  type ProviderManifest,
  type LoadedProvider,
  type ManifestProblem,
  type ParsedManifest,
  type Readiness,
  type BuildSpec,
} from './manifest.js';
export {
  providerImage,
  PROVIDER_IMAGE_LABEL,
  type ProviderImage,
  type ProviderImageOptions,
} from './image.js';
export {
  providerEnv,
  redactor,
  worldSummary,
  chainFromContainers,
  PROVIDER_ENV_NAMES,
  SECRET_ENV_NAMES,
  DEFAULT_CONFIRMATIONS,
  DEFAULT_GRACE_BLOCKS,
  REDACTED,
  type ProviderWorld,
} from './world.js';
export {
  startProvider,
  ProviderNotReadyError,
  ROLE_LABEL,
  PROVIDER_LABEL,
  FAILURE_LOG_LINES,
  type StartProviderOptions,
  type ProviderHandle,
} from './start.js';
export {
  SourceMap,
  fieldName,
  fromJsonPointer,
  type SourcePosition,
  type PathSegment,
} from '../yaml/index.js';
