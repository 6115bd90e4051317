/**
 * The certifier's key, from `--sign <file | env:NAME>`. The key itself never reaches a message, a log
 * or a report: errors name only where it was looked for and what shape was expected.
 */
import { readFile } from 'node:fs/promises';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';

export class SignerKeyError extends Error {
  override name = 'SignerKeyError';
}

const KEY_SHAPE = 'a secp256k1 private key: 64 hex digits, optionally 0x-prefixed, alone on its line';

/** Reads and checks the key; the account's address is the only thing about it callers see. */
export async function loadSigner(source: string): Promise<PrivateKeyAccount> {
  const where = source.startsWith('env:') ? `environment variable ${source.slice(4)}` : `file ${source}`;
  let text: string | undefined;
  if (source.startsWith('env:')) {
    const name = source.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new SignerKeyError(`--sign env:NAME: "${name}" is not a variable name`);
    }
    text = process.env[name];
    if (text === undefined) {
      throw new SignerKeyError(
        `--sign: ${where} is not set; export it with the certifier key (${KEY_SHAPE})`,
      );
    }
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SignerKeyError(`--sign: cannot read ${where} (${code}); give a file holding ${KEY_SHAPE}`);
    }
  }
  const hex = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new SignerKeyError(`--sign: ${where} does not hold ${KEY_SHAPE}`);
  }
  try {
    return privateKeyToAccount(`0x${hex.toLowerCase()}`);
  } catch {
    // viem's own message may quote the key: say only that it is out of the curve's range.
    throw new SignerKeyError(`--sign: ${where} holds 64 hex digits that are not a valid secp256k1 key`);
  }
}
