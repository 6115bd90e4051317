import { container, type ContainerBuilder, type StartedContainer } from '../docker/container.js';
import { dockerEngine } from '../docker/engine.js';
import { createNetwork } from '../docker/network.js';
import type { Run } from '../docker/run.js';
import { ensureImage } from '../images/index.js';
import { cidrSize, contains, hostAt, ipToInt, parseCidr } from './cidr.js';
import {
  dnsUpdate,
  resolve,
  startDns,
  tsigKey,
  type DnsChange,
  type DnsServer,
  type DnsUpdateOptions,
  type QueryType,
  type ResolveOptions,
  type TsigKey,
} from './dns.js';
import { startRouter, type NatPreset, type Router } from './router.js';
import { createOnFreeSubnet, SUBNET_POOLS } from './subnets.js';

/** Labels on everything a topology creates, besides the run's. */
export const TOPOLOGY_LABEL = 'oneclick.net.topology';
export const ROLE_LABEL = 'oneclick.net.role';

export interface LanSpec {
  /** Short name: [a-z0-9-], unique in the topology. Default `lan<k>`. */
  name?: string;
  /** Default `port-restricted`. */
  nat?: NatPreset;
  /** NAT loopback for port forwards; default off (most home routers that matter here lack it). */
  hairpin?: boolean;
  /** A /24 (or other) private subnet; default: the first free 10.<k>.0.0/24, k >= 100. */
  subnet?: string;
}

export interface TopologySpec {
  /** Distinguishes several topologies in one run (names and labels); default `net`. */
  name?: string;
  /** Home LANs, each behind its own NAT router: a count (all port-restricted) or specs. */
  lans?: number | LanSpec[];
  /**
   * The provider's cluster network, on by default: an ordinary private bridge (host gateway .1, the
   * DNS server at .2, no NAT router). Its hosts reach only each other and the DNS server; one that
   * must face the internet (an edge) joins `internet` too with Topology.attachToInternet.
   */
  cluster?: boolean | { subnet?: string };
  /** The public internet: default the first free /26 of 198.51.100.0/24 or 203.0.113.0/24. */
  internet?: { subnet?: string };
  dns?: {
    /** Default `oneclick.test`. */
    zone?: string;
    /** Default: a key named `oneclick-update` with a random secret. */
    tsig?: TsigKey;
  };
  /** Image tags to use instead of building the `router` and `dns` recipes with ensureImage. */
  images?: { router?: string; dns?: string };
}

export interface NetworkRef {
  readonly name: string;
  readonly id: string;
  readonly subnet: string;
  /** The gateway Docker knows: on `internet` and `cluster` the host's bridge address; on a LAN the router. */
  readonly gateway: string;
}

export interface Lan {
  readonly name: string;
  readonly network: NetworkRef;
  readonly router: Router;
}

export type Placement = 'lan' | 'internet' | 'cluster';

/** A container the topology placed: the container handle plus where it sits. */
export interface Host extends StartedContainer {
  readonly placement: Placement;
  /** Its address on its network. */
  readonly address: string;
  readonly network: NetworkRef;
  /** For a LAN host, its LAN. */
  readonly lan?: Lan;
  /** The address remote hosts see it as: its router's public address, or its own. */
  readonly publicAddress?: string;
  /**
   * Its resolver: written to /etc/resolv.conf, and given to Docker as --dns, so after a container
   * restart (when Docker rewrites resolv.conf to its embedded 127.0.0.11) queries still go there.
   */
  readonly resolver: string;
}

export interface HostOptions {
  /** Suffix of the container name (`<run>-<topology>-<name>`); default `<placement>-host<k>`. */
  name?: string;
  hostname?: string;
  /**
   * A static address on its network, from the block left to callers: on `internet` the second
   * quarter of the subnet (e.g. .16-.31 of a /26; the first quarter is for the DNS server and the
   * routers); on a LAN or `cluster`, .3 up to the middle. Dynamic addresses come from the upper half.
   */
  ip?: string;
  /** Extra labels. */
  labels?: Record<string, string>;
  /** Customises the container before it starts (env, command, mounts, capabilities...). */
  configure?: (builder: ContainerBuilder) => void;
  /** Write the topology's resolver into /etc/resolv.conf (needs `sh` in the image). Default true. */
  resolver?: boolean;
}

export interface Topology {
  readonly run: Run;
  readonly name: string;
  readonly internet: NetworkRef;
  readonly cluster?: NetworkRef;
  readonly lans: readonly Lan[];
  readonly dns: DnsServer;
  readonly images: { router: string; dns: string };
  lan(name: string): Lan;
  addLan(spec?: LanSpec): Promise<Lan>;
  /** A host in a home LAN: default route via its router, so all its traffic is NATed. */
  addHost(lan: Lan | string, image: string, options?: HostOptions): Promise<Host>;
  /** A host directly on `internet`, with a public address and no NAT. */
  addPublicHost(image: string, options?: HostOptions): Promise<Host>;
  /** A host on the provider's cluster network. */
  addClusterHost(image: string, options?: HostOptions): Promise<Host>;
  /** Connects an existing container to `internet` too (e.g. a provider edge); returns its public address. */
  attachToInternet(c: StartedContainer, ip?: string): Promise<string>;
  /** dnsUpdate against this topology's server. */
  dnsUpdate(changes: DnsChange | readonly DnsChange[], options?: DnsUpdateOptions): Promise<void>;
  /** resolve() from a host, relative names qualified with the zone. */
  resolve(from: StartedContainer, name: string, type: 'TXT', options?: ResolveOptions): Promise<string[][]>;
  resolve(
    from: StartedContainer,
    name: string,
    type: Exclude<QueryType, 'TXT'>,
    options?: ResolveOptions,
  ): Promise<string[]>;
  /** Removes this topology's containers and networks (run.dispose() does it too). */
  dispose(): Promise<void>;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,19}$/;

/**
 * Builds the substrate: an `internet` bridge (TEST-NET addresses, no Docker masquerade), the DNS
 * server at a fixed address on it (host .2 of the subnet), an optional provider `cluster` network,
 * and home LANs, each an ordinary bridge on which the host holds no address; the LAN's gateway
 * address belongs to its NAT router, which also sits on `internet` with a public address (hosts
 * .3 upwards, the first quarter of the subnet). Dynamic addresses come from the upper half of every
 * network, so static ones never clash (see HostOptions.ip).
 */
export async function startTopology(run: Run, spec: TopologySpec = {}): Promise<Topology> {
  const name = spec.name ?? 'net';
  if (!NAME_RE.test(name)) throw new Error(`topology name "${name}" must match ${NAME_RE}`);
  const prefix = `${run.id}-${name}`;
  try {
    return await buildTopology(run, spec, name, prefix);
  } catch (error) {
    // Whatever was made before the failure goes now, not only at run.dispose().
    await removeTopology(prefix).catch(() => undefined);
    throw error;
  }
}

async function buildTopology(run: Run, spec: TopologySpec, name: string, prefix: string): Promise<Topology> {
  const labels = (role: string, extra: Record<string, string> = {}) =>
    run.labels({ [TOPOLOGY_LABEL]: prefix, [ROLE_LABEL]: role, ...extra });

  const [routerImage, dnsImage] = await Promise.all([
    spec.images?.router ?? ensureImage('router'),
    spec.images?.dns ?? ensureImage('dns'),
  ]);

  const noMasquerade = { 'com.docker.network.bridge.enable_ip_masquerade': 'false' };
  const internetNet = await createOnFreeSubnet(
    'internet',
    spec.internet?.subnet ? [spec.internet.subnet] : SUBNET_POOLS.internet,
    (subnet) =>
      createNetworkRef(
        `${prefix}-internet`,
        subnet,
        hostAt(subnet, 1),
        labels('internet'),
        noMasquerade,
        upperHalf(subnet),
      ),
  );
  const internet = internetNet;

  let cluster: NetworkRef | undefined;
  if (spec.cluster !== false) {
    const explicit = typeof spec.cluster === 'object' ? spec.cluster.subnet : undefined;
    cluster = await createOnFreeSubnet('cluster', explicit ? [explicit] : SUBNET_POOLS.cluster, (subnet) =>
      createNetworkRef(
        `${prefix}-cluster`,
        subnet,
        hostAt(subnet, 1),
        labels('cluster'),
        noMasquerade,
        upperHalf(subnet),
      ),
    );
  }

  const dns = await startDns({
    name: `${prefix}-dns`,
    image: dnsImage,
    labels: labels('dns'),
    internet: { network: internet.name, address: hostAt(internet.subnet, 2) },
    ...(cluster ? { cluster: { network: cluster.name, address: hostAt(cluster.subnet, 2) } } : {}),
    zone: spec.dns?.zone ?? 'oneclick.test',
    tsig: spec.dns?.tsig ?? tsigKey(),
  });

  const lans: Lan[] = [];
  let hostCount = 0;
  const internetStatic = { next: 3, end: cidrSize(parseCidr(internet.subnet)) / 4 };

  const addLan = async (lanSpec: LanSpec = {}): Promise<Lan> => {
    const lanName = lanSpec.name ?? `lan${lans.length + 1}`;
    if (!NAME_RE.test(lanName)) throw new Error(`LAN name "${lanName}" must match ${NAME_RE}`);
    if (lans.some((l) => l.name === lanName)) throw new Error(`LAN "${lanName}" already exists`);
    if (internetStatic.next >= internetStatic.end) {
      throw new Error(`no public address left on ${internet.subnet} for another router`);
    }
    const publicAddress = hostAt(internet.subnet, internetStatic.next++);
    // The host keeps no address on a LAN bridge (inhibit_ipv4): the gateway address Docker gives LAN
    // hosts as their default route is held by the router, so their traffic can only leave through it.
    const network = await createOnFreeSubnet(
      `LAN ${lanName}`,
      lanSpec.subnet ? [lanSpec.subnet] : SUBNET_POOLS.lan,
      (subnet) =>
        createNetworkRef(
          `${prefix}-lan-${lanName}`,
          subnet,
          hostAt(subnet, 1),
          labels('lan', { 'oneclick.net.lan': lanName }),
          {
            ...noMasquerade,
            'com.docker.network.bridge.inhibit_ipv4': 'true',
          },
          upperHalf(subnet),
        ),
    );
    const router = await startRouter({
      name: `${prefix}-router-${lanName}`,
      image: routerImage,
      labels: labels('router', { 'oneclick.net.lan': lanName }),
      lan: lanName,
      internet: { network: internet.name, address: publicAddress, gateway: internet.gateway },
      lanNetwork: {
        network: network.name,
        subnet: network.subnet,
        gateway: network.gateway,
        address: hostAt(network.subnet, 2),
      },
      nat: lanSpec.nat ?? 'port-restricted',
      hairpin: lanSpec.hairpin ?? false,
    });
    const lan: Lan = { name: lanName, network, router };
    lans.push(lan);
    return lan;
  };

  const lanSpecs: LanSpec[] =
    typeof spec.lans === 'number' ? Array.from({ length: spec.lans }, () => ({})) : (spec.lans ?? []);
  for (const lanSpec of lanSpecs) await addLan(lanSpec);

  const lanByName = (lan: Lan | string): Lan => {
    if (typeof lan !== 'string') return lan;
    const found = lans.find((l) => l.name === lan);
    if (!found) throw new Error(`no LAN "${lan}" (have: ${lans.map((l) => l.name).join(', ') || 'none'})`);
    return found;
  };

  const place = async (
    placement: Placement,
    network: NetworkRef,
    image: string,
    options: HostOptions,
    extra: { lan?: Lan; resolver: string; publicAddress?: (address: string) => string },
  ): Promise<Host> => {
    hostCount += 1;
    const suffix = options.name ?? `${extra.lan ? extra.lan.name : placement}-host${hostCount}`;
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(suffix)) {
      throw new Error(`host name "${suffix}" must be [a-z0-9-]`);
    }
    if (options.ip) checkStaticAddress(placement, network.subnet, options.ip);
    const builder = container(image)
      .named(`${prefix}-${suffix}`)
      .withHostname(options.hostname ?? suffix)
      .withLabels({
        ...labels('host', {
          'oneclick.net.placement': placement,
          ...(extra.lan ? { 'oneclick.net.lan': extra.lan.name } : {}),
        }),
        ...options.labels,
      })
      .withNetwork(network.name, options.ip ? { ip: options.ip } : {})
      .withDns([extra.resolver], [dns.zone]);
    options.configure?.(builder);
    const started = await builder.start();
    try {
      if (options.resolver !== false) await writeResolvConf(started, extra.resolver, dns.zone);
      const address = await started.ipOn(network.name);
      return Object.freeze({
        ...started,
        placement,
        address,
        network,
        ...(extra.lan ? { lan: extra.lan } : {}),
        ...(extra.publicAddress ? { publicAddress: extra.publicAddress(address) } : {}),
        resolver: extra.resolver,
      });
    } catch (error) {
      await started.remove().catch(() => undefined);
      throw error;
    }
  };

  const topology: Topology = {
    run,
    name,
    internet,
    ...(cluster ? { cluster } : {}),
    lans,
    dns,
    images: { router: routerImage, dns: dnsImage },
    lan: (lanName) => lanByName(lanName),
    addLan,
    addHost: (lan, image, options = {}) => {
      const l = lanByName(lan);
      return place('lan', l.network, image, options, {
        lan: l,
        resolver: dns.address,
        publicAddress: () => l.router.publicAddress,
      });
    },
    addPublicHost: (image, options = {}) =>
      place('internet', internet, image, options, { resolver: dns.address, publicAddress: (a) => a }),
    addClusterHost: (image, options = {}) => {
      if (!cluster) throw new Error(`topology ${name} has no cluster network (spec.cluster was false)`);
      return place('cluster', cluster, image, options, { resolver: dns.clusterAddress ?? dns.address });
    },
    async attachToInternet(c, ip) {
      if (ip) checkStaticAddress('internet', internet.subnet, ip);
      await c.connect(internet.name, ip ? { ip } : {});
      return c.ipOn(internet.name);
    },
    dnsUpdate: (changes, options) => dnsUpdate(dns, changes, options),
    resolve: ((from: StartedContainer, recordName: string, type: QueryType, options: ResolveOptions = {}) =>
      resolve(from, qualify(recordName, dns.zone), type as 'A', {
        sidecar: { image: dnsImage, server: (from as Partial<Host>).resolver ?? dns.address },
        ...options,
      })) as Topology['resolve'],
    dispose: () => removeTopology(prefix),
  };
  return topology;
}

/** A caller's static address must lie in the block reserved for callers (see HostOptions.ip). */
function checkStaticAddress(placement: Placement, subnet: string, ip: string): void {
  const block = parseCidr(subnet);
  const size = cidrSize(block);
  const first = placement === 'internet' ? size / 4 : 3;
  const last = size / 2 - 1;
  const offset = contains(block, ip) ? ipToInt(ip) - block.base : -1;
  if (offset < first || offset > last) {
    throw new Error(
      `static address ${ip} must be within ${hostAt(block, first)}-${hostAt(block, last)} on ${subnet}`,
    );
  }
}

/** Removes a topology's containers, then its networks (by the topology label). */
async function removeTopology(prefix: string): Promise<void> {
  const docker = dockerEngine();
  const filters = { label: [`${TOPOLOGY_LABEL}=${prefix}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  for (const n of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  }
}

/** Relative names (no dot at the end, not already under the zone) get the zone appended. */
function qualify(name: string, zone: string): string {
  if (name.endsWith('.') || name === zone || name.endsWith(`.${zone}`)) return name;
  if (name === '@' || name === '') return `${zone}.`;
  return `${name}.${zone}.`;
}

/** Dynamic addresses come from the upper half, so static ones (DNS, routers, `ip`) never clash. */
function upperHalf(subnet: string): string {
  const c = parseCidr(subnet);
  return `${hostAt(c, cidrSize(c) / 2)}/${c.prefix + 1}`;
}

async function createNetworkRef(
  name: string,
  subnet: string,
  gateway: string,
  labels: Record<string, string>,
  options: Record<string, string>,
  ipRange?: string,
): Promise<NetworkRef> {
  const created = await createNetwork({
    name,
    subnet,
    gateway,
    labels,
    options,
    ...(ipRange ? { ipRange } : {}),
  });
  return { name, id: created.id, subnet, gateway };
}

/** Points the host's resolver at the topology's DNS server (Docker's embedded DNS stays out of the path). */
async function writeResolvConf(c: StartedContainer, server: string, zone: string): Promise<void> {
  const text = `# written by oneclick (harness/net)\nnameserver ${server}\nsearch ${zone}\noptions timeout:2 attempts:2\n`;
  const result = await c.exec(['sh', '-c', 'cat > /etc/resolv.conf'], { stdin: text, user: 'root' });
  if (result.exitCode !== 0) {
    throw new Error(
      `could not write /etc/resolv.conf in ${c.name} (exit ${result.exitCode}: ${result.stderr.trim()}); ` +
        "pass { resolver: false } to rely on Docker's --dns forwarding instead",
    );
  }
}
