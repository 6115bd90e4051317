/**
 * The records of SPEC.md §4 as an outsider reads them: asked from the host of the topology's DNS
 * server (it sits on the `internet` bridge), over UDP, without a `docker exec` per query.
 */
import { Resolver } from 'node:dns/promises';
import { srvNameOf } from './names.js';

export interface TxtRecord {
  nid?: string;
  expiry?: bigint;
  raw: string;
}

export interface SrvRecord {
  target: string;
  port: number;
}

export interface Records {
  a: string[];
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

/** The org's SRV records (`_radicle._tcp.<fqdn>`), targets without the trailing dot. */
export async function srvRecords(server: string, fqdn: string): Promise<SrvRecord[]> {
  const srv = await orEmpty(resolverFor(server).resolveSrv(srvNameOf(fqdn)));
  return srv.map((s) => ({ target: s.name.replace(/\.$/, ''), port: s.port }));
}

/** TXT records of `fqdn`, each record's strings joined and parsed. */
export async function txtRecords(server: string, fqdn: string): Promise<TxtRecord[]> {
  return (await orEmpty(resolverFor(server).resolveTxt(fqdn))).map((chunks) => parseTxt(chunks.join('')));
}

/** A, SRV and TXT of `fqdn` from `server`; missing names and types are empty lists. */
export async function lookup(server: string, fqdn: string): Promise<Records> {
  const [a, srv, txt] = await Promise.all([
    aRecords(server, fqdn),
    srvRecords(server, fqdn),
    txtRecords(server, fqdn),
  ]);
  return { a, srv, txt };
}

/** `nid=… expiry=…` (space or `;` separated, any order). */
export function parseTxt(raw: string): TxtRecord {
  const fields = new Map(
    raw
      .split(/[\s;]+/)
      .map((kv) => kv.split('=') as [string, string | undefined])
      .filter(([, v]) => v !== undefined) as [string, string][],
  );
  const expiry = fields.get('expiry');
  return {
    raw,
    ...(fields.has('nid') && { nid: fields.get('nid')! }),
    ...(expiry !== undefined && /^\d+$/.test(expiry) && { expiry: BigInt(expiry) }),
  };
}

const nidOf = (txt: readonly TxtRecord[]) => txt.find((t) => t.nid)?.nid;

/** The publication the records make, or undefined while the A, SRV or the TXT `nid` is missing. */
export function publishedOf(name: string, records: Records): Published | undefined {
  const nid = nidOf(records.txt);
  const [address] = records.a;
  const [srv] = records.srv;
  if (!nid || !address || !srv) return undefined;
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
