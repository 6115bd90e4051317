/** Everything a scenario makes up comes from the run's seed: same seed, same orgs, peers and keys. */
import { createHash } from 'node:crypto';
import { getAddress, type Address } from 'viem';

/** 32 bytes as hex (no 0x), a pure function of the seed and the parts. */
export function derive(seed: number, ...parts: (string | number)[]): string {
  return createHash('sha256')
    .update(`oneclick:${seed}:${parts.join(':')}`)
    .digest('hex');
}

/** An org address that is not a contract (top-ups need none). */
export function derivedOrgAddress(seed: number, scenario: string, name: string): Address {
  return getAddress(`0x${derive(seed, 'org', scenario, name).slice(0, 40)}`);
}

/** The radicle key seed (64 hex chars) of a peer: its NID is the same on every replay. */
export function peerKeySeed(seed: number, scenario: string, peer: string): string {
  return derive(seed, 'peer', scenario, peer);
}

/** A per-scenario chain seed, so scenarios running side by side still replay exactly. */
export function chainSeed(seed: number, scenario: string): number {
  return Number.parseInt(derive(seed, 'chain', scenario).slice(0, 8), 16);
}

/** A fresh seed when none is given: printed and recorded, so the run can be replayed. */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** `kib` KiB of text that compresses little (base64 of a hash stream), a pure function of the seed and the parts. */
export function derivedText(kib: number, seed: number, ...parts: (string | number)[]): string {
  const blocks: Buffer[] = [];
  // 3 random bytes per 4 base64 characters.
  const bytes = Math.ceil((kib * 1024 * 3) / 4);
  for (let i = 0, n = 0; n < bytes; i++, n += 32) blocks.push(Buffer.from(derive(seed, ...parts, i), 'hex'));
  return Buffer.concat(blocks)
    .subarray(0, bytes)
    .toString('base64')
    .slice(0, kib * 1024);
}
