import type { Mutant } from './mutant.js';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The NID with its last base58 character changed: still a valid-looking z6Mk… did:key. */
export function offByOne(nid: string): string {
  return nid.slice(0, -1) + BASE58[(BASE58.indexOf(nid.slice(-1)) + 1) % BASE58.length];
}

export const wrongNid: Mutant = {
  bug: 'publishes a wrong NID in TXT (the node NID with its last character changed)',
  policy: () => ({ publishedNid: offByOne }),
};
