/**
 * The records of SPEC.md §4 as an outsider reads them: asked from the host of the topology's DNS
 * server (it sits on the `internet` bridge), over UDP, without a `docker exec` per query.
 */
import { Resolver } from 'node:dns/promises';
import { browseNameOf, instanceNameOf } from './names.js';

export interface TxtRecord {
  nid?: string;
  expiry?: bigint;
  /** The record's character-strings, each quoted, as a zone file shows them. */
  raw: string;
}

export interface SrvRecord {
  target: string;
  port: number;
}

export interface Records {
  a: string[];
  /** The browse PTRs that name this org's instance (other orgs' PTRs left out). */
  ptr: string[];
  srv: SrvRecord[];
  txt: TxtRecord[];
}

/** What a complete publication says: where the org is, its p2p port and its NID. */
export interface Published {
  /** `<label>.<zone>` */
  name: string;
  nid: string;
  address: string;
  port: number;
  /** The SRV target (SPEC.md §4: the name itself). */
  target: string;
  expiry?: bigint;
}

const resolvers = new Map<string, Resolver>();

/** One resolver (one c-ares channel, its sockets reused) per server: polling 500 orgs opens no socket per query. */
function resolverFor(server: string): Resolver {
  let resolver = resolvers.get(server);
  if (!resolver) {
    resolver = new Resolver({ timeout: 1500, tries: 2 });
    resolver.setServers([server]);
    resolvers.set(server, resolver);
  }
  return resolver;
}

const absent = (error: unknown): boolean =>
  ['ENOTFOUND', 'ENODATA', 'ENONAME'].includes((error as NodeJS.ErrnoException).code ?? '');

async function orEmpty<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    if (absent(error)) return [];
    throw error;
  }
}

/** A records of `fqdn` at `server` (host[:port]), sorted; a missing name is an empty list. */
export async function aRecords(server: string, fqdn: string): Promise<string[]> {
  return (await orEmpty(resolverFor(server).resolve4(fqdn))).sort();
}

const bare = (name: string) => name.replace(/\.$/, '').toLowerCase();

/** Every instance the browse PTR (`_radicle-node._tcp.<zone>`) lists, lowercase, without the trailing dot. */
export async function browseRecords(server: string, zone: string): Promise<string[]> {
  return (await orEmpty(resolverFor(server).resolvePtr(browseNameOf(zone)))).map(bare);
}

/**
 * The browse PTRs naming the instance of `fqdn`, without the trailing dot; from `browse` when given
 * (one answer shared by every org of a poll: it lists them all, too big for UDP past a few dozen).
 */
export async function ptrRecords(
  server: string,
  fqdn: string,
  browse?: Promise<readonly string[]>,
): Promise<string[]> {
  const instance = instanceNameOf(fqdn).toLowerCase();
  const zone = fqdn.slice(fqdn.indexOf('.') + 1);
  return (await (browse ?? browseRecords(server, zone))).filter((p) => p === instance);
}

/** The SRV records of the org's instance (`<label>._radicle-node._tcp.<zone>`), targets without the trailing dot. */
export async function srvRecords(server: string, fqdn: string): Promise<SrvRecord[]> {
  const srv = await orEmpty(resolverFor(server).resolveSrv(instanceNameOf(fqdn)));
  return srv.map((s) => ({ target: s.name.replace(/\.$/, ''), port: s.port }));
}

/** The TXT records of the org's instance, each parsed as DNS-SD key/value strings. */
export async function txtRecords(server: string, fqdn: string): Promise<TxtRecord[]> {
  return (await orEmpty(resolverFor(server).resolveTxt(instanceNameOf(fqdn)))).map(parseTxt);
}

/**
 * A, the browse PTR, SRV and TXT of the org at `fqdn` from `server`; missing ones are empty lists.
 * `browse`: the browse PTR's answer already asked for (see ptrRecords).
 */
export async function lookup(
  server: string,
  fqdn: string,
  browse?: Promise<readonly string[]>,
): Promise<Records> {
  const [a, ptr, srv, txt] = await Promise.all([
    aRecords(server, fqdn),
    ptrRecords(server, fqdn, browse),
    srvRecords(server, fqdn),
    txtRecords(server, fqdn),
  ]);
  return { a, ptr, srv, txt };
}

/**
 * One TXT record's character-strings as RFC 6763 §6 reads them: each string is one `key=value`,
 * keys case-insensitive, the first of a repeated key counts; a string without `=` is a flag.
 */
export function parseTxt(strings: readonly string[]): TxtRecord {
  const fields = new Map<string, string>();
  for (const s of strings) {
    const eq = s.indexOf('=');
    const key = (eq < 0 ? s : s.slice(0, eq)).toLowerCase();
    if (eq > 0 && !fields.has(key)) fields.set(key, s.slice(eq + 1));
  }
  const expiry = fields.get('expiry');
  return {
    raw: strings.map((s) => JSON.stringify(s)).join(' '),
    ...(fields.has('nid') && { nid: fields.get('nid')! }),
    ...(expiry !== undefined && /^\d+$/.test(expiry) && { expiry: BigInt(expiry) }),
  };
}

const nidOf = (txt: readonly TxtRecord[]) => txt.find((t) => t.nid)?.nid;

/** The publication the records make, or undefined while the A, the PTR, SRV or the TXT `nid` is missing. */
export function publishedOf(name: string, records: Records): Published | undefined {
  const nid = nidOf(records.txt);
  const [address] = records.a;
  const [srv] = records.srv;
  if (!nid || !address || !srv || !records.ptr.length) return undefined;
  const expiry = records.txt.find((t) => t.expiry !== undefined)?.expiry;
  return { name, nid, address, port: srv.port, target: srv.target, ...(expiry !== undefined && { expiry }) };
}

/** What a peer needs to dial the org, from its SRV and TXT only: `nid@target:port`, or undefined. */
export async function dialAddress(server: string, fqdn: string): Promise<string | undefined> {
  const [srv, txt] = await Promise.all([srvRecords(server, fqdn), txtRecords(server, fqdn)]);
  const nid = nidOf(txt);
  const [target] = srv;
  return nid && target ? `${nid}@${target.target}:${target.port}` : undefined;
}
