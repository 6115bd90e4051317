/** sha256 digests of files and of canonical JSON (RFC 8785), as a certificate records them. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import canonicalize from 'canonicalize';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function fileSha256(path: string): Promise<string> {
  return sha256Hex(await readFile(path));
}

/** The RFC 8785 (JCS) form: the one byte string a JSON value has, whatever its key order. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}

export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
