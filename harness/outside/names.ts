/** The names SPEC.md §4 derives from an org's address: DNS-SD (RFC 6763) under Radicle's service type. */
import type { Address } from 'viem';

/** Radicle's DNS-SD service type (heartwood's systemd/dnssd/radicle-node.dnssd). */
export const SERVICE = '_radicle-node._tcp';

/** The org as lowercase hex without `0x`: its DNS label and its DNS-SD instance name. */
export const labelOf = (org: Address): string => org.toLowerCase().slice(2);

/** `<label>.<zone>`: where the org's A record lives, what its SRV targets and its HTTP is routed by. */
export const fqdnOf = (org: Address, zone: string): string => `${labelOf(org)}.${zone}`;

/** `_radicle-node._tcp.<zone>`: the browse name, one PTR per served org. */
export const browseNameOf = (zone: string): string => `${SERVICE}.${zone}`;

/** `<label>._radicle-node._tcp.<zone>` from `<label>.<zone>`: the org's instance (its SRV and TXT). */
export function instanceNameOf(fqdn: string): string {
  const dot = fqdn.indexOf('.');
  return `${fqdn.slice(0, dot)}.${browseNameOf(fqdn.slice(dot + 1))}`;
}
