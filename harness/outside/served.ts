/**
 * "Served" and "gone" as SPEC.md §4 defines them, one obligation at a time: each is judged on its
 * own and names the requirement (SPEC.md §5) it belongs to, so a failure says what broke ("TXT
 * nid=…, the node at A:port answers …") instead of "not served in time". Observing does the I/O
 * (DNS from the topology's server, HTTP and handshakes from a peer on `internet`, containers by
 * label); judging the observation is pure.
 */
import type { Address } from 'viem';
import type { StartedContainer } from '../docker/container.js';
import { contains } from '../net/cidr.js';
import { orgContainers } from './containers.js';
import { lookup, type Records } from './dns.js';
import { SERVICE as BROWSE } from './names.js';
import { nodeInfo, type NodeInfo } from './http.js';
import { freshHandshake } from './p2p.js';

/**
 * One thing SPEC.md §4 obliges. `core` obligations make the org served at all (what PROV-PROVISION
 * and every "served again" waits on); the others say the parts agree and are judged only once the
 * core holds (a missing record is a provisioning failure, not a disagreement).
 */
export interface Obligation {
  name: string;
  requirement: string;
  core: boolean;
  holds: boolean;
  expected: string;
  /** What broke, in words, when it does not hold. */
  problem?: string;
  /**
   * The failure is a contradiction a provider converging on time never shows (a published NID the
   * node does not answer with, a port another org answers on), not a lag: waiting longer for it is
   * wasted.
   */
  decisive?: boolean;
}

/** A handshake the observer dialed at the published address and port. */
export interface Dial {
  nid: string;
  ok: boolean;
  error?: string;
}

/** What an outsider saw of one org at one moment. */
export interface OrgObservation {
  org: Address;
  /** `<label>.<zone>` */
  name: string;
  records: Records;
  /** `GET /api/v1/node` by Host at the A address, from a peer on `internet`. */
  http: NodeInfo;
  /** Handshakes at A:SRV-port, in the order dialed (the HTTP NID first, then TXT's if it differs). */
  dials: Dial[];
  /** Running containers labelled `oneclick.run` and `oneclick.org` for the org. */
  containers: string[];
  expiryOnChain: bigint;
  /** The `internet` network's subnet: where a public address lives. */
  internet: string;
  /** Other orgs seen served at the same A:port (`name → NID`): that port is theirs. */
  sharedWith?: Record<string, string>;
  /** NIDs the org's node answered with at earlier looks: a TXT naming one is late, not wrong. */
  answeredBefore?: readonly string[];
}

export interface ObserveOptions {
  dnsServer: string;
  runId: string;
  /** The peer on `internet` HTTP and handshakes go out from. */
  from: StartedContainer;
  internet: string;
  expiryOnChain: bigint;
  dialTimeoutMs?: number;
}

/** Observes one org: its records, HTTP by Host, handshakes at A:SRV-port, its labelled containers. */
export async function observeOrg(org: Address, name: string, o: ObserveOptions): Promise<OrgObservation> {
  const records = await lookup(o.dnsServer, name);
  const address = records.a[0];
  const port = records.srv[0]?.port;
  const [http, containers] = await Promise.all([
    address ? nodeInfo(address, name, o.from) : Promise.resolve<NodeInfo>({ status: 0 }),
    orgContainers(o.runId, org).then((found) =>
      found.map((c) => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)),
    ),
  ]);
  const dials: Dial[] = [];
  if (address && port !== undefined) {
    const txtNid = records.txt.find((t) => t.nid)?.nid;
    for (const nid of [...new Set([http.nid, txtNid].filter((n): n is string => !!n))]) {
      const hs = await freshHandshake(o.from, nid, address, port, o.dialTimeoutMs);
      dials.push({ nid, ok: hs.ok, ...(hs.error && { error: hs.error }) });
      if (hs.ok) break;
    }
  }
  return {
    org,
    name,
    records,
    http,
    dials,
    containers,
    expiryOnChain: o.expiryOnChain,
    internet: o.internet,
  };
}

/** Where the org says it is: `A:SRV-port`, or undefined while either is missing. */
export const endpointOf = (v: Pick<OrgObservation, 'records'>): string | undefined =>
  v.records.a[0] && v.records.srv[0] ? `${v.records.a[0]}:${v.records.srv[0].port}` : undefined;

/** The NID the node at A:SRV-port answered a handshake with, if any did. */
export const answeringNid = (v: Pick<OrgObservation, 'dials'>): string | undefined =>
  v.dials.find((d) => d.ok)?.nid;

const inSubnet = (address: string, subnet: string): boolean => {
  try {
    return contains(subnet, address);
  } catch {
    return false;
  }
};

/**
 * The node at A:SRV-port holds another key than the NID both TXT and HTTP by Host name: a published
 * NID the node there does not answer with, which no waiting mends (a lagging record names an old
 * NID; here the records agree and the port leads elsewhere).
 */
const anotherNode = (v: OrgObservation, txtNid: string | undefined): boolean =>
  !!txtNid &&
  txtNid === v.http.nid &&
  v.dials.some((d) => d.nid === txtNid && /: wrong-nid: /.test(d.error ?? ''));

/** Every §4 obligation of a served org, judged on one observation. */
export function servedObligations(v: OrgObservation): Obligation[] {
  const { a, ptr, srv, txt } = v.records;
  const at = endpointOf(v) ?? 'A:SRV-port';
  const txtNid = txt.find((t) => t.nid)?.nid;
  const txtExpiry = txt.find((t) => t.expiry !== undefined)?.expiry;
  const answers = answeringNid(v);
  const lastDial = v.dials.at(-1);
  const shared = Object.entries(v.sharedWith ?? {});
  const o = (
    name: string,
    requirement: string,
    core: boolean,
    expected: string,
    problem: string | false | undefined,
    decisive = false,
  ): Obligation => ({
    name,
    requirement,
    core,
    expected,
    holds: !problem,
    ...(problem ? { problem, ...(decisive && { decisive }) } : {}),
  });
  const p2pProblem = (): string | undefined => {
    if (!a[0] || !srv[0]) return `nothing to dial: ${!a[0] ? 'no A record' : 'no SRV record'}`;
    if (!v.dials.length) return 'no NID to dial (neither HTTP nor TXT gave one)';
    if (answers) return undefined;
    if (shared.length)
      return `no handshake at ${at}, the port of ${shared.map(([n, nid]) => `${n} (${nid})`).join(', ')}`;
    return `no handshake at ${at}: ${lastDial?.error ?? 'no answer'}`;
  };
  return [
    o('A', 'PROV-PROVISION', true, `A ${v.name}`, !a.length && `no A record for ${v.name}`),
    o(
      'PTR',
      'PROV-PROVISION',
      true,
      `a browse PTR (${BROWSE}) to the org's instance`,
      !ptr.length && `no browse PTR to the instance of ${v.name}`,
    ),
    o('SRV', 'PROV-PROVISION', true, `SRV for ${v.name}`, !srv.length && `no SRV record for ${v.name}`),
    o('TXT', 'PROV-PROVISION', true, `TXT ${v.name} with nid=`, !txtNid && `no TXT nid= at ${v.name}`),
    o(
      'HTTP',
      'PROV-HTTP',
      true,
      `GET http://${v.name}/api/v1/node (port 80 of the A address, from the internet) answers 200 with a NID`,
      !v.http.nid &&
        (a[0]
          ? `GET http://${v.name}/api/v1/node via ${a[0]}:80 answered ${v.http.status || 'nothing'}`
          : 'no A record to ask'),
    ),
    o(
      'p2p',
      'PROV-P2P',
      true,
      `a peer on the internet completes a radicle handshake at ${at} with the published NID`,
      p2pProblem(),
      shared.length > 0 || anotherNode(v, txtNid),
    ),
    o(
      'A public',
      'PROV-DNS',
      false,
      `exactly one A record, an address on internet (${v.internet})`,
      a.length !== 1
        ? `${a.length} A records: ${a.join(', ')}`
        : !inSubnet(a[0]!, v.internet) && `A ${a[0]} is not on internet (${v.internet})`,
      a.length === 1,
    ),
    o(
      'SRV target',
      'PROV-DNS',
      false,
      `exactly one SRV record, target ${v.name}`,
      srv.length !== 1
        ? `${srv.length} SRV records`
        : srv[0]!.target !== v.name && `SRV target ${srv[0]!.target} is not ${v.name}`,
      srv.length === 1,
    ),
    o(
      'TXT nid',
      'PROV-DNS',
      false,
      `TXT nid= is the NID the node at ${at} answers with`,
      answers && txtNid !== answers && `TXT nid=${txtNid}, the node at ${at} answers ${answers}`,
      // A NID the node answered with before (its node was replaced) is mended by republishing.
      !(txtNid && v.answeredBefore?.includes(txtNid)),
    ),
    o(
      'TXT expiry',
      'PROV-DNS',
      false,
      `TXT expiry= equals expiryOf on chain (${v.expiryOnChain})`,
      txtExpiry !== v.expiryOnChain &&
        `TXT expiry=${txtExpiry ?? '(none)'}, expiryOf on chain is ${v.expiryOnChain}`,
    ),
    o(
      'HTTP nid',
      'PROV-HTTP',
      false,
      `HTTP by Host answers the NID the node at ${at} answers with`,
      answers &&
        v.http.nid &&
        v.http.nid !== answers &&
        `HTTP by Host answers ${v.http.nid}, the node at ${at} answers ${answers}`,
      true,
    ),
    o(
      'labels',
      'PROV-PROVISION',
      false,
      `one running container labelled oneclick.run and oneclick.org=${v.org.toLowerCase()}`,
      v.containers.length !== 1 &&
        `${v.containers.length} running containers labelled for the org (${v.containers.join(', ') || 'none'})`,
      v.containers.length === 0,
    ),
  ];
}

/** What the last sighting of a served org was: where `gone` looks for leftovers. */
export interface LastSeen {
  address?: string;
  port?: number;
  nid?: string;
}

export interface GoneObservation {
  org: Address;
  name: string;
  records: Records;
  /** HTTP by Host at the A address, else where the org was last seen. */
  http: NodeInfo;
  /** The last NID dialed at the last A:port, when the org was seen there. */
  dial?: Dial & { at: string };
  containers: string[];
  lastSeen?: LastSeen;
}

/** Observes what is left of an org: records, HTTP by Host and a handshake where it was last seen. */
export async function observeGone(
  org: Address,
  name: string,
  lastSeen: LastSeen | undefined,
  o: Omit<ObserveOptions, 'expiryOnChain' | 'internet'>,
): Promise<GoneObservation> {
  const records = await lookup(o.dnsServer, name);
  const address = records.a[0] ?? lastSeen?.address;
  const [http, containers, dial] = await Promise.all([
    address ? nodeInfo(address, name, o.from) : Promise.resolve<NodeInfo>({ status: 0 }),
    orgContainers(o.runId, org).then((found) =>
      found.map((c) => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)),
    ),
    lastSeen?.address && lastSeen.port !== undefined && lastSeen.nid
      ? freshHandshake(o.from, lastSeen.nid, lastSeen.address, lastSeen.port, o.dialTimeoutMs ?? 3_000).then(
          (hs) => ({
            nid: lastSeen.nid!,
            at: `${lastSeen.address}:${lastSeen.port}`,
            ok: hs.ok,
            ...(hs.error && { error: hs.error }),
          }),
        )
      : Promise.resolve(undefined),
  ]);
  return { org, name, records, http, ...(dial && { dial }), containers, ...(lastSeen && { lastSeen }) };
}

/** Every obligation of a gone org (all core: gone needs them all). */
export function goneObligations(v: GoneObservation): Obligation[] {
  const { a, ptr, srv, txt } = v.records;
  const nid = v.lastSeen?.nid;
  const o = (name: string, expected: string, problem: string | false | undefined): Obligation => ({
    name,
    requirement: 'PROV-EXPIRY',
    core: true,
    expected,
    holds: !problem,
    ...(problem ? { problem } : {}),
  });
  return [
    o('no A', `no A record for ${v.name}`, a.length > 0 && `A ${a.join(', ')}`),
    o('no PTR', `no browse PTR to the instance of ${v.name}`, ptr.length > 0 && `PTR ${ptr.join(', ')}`),
    o(
      'no SRV',
      `no SRV record for ${v.name}`,
      srv.length > 0 && `SRV ${srv.map((s) => `${s.target}:${s.port}`).join(', ')}`,
    ),
    o('no TXT', `no TXT record at ${v.name}`, txt.length > 0 && `TXT ${txt.map((t) => t.raw).join(' | ')}`),
    o(
      'p2p gone',
      `the last p2p port no longer answers a handshake with the org's NID`,
      v.dial?.ok && `${v.dial.at} still answers a handshake with ${v.dial.nid}`,
    ),
    o(
      'HTTP gone',
      `Host ${v.name} no longer routed to the org's node`,
      v.http.status === 200 &&
        (!nid || !v.http.nid || v.http.nid === nid) &&
        `GET http://${v.name}/api/v1/node still answers 200${v.http.nid ? ` with ${v.http.nid}` : ''}`,
    ),
    o(
      'no node',
      'no running container labelled for the org',
      v.containers.length > 0 && `running: ${v.containers.join(', ')}`,
    ),
  ];
}

/** The problems of the obligations that do not hold, `name: problem` each. */
export const problemsOf = (obligations: readonly Obligation[]): string[] =>
  obligations.filter((x) => !x.holds).map((x) => `${x.name}: ${x.problem ?? x.expected}`);
