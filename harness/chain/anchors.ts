import { base58 } from '@scure/base';
import { bytesToHex, padHex, type Hex } from 'viem';

/** The bytes32 an org anchors for a radicle repository `rad:z…`: its 20-byte id, zero-padded on the right. */
export function anchorIdOf(rid: string): Hex {
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(rid.replace(/^rad:z/, ''));
  } catch {
    throw new Error(`${rid} is not a radicle repository id (not base58)`);
  }
  if (bytes.length !== 20) throw new Error(`${rid} is not a radicle repository id (not 20 bytes)`);
  return padHex(bytesToHex(bytes), { size: 32, dir: 'right' });
}
