/** IPv4 CIDR arithmetic: just what the topology's address plan needs. */

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + Number(part);
  }
  return n;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseCidr(text: string): Cidr {
  const [ip, len] = text.split('/');
  const prefix = Number(len);
  if (!ip || len === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new Error(`not an IPv4 CIDR: ${text}`);
  }
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipToInt(ip) / size) * size;
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The address `offset` into the block; negative offsets count from its end (-1 is the broadcast). */
export function hostAt(c: Cidr | string, offset: number): string {
  const block = typeof c === 'string' ? parseCidr(c) : c;
  const size = cidrSize(block);
  const n = offset < 0 ? size + offset : offset;
  if (n < 0 || n >= size) throw new Error(`offset ${offset} is outside ${formatCidr(block)}`);
  return intToIp(block.base + n);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

export function contains(c: Cidr | string, ip: string): boolean {
  const block = typeof c === 'string' ? parseCidr(c) : c;
  const n = ipToInt(ip);
  return n >= block.base && n < block.base + cidrSize(block);
}

/** Splits `block` into consecutive sub-blocks of length `prefix`. */
export function* subnetsOf(block: Cidr | string, prefix: number): Generator<string> {
  const outer = typeof block === 'string' ? parseCidr(block) : block;
  if (prefix < outer.prefix) throw new Error(`/${prefix} is larger than ${formatCidr(outer)}`);
  const step = 2 ** (32 - prefix);
  for (let base = outer.base; base < outer.base + cidrSize(outer); base += step) {
    yield formatCidr({ base, prefix });
  }
}
