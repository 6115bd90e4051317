/** The names SPEC.md §4 derives from an org's address. */
import type { Address } from 'viem';

/** The org as lowercase hex without `0x`: its DNS label. */
export const labelOf = (org: Address): string => org.toLowerCase().slice(2);

/** `<label>.<zone>`: where the org's A and TXT records live and what its HTTP is routed by. */
export const fqdnOf = (org: Address, zone: string): string => `${labelOf(org)}.${zone}`;

/** `_radicle._tcp.<fqdn>`: the org's SRV record. */
export const srvNameOf = (fqdn: string): string => `_radicle._tcp.${fqdn}`;
