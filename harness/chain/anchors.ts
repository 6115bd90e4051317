import { padHex, type Hex } from 'viem';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The bytes32 an org anchors for a radicle repository `rad:z…`: its 20-byte id, zero-padded on the right. */
export function anchorIdOf(rid: string): Hex {
  let n = 0n;
  for (const ch of rid.replace(/^rad:z/, '')) {
    const digit = BASE58.indexOf(ch);
    if (digit < 0) throw new Error(`${rid} is not a radicle repository id (not base58)`);
    n = n * 58n + BigInt(digit);
  }
  const hex = n.toString(16).padStart(40, '0');
  if (hex.length !== 40) throw new Error(`${rid} is not a radicle repository id (not 20 bytes)`);
  return padHex(`0x${hex}`, { size: 32, dir: 'right' });
}
