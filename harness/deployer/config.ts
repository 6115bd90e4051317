/**
 * The deployer's configuration: the ONECLICK_* environment of SPEC.md §3 plus the deployer's own
 * DEPLOYER_* knobs, parsed and validated in one go. Every problem is reported at once,
 * each naming its variable and what was expected. The DNS TSIG key is a secret: it is held in a
 * `Secret` that prints, inspects and serialises as "[redacted]", and no error ever echoes it.
 */
import { inspect } from 'node:util';
import { getAddress, isAddress, type Address } from 'viem';

export const REDACTED = '[redacted]';

/** A value that never shows itself in logs, errors, `String()`, `util.inspect` or `JSON.stringify`. */
export interface Secret<T> {
  reveal(): T;
  toJSON(): string;
  toString(): string;
}

export function secret<T>(value: T): Secret<T> {
  return Object.freeze({
    reveal: () => value,
    toJSON: () => REDACTED,
    toString: () => REDACTED,
    [inspect.custom]: () => REDACTED,
  });
}

export interface Tsig {
  name: string;
  algorithm: string;
  /** base64 */
  secret: string;
}

export interface DnsConfig {
  server: { host: string; port: number };
  /** Lowercase, without a trailing dot. */
  zone: string;
  tsig: Secret<Tsig>;
}

export interface DeployerConfig {
  rpcUrl: string;
  wsUrl?: string;
  chainId: number;
  providerAddress: Address;
  orgFactoryAddress?: Address;
  /** Act only on blocks at least this deep: safe head = head − confirmations. */
  confirmations: bigint;
  /** Blocks after `expiry` an org-node keeps running before teardown. */
  graceBlocks: bigint;
  /** DNS, org-node image, network and run id are needed by the reconciler only; see `requireRuntime`. */
  dns?: DnsConfig;
  orgNodeImage?: string;
  publicNetwork?: string;
  runId?: string;
  // ---- the deployer's own ----
  /** The edge image (nginx + iptables); DEPLOYER_EDGE_IMAGE. */
  edgeImage: string;
  /** The Docker network org-nodes run on (DEPLOYER_CLUSTER_NETWORK); else the deployer creates one. */
  clusterNetwork?: string;
  /** /healthz and /metrics; 0 picks a free port (logged). */
  httpPort: number;
  /** Public p2p ports handed to orgs, one each. */
  portRange: { min: number; max: number };
  stateDir: string;
  pollIntervalMs: number;
  /** Largest block range of one eth_getLogs. */
  logRangeBlocks: bigint;
  /** Blocks an ended deployment's data is kept for a renewal to restore it. */
  retentionBlocks: bigint;
  /** First block to read logs from when there is no cursor yet (the provider's deployment block). */
  startBlock: bigint;
  /** How far back a reorg is looked for before the state is rebuilt from `startBlock`. */
  maxReorgDepth: bigint;
  /** Cap of the exponential backoff after RPC errors. */
  backoffMaxMs: number;
  logLevel: LogLevel;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const DEFAULTS = {
  stateDir: '/var/lib/oneclick-deployer',
  edgeImage: 'oneclick/edge:latest',
  httpPort: 9100,
  portRange: { min: 30000, max: 32767 },
  pollIntervalMs: 1000,
  logRangeBlocks: 2000n,
  // A week of 12-second blocks.
  retentionBlocks: 50_400n,
  startBlock: 0n,
  maxReorgDepth: 128n,
  backoffMaxMs: 30_000,
  logLevel: 'info',
} as const;

const TSIG_ALGORITHMS = [
  'hmac-md5',
  'hmac-md5.sig-alg.reg.int',
  'hmac-sha1',
  'hmac-sha224',
  'hmac-sha256',
  'hmac-sha384',
  'hmac-sha512',
];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid deployer configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Collects problems while reading variables, so one run reports all of them. */
function reader(env: Env) {
  const problems: string[] = [];
  const raw = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const fail = (name: string, expected: string, shown?: string): undefined => {
    problems.push(`${name}: expected ${expected}${shown === undefined ? '' : `, got ${shown}`}`);
    return undefined;
  };
  const show = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

  function required<T>(name: string, parse: (name: string, value: string) => T | undefined, what: string) {
    const value = raw(name);
    if (value === undefined) return fail(name, `${what} (it is not set)`);
    return parse(name, value);
  }
  function optional<T>(name: string, parse: (name: string, value: string) => T | undefined) {
    const value = raw(name);
    return value === undefined ? undefined : parse(name, value);
  }

  const url =
    (protocols: readonly string[]) =>
    (name: string, value: string): string | undefined => {
      // URLs may carry API keys: never echo them.
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        return fail(name, `a ${protocols.join(' or ')} URL, got a value that is not a URL`);
      }
      if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
        return fail(name, `a ${protocols.join(' or ')} URL`, `a ${parsed.protocol} URL`);
      }
      return value;
    };

  const integer =
    (min: bigint, max?: bigint) =>
    (name: string, value: string): bigint | undefined => {
      if (!/^\d+$/.test(value)) return fail(name, `an integer ≥ ${min}`, show(value));
      const n = BigInt(value);
      if (n < min || (max !== undefined && n > max)) {
        return fail(name, `an integer from ${min} to ${max ?? 'any'}`, show(value));
      }
      return n;
    };

  const address = (name: string, value: string): Address | undefined =>
    isAddress(value, { strict: false })
      ? getAddress(value)
      : fail(name, 'a 0x-prefixed 20-byte address', show(value));

  const label = (what: string, pattern: RegExp) => (name: string, value: string) =>
    pattern.test(value) ? value : fail(name, what, show(value));

  return { problems, raw, fail, required, optional, url, integer, address, label };
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function parseDnsServer(name: string, value: string, fail: ReturnType<typeof reader>['fail']) {
  const match = /^(?<host>[^:\s]+)(?::(?<port>\d{1,5}))?$/.exec(value);
  const host = match?.groups?.host;
  const port = Number(match?.groups?.port ?? 53);
  if (!host || !HOSTNAME.test(host) || port < 1 || port > 65535) {
    return fail(name, 'host or host:port (e.g. 10.0.0.53:53)', JSON.stringify(value));
  }
  return { host, port };
}

/** name:algorithm:secret; the message names what is wrong without ever showing the value. */
function parseTsig(name: string, value: string, fail: ReturnType<typeof reader>['fail']) {
  const [keyName, algorithm, ...rest] = value.split(':');
  const key = rest.join(':');
  const expected = `name:algorithm:secret with algorithm one of ${TSIG_ALGORITHMS.join(', ')} and a base64 secret`;
  if (!keyName || !algorithm || !key) {
    return fail(
      name,
      expected,
      `${value.split(':').length} colon-separated part(s) (value not shown: it is a secret)`,
    );
  }
  if (!TSIG_ALGORITHMS.includes(algorithm.toLowerCase())) {
    return fail(name, expected, 'an unknown algorithm (value not shown: it is a secret)');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
    return fail(name, expected, 'a secret that is not base64 (value not shown: it is a secret)');
  }
  return secret<Tsig>({ name: keyName, algorithm: algorithm.toLowerCase(), secret: key });
}

function parseDns(r: ReturnType<typeof reader>): DnsConfig | undefined {
  const names = ['ONECLICK_DNS_SERVER', 'ONECLICK_DNS_ZONE', 'ONECLICK_DNS_TSIG'] as const;
  const set = names.filter((n) => r.raw(n) !== undefined);
  if (set.length === 0) return undefined;
  if (set.length < names.length) {
    for (const n of names.filter((n) => !set.includes(n))) {
      r.fail(n, `to be set together with ${set.join(' and ')} (the DNS variables go together)`);
    }
  }
  const server = r.optional(names[0], (n, v) => parseDnsServer(n, v, r.fail));
  const zone = r.optional(names[1], (n, v) => {
    const z = v.toLowerCase().replace(/\.$/, '');
    return HOSTNAME.test(z) ? z : r.fail(n, 'a DNS zone name such as orgs.example', JSON.stringify(v));
  });
  const tsig = r.optional(names[2], (n, v) => parseTsig(n, v, r.fail));
  return server && zone && tsig ? { server, zone, tsig } : undefined;
}

/** Parses `env` (default `process.env`); throws one `ConfigError` listing every problem. */
export function parseConfig(env: Env = process.env): DeployerConfig {
  const r = reader(env);
  const U32 = 2n ** 32n - 1n;
  const U64 = 2n ** 64n - 1n;
  const ms = (value: bigint | undefined, fallback: number) =>
    value === undefined ? fallback : Number(value);

  const rpcUrl = r.required(
    'ONECLICK_RPC_URL',
    r.url(['http', 'https', 'ws', 'wss']),
    'an http(s) or ws(s) URL',
  );
  const wsUrl = r.optional('ONECLICK_WS_URL', r.url(['ws', 'wss']));
  const chainId = r.required('ONECLICK_CHAIN_ID', r.integer(1n, U32), 'a chain id (positive integer)');
  const providerAddress = r.required('ONECLICK_PROVIDER_ADDRESS', r.address, 'the provider contract address');
  const orgFactoryAddress = r.optional('ONECLICK_ORG_FACTORY_ADDRESS', r.address);
  const confirmations = r.required('ONECLICK_CONFIRMATIONS', r.integer(0n, 10_000n), 'an integer ≥ 0');
  const graceBlocks = r.required('ONECLICK_GRACE_BLOCKS', r.integer(0n, U64), 'an integer ≥ 0');
  const dns = parseDns(r);
  const orgNodeImage = r.optional('ONECLICK_ORGNODE_IMAGE', r.label('an image reference', /^[\w./:@-]+$/));
  const publicNetwork = r.optional('ONECLICK_PUBLIC_NETWORK', r.label('a Docker network name', /^[\w.-]+$/));
  const runId = r.optional('ONECLICK_RUN_ID', r.label('a label value [A-Za-z0-9_.-]', /^[\w.-]{1,63}$/));

  const stateDir = r.raw('DEPLOYER_STATE_DIR') ?? DEFAULTS.stateDir;
  const edgeImage = r.optional('DEPLOYER_EDGE_IMAGE', r.label('an image reference', /^[\w./:@-]+$/));
  const clusterNetwork = r.optional(
    'DEPLOYER_CLUSTER_NETWORK',
    r.label('a Docker network name', /^[\w.-]+$/),
  );
  const httpPort = r.optional('DEPLOYER_HTTP_PORT', r.integer(0n, 65535n));
  const portRange = r.optional('DEPLOYER_PORT_RANGE', (name, value) => {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(value);
    const [min, max] = [Number(m?.[1]), Number(m?.[2])];
    return m && min >= 1 && min <= max && max <= 65535
      ? { min, max }
      : r.fail(name, 'a port range min-max within 1-65535 (e.g. 30000-32767)', JSON.stringify(value));
  });
  const pollIntervalMs = r.optional('DEPLOYER_POLL_MS', r.integer(10n, 3_600_000n));
  const logRangeBlocks = r.optional('DEPLOYER_LOG_RANGE', r.integer(1n, 1_000_000n));
  const retentionBlocks = r.optional('DEPLOYER_RETENTION_BLOCKS', r.integer(0n, U64));
  const startBlock = r.optional('DEPLOYER_START_BLOCK', r.integer(0n, U64));
  const maxReorgDepth = r.optional('DEPLOYER_MAX_REORG_DEPTH', r.integer(1n, 100_000n));
  const backoffMaxMs = r.optional('DEPLOYER_BACKOFF_MAX_MS', r.integer(10n, 3_600_000n));
  const logLevel = r.optional(
    'LOG_LEVEL',
    r.label('one of debug, info, warn, error', /^(debug|info|warn|error)$/),
  );

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return serialisable({
    rpcUrl: rpcUrl!,
    ...(wsUrl && { wsUrl }),
    chainId: Number(chainId!),
    providerAddress: providerAddress!,
    ...(orgFactoryAddress && { orgFactoryAddress }),
    confirmations: confirmations!,
    graceBlocks: graceBlocks!,
    ...(dns && { dns }),
    ...(orgNodeImage && { orgNodeImage }),
    ...(publicNetwork && { publicNetwork }),
    ...(runId && { runId }),
    stateDir,
    edgeImage: edgeImage ?? DEFAULTS.edgeImage,
    ...(clusterNetwork && { clusterNetwork }),
    httpPort: httpPort === undefined ? DEFAULTS.httpPort : Number(httpPort),
    portRange: portRange ?? { ...DEFAULTS.portRange },
    pollIntervalMs: ms(pollIntervalMs, DEFAULTS.pollIntervalMs),
    logRangeBlocks: logRangeBlocks ?? DEFAULTS.logRangeBlocks,
    retentionBlocks: retentionBlocks ?? DEFAULTS.retentionBlocks,
    startBlock: startBlock ?? DEFAULTS.startBlock,
    maxReorgDepth: maxReorgDepth ?? DEFAULTS.maxReorgDepth,
    backoffMaxMs: ms(backoffMaxMs, DEFAULTS.backoffMaxMs),
    logLevel: (logLevel as LogLevel | undefined) ?? DEFAULTS.logLevel,
  });
}

/** `JSON.stringify(config)` works (bigints as decimal strings) and shows the TSIG as "[redacted]". */
function serialisable<T extends object>(config: T): T {
  const toJSON = () =>
    JSON.parse(
      JSON.stringify({ ...config }, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    );
  return Object.defineProperty(config, 'toJSON', { value: toJSON, enumerable: false });
}

export type RuntimeConfig = DeployerConfig &
  Required<Pick<DeployerConfig, 'dns' | 'orgNodeImage' | 'publicNetwork' | 'runId'>>;

/** The reconciler needs DNS, the org-node image, the network and the run id: all or an error naming the missing. */
export function requireRuntime(config: DeployerConfig): RuntimeConfig {
  const missing = [
    !config.dns && 'ONECLICK_DNS_SERVER, ONECLICK_DNS_ZONE, ONECLICK_DNS_TSIG',
    !config.orgNodeImage && 'ONECLICK_ORGNODE_IMAGE',
    !config.publicNetwork && 'ONECLICK_PUBLIC_NETWORK',
    !config.runId && 'ONECLICK_RUN_ID',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0)
    throw new ConfigError(missing.map((m) => `${m}: expected to be set to run org-nodes`));
  return config as RuntimeConfig;
}

/** Strings that must never reach a log line, with what to show instead. */
export function redactions(
  config: Pick<DeployerConfig, 'rpcUrl' | 'wsUrl' | 'dns'>,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const tsig = config.dns?.tsig.reveal();
  if (tsig) {
    pairs.push([`${tsig.name}:${tsig.algorithm}:${tsig.secret}`, REDACTED], [tsig.secret, REDACTED]);
  }
  for (const url of [config.rpcUrl, config.wsUrl]) {
    if (url && safeUrl(url) !== url) pairs.push([url, safeUrl(url)]);
  }
  return pairs;
}

/** scheme://host:port only: an RPC URL's path, query or credentials may hold an API key. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    const bare = `${u.protocol}//${u.host}`;
    return u.username || u.password || u.search || (u.pathname !== '/' && u.pathname !== '')
      ? `${bare}/…`
      : bare;
  } catch {
    return REDACTED;
  }
}
