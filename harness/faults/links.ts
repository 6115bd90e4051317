import type { StartedContainer } from '../docker/container.js';

/** Where a network fault applies: an interface by name, or the interface a Docker network is on. */
export type LinkSelector = { interface: string } | { network: string };

/**
 * Which packets, seen from the container: `ingress` arrive on the link, `egress` leave on it, `both`
 * either. Routed packets are matched in FORWARD, the container's own in INPUT/OUTPUT.
 */
export type Direction = 'ingress' | 'egress' | 'both';

/** An address or CIDR, or several. */
export type AddressSet = string | readonly string[];

/** Resolves a link to an interface name inside the container (Docker's eth order is not attach order). */
export async function resolveInterface(target: StartedContainer, link: LinkSelector): Promise<string> {
  if ('interface' in link) {
    const check = await target.exec(['ip', 'link', 'show', 'dev', link.interface]);
    if (check.exitCode !== 0) throw new Error(`${target.name} has no interface ${link.interface}`);
    return link.interface;
  }
  const address = await target.ipOn(link.network);
  const out = await target.run(['ip', '-o', '-4', 'addr', 'show']);
  for (const line of out.split('\n')) {
    // "23: eth1    inet 198.51.100.2/28 brd ... scope global eth1"
    const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    if (match?.[2] === address) return match[1]!.replace(/@.*$/, '');
  }
  throw new Error(`${target.name}: no interface holds its address ${address} on network ${link.network}`);
}

export function describeLink(iface: string | undefined, direction: Direction): string {
  return iface ? `${iface} (${direction})` : `all links (${direction})`;
}

export function addressList(set: AddressSet | undefined): string[] {
  if (set === undefined) return [];
  const list = typeof set === 'string' ? [set] : [...set];
  for (const a of list) {
    if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(a))
      throw new Error(`not an IPv4 address or CIDR: "${a}"`);
  }
  return list;
}
