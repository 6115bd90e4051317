import { readFile } from 'node:fs/promises';
import { dockerEngine } from '../docker/engine.js';
import { type Cidr, formatCidr, overlaps, parseCidr, subnetsOf } from './cidr.js';

/**
 * Where the topology takes its subnets from. Candidates are tried in order; any that overlaps a Docker
 * network or a host route is skipped, and one taken by a concurrent run between the check and the
 * create is skipped too (the engine refuses overlapping pools).
 */
export const SUBNET_POOLS = {
  /** RFC 5737 TEST-NET-2 and -3 in /26 blocks, so several topologies can run at once. */
  internet: [...subnetsOf('198.51.100.0/24', 26), ...subnetsOf('203.0.113.0/24', 26)],
  /** 10.100.0.0/24 ... 10.254.0.0/24: one /24 per home LAN. */
  lan: Array.from({ length: 155 }, (_, i) => `10.${100 + i}.0.0/24`),
  /**
   * 172.16.<8k>.0/21: the provider's cluster (Docker's own default pools start at 172.17/16). A /21 so
   * the dynamic upper half holds 1024 endpoints, a Linux bridge's port limit: a /24's upper half (127)
   * capped a load run at ~120 orgs, short of 500.
   */
  cluster: [...subnetsOf('172.16.0.0/16', 21)],
} as const;

/** Subnets already in use on this engine and host: Docker networks' pools and the host's routes. */
export async function usedSubnets(): Promise<Cidr[]> {
  const used: Cidr[] = [];
  const networks = await dockerEngine().listNetworks();
  for (const n of networks) {
    for (const config of n.IPAM?.Config ?? []) {
      const subnet = (config as { Subnet?: string }).Subnet;
      if (subnet && !subnet.includes(':')) used.push(parseCidr(subnet));
    }
  }
  used.push(...(await hostRoutes()));
  return used;
}

/** IPv4 routes of the host this process runs on (none when it cannot read them: a remote engine). */
async function hostRoutes(): Promise<Cidr[]> {
  let text: string;
  try {
    text = await readFile('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const routes: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (!dest || !mask) continue;
    const prefix = countBits(littleEndianHex(mask));
    if (prefix === 0) continue; // the default route clashes with nothing
    routes.push({ base: littleEndianHex(dest), prefix });
  }
  return routes;
}

function littleEndianHex(hex: string): number {
  const n = parseInt(hex, 16);
  return (
    ((n & 0xff) * 2 ** 24 +
      ((n >>> 8) & 0xff) * 2 ** 16 +
      ((n >>> 16) & 0xff) * 2 ** 8 +
      ((n >>> 24) & 0xff)) >>>
    0
  );
}

function countBits(n: number): number {
  let bits = 0;
  for (let v = n >>> 0; v; v >>>= 1) bits += v & 1;
  return bits;
}

/**
 * Creates a network on the first candidate subnet that is free, retrying past subnets that a
 * concurrent run takes first. `create` gets the subnet and must create the network on it.
 */
export async function createOnFreeSubnet<T>(
  what: string,
  candidates: readonly string[],
  create: (subnet: string) => Promise<T>,
): Promise<T> {
  let used = await usedSubnets();
  const tried: string[] = [];
  for (const candidate of candidates) {
    const block = parseCidr(candidate);
    if (used.some((u) => overlaps(u, block))) continue;
    try {
      return await create(formatCidr(block));
    } catch (error) {
      if (!/overlap|already in use|conflicts/i.test((error as Error).message)) throw error;
      tried.push(candidate);
      used = await usedSubnets();
    }
  }
  const first = candidates[0] ?? '?';
  const last = candidates[candidates.length - 1] ?? '?';
  throw new Error(
    `no free subnet for ${what} among ${candidates.length} candidates (${first} ... ${last})` +
      (tried.length ? `; lost races for ${tried.join(', ')}` : '') +
      ': remove leftover networks (`npx oneclick clean`) or pass an explicit subnet',
  );
}
