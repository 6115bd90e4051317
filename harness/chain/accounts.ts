import { createHash } from 'node:crypto';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import { mnemonicToAccount, type HDAccount } from 'viem/accounts';

/** Anvil's well-known development mnemonic: public, funded, never a secret. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

/** Same seed, same accounts: seeded runs replay with the same addresses. */
export function mnemonicForSeed(seed: number | undefined): string {
  if (seed === undefined) return ANVIL_MNEMONIC;
  const entropy = createHash('sha256').update(`oneclick-seed:${seed}`).digest().subarray(0, 16);
  return entropyToMnemonic(entropy, wordlist);
}

export function accountAt(mnemonic: string, index: number): HDAccount {
  return mnemonicToAccount(mnemonic, { addressIndex: index });
}

/** Fixed roles among the funded accounts, so every module agrees who is who. */
export const ROLE = {
  deployer: 0,
  providerOwner: 1,
  orgOwner: 2,
  user: 3,
  stranger: 4,
} as const;
