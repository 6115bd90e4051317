export {
  startTopology,
  TOPOLOGY_LABEL,
  ROLE_LABEL,
  type Topology,
  type TopologySpec,
  type LanSpec,
  type Lan,
  type Host,
  type HostOptions,
  type NetworkRef,
  type Placement,
} from './topology.js';
export {
  startRouter,
  NAT_PRESETS,
  type NatPreset,
  type Router,
  type PortForward,
  type StartRouterOptions,
} from './router.js';
export {
  startDns,
  dnsUpdate,
  resolve,
  tsigKey,
  fqdn,
  DnsUpdateError,
  type DnsServer,
  type DnsRecord,
  type DnsRecordType,
  type QueryType,
  type DnsChange,
  type DnsUpdateOptions,
  type ResolveOptions,
  type TsigKey,
  type TsigAlgorithm,
  type StartDnsOptions,
} from './dns.js';
export { SUBNET_POOLS, usedSubnets, createOnFreeSubnet } from './subnets.js';
export { parseCidr, formatCidr, hostAt, contains, overlaps, subnetsOf, type Cidr } from './cidr.js';
