import { randomBytes } from 'node:crypto';
import { container, type StartedContainer } from '../docker/container.js';
import { OWNER_LABEL, RUN_LABEL } from '../docker/labels.js';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512' | 'hmac-sha224' | 'hmac-sha1';

/**
 * A TSIG key. `secret` is base64 and non-enumerable: JSON.stringify, console.log and object spread
 * leave it out, so a logged topology never shows it (build a wrong key with tsigKey(), not a spread).
 */
export interface TsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: string;
}

const NAME_RE = /^[A-Za-z0-9_*]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
const SECRET_RE = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/** A TSIG key; a random 256-bit secret unless one is given. */
export function tsigKey(
  name = 'oneclick-update',
  secret: string = randomBytes(32).toString('base64'),
  algorithm: TsigAlgorithm = 'hmac-sha256',
): TsigKey {
  if (!NAME_RE.test(name)) throw new Error(`TSIG key name "${name}" is not a DNS name`);
  if (!SECRET_RE.test(secret))
    throw new Error('a TSIG secret must be base64, 16 characters or more (not shown)');
  const key = { name, algorithm } as TsigKey;
  Object.defineProperty(key, 'secret', { value: secret, enumerable: false });
  return Object.freeze(key);
}

export interface DnsServer {
  readonly container: StartedContainer;
  /** Its fixed address on the `internet` network: every host's resolver except the cluster's. */
  readonly address: string;
  /** Its fixed address on the `cluster` network, when there is one. */
  readonly clusterAddress?: string;
  /** The zone it is authoritative for, without the trailing dot (e.g. `oneclick.test`). */
  readonly zone: string;
  readonly tsig: TsigKey;
  /** The image it runs; also the DNS client image (kdig, knsupdate, dig, nsupdate). */
  readonly image: string;
}

export interface StartDnsOptions {
  name: string;
  image: string;
  labels: Record<string, string>;
  internet: { network: string; address: string };
  cluster?: { network: string; address: string };
  zone: string;
  tsig: TsigKey;
  /** Default TTL of the zone (seconds). */
  ttl?: number;
}

const SECRET_FILE = '/run/oneclick/tsig.secret';

/** Starts the authoritative server (Knot) and hands it the TSIG secret over exec's stdin, never env or argv. */
export async function startDns(options: StartDnsOptions): Promise<DnsServer> {
  const zone = options.zone.replace(/\.$/, '');
  if (!NAME_RE.test(zone)) throw new Error(`DNS zone "${zone}" is not a domain name`);
  const builder = container(options.image)
    .named(options.name)
    .withHostname('ns')
    .withLabels(options.labels)
    .withNetwork(options.internet.network, { ip: options.internet.address })
    .withEnv({
      DNS_ZONE: zone,
      DNS_NS_ADDRESS: options.internet.address,
      DNS_TSIG_NAME: options.tsig.name,
      DNS_TSIG_ALGORITHM: options.tsig.algorithm,
      DNS_TSIG_SECRET_FILE: SECRET_FILE,
      DNS_TTL: String(options.ttl ?? 30),
    })
    .withInit();
  if (options.cluster) builder.withNetwork(options.cluster.network, { ip: options.cluster.address });
  const started = await builder.start();
  await started.run(
    [
      'sh',
      '-c',
      `umask 077 && mkdir -p /run/oneclick && cat > ${SECRET_FILE}.tmp && mv ${SECRET_FILE}.tmp ${SECRET_FILE}`,
    ],
    { stdin: options.tsig.secret },
  );
  try {
    await started.waitHealthy(60_000);
  } catch (error) {
    const logs = redact(await started.logs(40).catch(() => ''), [options.tsig.secret]);
    throw new Error(`DNS server ${options.name} did not come up: ${(error as Error).message}\n${logs}`);
  }
  const server: DnsServer = {
    container: started,
    address: options.internet.address,
    ...(options.cluster ? { clusterAddress: options.cluster.address } : {}),
    zone,
    tsig: options.tsig,
    image: options.image,
  };
  clients.set(server, {
    labels: options.labels,
    network: options.internet.network,
    name: `${options.name}-client`,
  });
  return server;
}

// --- dynamic updates --------------------------------------------------------------------------

export type DnsRecordType = 'A' | 'SRV' | 'TXT';
/** What resolve() can ask for. */
export type QueryType = DnsRecordType | 'AAAA' | 'NS' | 'SOA' | 'CNAME' | 'PTR';

/** Names are relative to the zone unless they end with a dot. */
export type DnsRecord =
  | { type: 'A'; name: string; address: string; ttl?: number }
  | {
      type: 'SRV';
      name: string;
      target: string;
      port: number;
      priority?: number;
      weight?: number;
      ttl?: number;
    }
  | { type: 'TXT'; name: string; text: string | string[]; ttl?: number };

/** Add a record; delete one record (all fields), an RRset (name + type) or every record at a name. */
export type DnsChange = { add: DnsRecord } | { delete: DnsRecord | { name: string; type?: DnsRecordType } };

export interface DnsUpdateOptions {
  /** The key to sign with: the server's own by default, `null` for an unsigned update. */
  tsig?: TsigKey | null;
  /** Send from this container (it needs nsupdate or knsupdate); default: a client on `internet`. */
  via?: StartedContainer;
  /** The server address to send to (default: the DNS server's `internet` address). */
  server?: string;
  timeoutSeconds?: number;
}

export class DnsUpdateError extends Error {
  constructor(
    message: string,
    /** The server's response code (Knot answers NOTAUTH to an unsigned or badly signed update). */
    readonly rcode: string | undefined,
    /** The TSIG error, when the signature was the problem: BADSIG (wrong secret), BADKEY (unknown key), BADTIME. */
    readonly tsigError?: string,
  ) {
    super(message);
    this.name = 'DnsUpdateError';
  }
}

const clients = new WeakMap<DnsServer, { labels: Record<string, string>; network: string; name: string }>();
const clientContainers = new WeakMap<DnsServer, Promise<StartedContainer>>();

/** A long-lived client container on `internet` (the DNS image, idle), started on first use. */
function dnsClient(dns: DnsServer): Promise<StartedContainer> {
  let pending = clientContainers.get(dns);
  if (!pending) {
    const spec = clients.get(dns);
    if (!spec) throw new Error('dnsUpdate needs a DnsServer from startDns/startTopology, or options.via');
    pending = container(dns.image)
      .named(spec.name)
      .withLabels(spec.labels)
      .withNetwork(spec.network)
      .withDns([dns.address], [dns.zone])
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    pending.catch(() => clientContainers.delete(dns));
    clientContainers.set(dns, pending);
  }
  return pending;
}

/**
 * Applies RFC 2136 changes in one signed update (all or nothing), sent with nsupdate (or knsupdate)
 * from a container. Throws DnsUpdateError carrying the server's answer (REFUSED, NOTAUTH, ...) when
 * it is refused. The secret travels on stdin only and is redacted from any error.
 */
export async function dnsUpdate(
  dns: DnsServer,
  changes: DnsChange | readonly DnsChange[],
  options: DnsUpdateOptions = {},
): Promise<void> {
  const list = Array.isArray(changes) ? (changes as readonly DnsChange[]) : [changes as DnsChange];
  if (list.length === 0) return;
  const key = options.tsig === undefined ? dns.tsig : options.tsig;
  if (key && !key.secret)
    throw new Error(`TSIG key ${key.name} has no secret (was it copied with a spread?)`);
  const lines = [
    `server ${options.server ?? dns.address} 53`,
    `zone ${dns.zone}.`,
    ...(key ? [`key ${key.algorithm}:${key.name} ${key.secret}`] : []),
    ...list.map((change) => updateLine(change, dns.zone)),
    'send',
    '',
  ];
  const script = lines.join('\n');
  const from = options.via ?? (await dnsClient(dns));
  const timeout = String(options.timeoutSeconds ?? 10);
  let result = await from.exec(['nsupdate', '-t', timeout], { stdin: script });
  if (notFound(result)) result = await from.exec(['knsupdate', '-t', timeout], { stdin: script });
  if (notFound(result)) {
    throw new Error(
      `container ${from.name} has neither nsupdate nor knsupdate (bind9-dnsutils / knot-dnsutils)`,
    );
  }
  const secrets = [dns.tsig.secret, ...(key ? [key.secret] : [])];
  const output = redact(`${result.stdout}\n${result.stderr}`, secrets).trim();
  if (result.exitCode === 0 && !/update failed|error/i.test(output)) return;
  const rcode =
    /\b(REFUSED|NOTAUTH|NOTZONE|SERVFAIL|FORMERR|NOTIMP|YXDOMAIN|YXRRSET|NXRRSET|NXDOMAIN)\b/.exec(
      output,
    )?.[1];
  const tsigError =
    /\b(BADSIG|BADKEY|BADTIME|BADTRUNC)\b/.exec(output)?.[1] ??
    (/tsig verify failure/i.test(output) ? 'BADSIG' : undefined);
  throw new DnsUpdateError(
    `DNS update of ${dns.zone} (${key ? `signed by key ${key.name}` : 'unsigned'}) failed` +
      ` (exit ${result.exitCode}): ${output || 'no output'}`,
    rcode,
    tsigError,
  );
}

function notFound(result: { exitCode: number; stdout: string; stderr: string }): boolean {
  return (
    (result.exitCode === 126 || result.exitCode === 127) &&
    /not found|no such file/i.test(result.stdout + result.stderr)
  );
}

function updateLine(change: DnsChange, zone: string): string {
  if ('add' in change) {
    const r = change.add;
    return `update add ${fqdn(r.name, zone)} ${ttlOf(r.ttl)} ${r.type} ${rdata(r, zone)}`;
  }
  const r = change.delete;
  const name = fqdn(r.name, zone);
  if (!r.type) return `update delete ${name}`;
  if (isRecord(r)) return `update delete ${name} ${r.type} ${rdata(r, zone)}`;
  return `update delete ${name} ${r.type}`;
}

function isRecord(r: DnsRecord | { name: string; type?: DnsRecordType }): r is DnsRecord {
  return (
    (r.type === 'A' && 'address' in r) ||
    (r.type === 'SRV' && 'target' in r) ||
    (r.type === 'TXT' && 'text' in r)
  );
}

function ttlOf(ttl: number | undefined): number {
  const value = ttl ?? 30;
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) throw new Error(`bad TTL ${ttl}`);
  return value;
}

function rdata(r: DnsRecord, zone: string): string {
  switch (r.type) {
    case 'A':
      if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(r.address))
        throw new Error(`A record ${r.name}: bad address ${r.address}`);
      return r.address;
    case 'SRV': {
      const nums = [r.priority ?? 0, r.weight ?? 0, r.port];
      if (nums.some((n) => !Number.isInteger(n) || n < 0 || n > 65535)) {
        throw new Error(`SRV record ${r.name}: priority, weight and port must be 0..65535`);
      }
      return `${nums.join(' ')} ${fqdn(r.target, zone)}`;
    }
    case 'TXT': {
      const texts = typeof r.text === 'string' ? [r.text] : r.text;
      return texts
        .flatMap((t) => chunks(t, 255))
        .map(quoteTxt)
        .join(' ');
    }
  }
}

function chunks(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function quoteTxt(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new Error('TXT text must not hold control characters');
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `name` as an absolute name: relative names are taken inside `zone`; `@` is the apex. */
export function fqdn(name: string, zone: string): string {
  const apex = `${zone.replace(/\.$/, '')}.`;
  if (name === '@' || name === '') return apex;
  if (!NAME_RE.test(name)) throw new Error(`"${name}" is not a DNS name`);
  if (name.endsWith('.')) return name;
  if (name === apex.slice(0, -1) || name.endsWith(`.${apex.slice(0, -1)}`)) return `${name}.`;
  return `${name}.${apex}`;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('<redacted>');
  return out;
}

// --- queries ----------------------------------------------------------------------------------

export interface ResolveOptions {
  /** Ask this server instead of the container's resolver (/etc/resolv.conf). */
  server?: string;
  timeoutSeconds?: number;
  /**
   * When the container has neither dig nor kdig, the query runs from a short-lived sidecar of
   * `image` (e.g. the DNS image) in the container's network namespace, asking `server`.
   */
  sidecar?: { image: string; server: string };
}

/**
 * Resolves `name` from inside `from`, as its own programs would (its resolver, its routes, its NAT):
 * the answer's data, one entry per record (SRV as "priority weight port target."; TXT as its
 * strings, unquoted). Empty when the name or type does not exist. Throws when no server answers.
 */
export async function resolve(
  from: StartedContainer,
  name: string,
  type: 'TXT',
  options?: ResolveOptions,
): Promise<string[][]>;
export async function resolve(
  from: StartedContainer,
  name: string,
  type: Exclude<QueryType, 'TXT'>,
  options?: ResolveOptions,
): Promise<string[]>;
export async function resolve(
  from: StartedContainer,
  name: string,
  type: QueryType,
  options: ResolveOptions = {},
): Promise<string[] | string[][]> {
  if (!NAME_RE.test(name)) throw new Error(`"${name}" is not a DNS name`);
  const time = options.timeoutSeconds ?? 2;
  const at = options.server ? [`@${options.server}`] : [];
  const dig = ['dig', '+short', `+time=${time}`, '+tries=2', ...at, name, type];
  const kdig = ['kdig', '+short', `+time=${time}`, '+retry=1', ...at, name, type];
  let result = await from.exec(dig);
  if (notFound(result)) result = await from.exec(kdig);
  if (notFound(result)) {
    if (!options.sidecar) {
      throw new Error(
        `container ${from.name} has neither dig nor kdig: pass { sidecar } to query from a sidecar`,
      );
    }
    const { image, server } = options.sidecar;
    result = await inSidecar(from, image, [
      'dig',
      '+short',
      `+time=${time}`,
      '+tries=2',
      `@${options.server ?? server}`,
      name,
      type,
    ]);
  }
  const out = result.stdout.trim();
  if (result.exitCode !== 0 || /^;; .*(timed out|no servers|connection refused)/m.test(out)) {
    throw new Error(
      `resolving ${name} ${type} from ${from.name} failed (exit ${result.exitCode}): ${(out || result.stderr).trim()}`,
    );
  }
  const records = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith(';'));
  return type === 'TXT' ? records.map(txtStrings) : records;
}

/** dig's `"a" "b\"c"` → the record's strings. */
function txtStrings(line: string): string[] {
  const parts = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
  return parts.length ? parts : [line];
}

async function inSidecar(from: StartedContainer, image: string, cmd: string[]) {
  const labels = (await from.inspect()).Config.Labels ?? {};
  const owned = Object.fromEntries(
    [RUN_LABEL, OWNER_LABEL].flatMap((k) => (labels[k] ? [[k, labels[k]]] : [])),
  );
  const sidecar = await container(image)
    .withLabels(owned)
    .withNetworkMode(`container:${from.id}`)
    .withCommand(['sleep', 'infinity'])
    .withInit()
    .start();
  try {
    return await sidecar.exec(cmd);
  } finally {
    await sidecar.remove();
  }
}
