/**
 * TSIG (RFC 8945): an HMAC over a DNS message and the TSIG variables, appended as the message's last
 * additional record. Only what a signed RFC 2136 update needs: sign a request, check the answer's
 * MAC against it. The key is used here and nowhere else; nothing of it is ever put in an error.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Tsig } from './config.js';

const TYPE_TSIG = 250;
const CLASS_ANY = 255;
const FUDGE_SECONDS = 300;

/** TSIG algorithm names (RFC 8945 §6) → node's HMAC digest. */
const DIGESTS: Readonly<Record<string, string>> = {
  'hmac-md5.sig-alg.reg.int': 'md5',
  'hmac-sha1': 'sha1',
  'hmac-sha224': 'sha224',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

/** A domain name in canonical wire form (lowercase, uncompressed). */
export function wireName(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u48 = (n: number) =>
  Buffer.from([0, 0, 0, 0, 0, 0].map((_, i) => Math.floor(n / 256 ** (5 - i)) % 256));

interface Variables {
  time: number;
  fudge: number;
  error: number;
  other: Buffer;
}

function digest(key: Tsig): string {
  const d = DIGESTS[key.algorithm.toLowerCase().replace(/\.$/, '')];
  if (!d) throw new Error(`unsupported TSIG algorithm ${key.algorithm}`);
  return d;
}

function mac(key: Tsig, parts: readonly Buffer[]): Buffer {
  const h = createHmac(digest(key), Buffer.from(key.secret, 'base64'));
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The TSIG variables of the digest (RFC 8945 §4.3.3). */
function variables(key: Tsig, v: Variables): Buffer {
  return Buffer.concat([
    wireName(key.name),
    u16(CLASS_ANY),
    Buffer.alloc(4), // TTL 0
    wireName(key.algorithm),
    u48(v.time),
    u16(v.fudge),
    u16(v.error),
    u16(v.other.length),
    v.other,
  ]);
}

function record(key: Tsig, v: Variables, digestBytes: Buffer, originalId: number): Buffer {
  const rdata = Buffer.concat([
    wireName(key.algorithm),
    u48(v.time),
    u16(v.fudge),
    u16(digestBytes.length),
    digestBytes,
    u16(originalId),
    u16(v.error),
    u16(v.other.length),
    v.other,
  ]);
  return Buffer.concat([
    wireName(key.name),
    u16(TYPE_TSIG),
    u16(CLASS_ANY),
    Buffer.alloc(4),
    u16(rdata.length),
    rdata,
  ]);
}

/**
 * `message` (unsigned, as encoded) with its TSIG record; `mac` is what the answer is signed over.
 * With `requestMac`, the message is an answer to that request (what a server does).
 */
export function signMessage(
  message: Buffer,
  key: Tsig,
  now = Date.now(),
  requestMac?: Buffer,
): { signed: Buffer; mac: Buffer } {
  const v: Variables = {
    time: Math.floor(now / 1000),
    fudge: FUDGE_SECONDS,
    error: 0,
    other: Buffer.alloc(0),
  };
  const prior = requestMac ? [u16(requestMac.length), requestMac] : [];
  const m = mac(key, [...prior, message, variables(key, v)]);
  const signed = Buffer.concat([message, record(key, v, m, message.readUInt16BE(0))]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10); // ARCOUNT
  return { signed, mac: m };
}

/** What a TSIG record says (parsed from the end of a message). */
interface Parsed {
  start: number;
  algorithm: string;
  v: Variables;
  mac: Buffer;
  originalId: number;
}

function readName(buf: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  for (;;) {
    const len = buf[i];
    if (len === undefined || len > 63) throw new Error('malformed (or compressed) name in the TSIG record');
    i += 1;
    if (len === 0) return { name: labels.join('.'), end: i };
    labels.push(buf.toString('latin1', i, i + len));
    i += len;
  }
}

/** The TSIG record at the end of `message`, if its last additional record is one for `key`. */
function parseLast(message: Buffer, key: Tsig): Parsed | undefined {
  const owner = wireName(key.name);
  // The record starts where the key's name does; search from the end (the MAC is short).
  for (let start = message.length - owner.length - 10; start >= 12; start--) {
    if (!message.subarray(start, start + owner.length).equals(owner)) continue;
    const at = start + owner.length;
    if (message.readUInt16BE(at) !== TYPE_TSIG) continue;
    const rdlength = message.readUInt16BE(at + 8);
    const rd = at + 10;
    if (rd + rdlength !== message.length) continue;
    const alg = readName(message, rd);
    let i = alg.end;
    const time = message.readUIntBE(i, 6);
    const fudge = message.readUInt16BE(i + 6);
    const macSize = message.readUInt16BE(i + 8);
    i += 10;
    const m = message.subarray(i, i + macSize);
    i += macSize;
    const originalId = message.readUInt16BE(i);
    const error = message.readUInt16BE(i + 2);
    const otherLen = message.readUInt16BE(i + 4);
    const other = message.subarray(i + 6, i + 6 + otherLen);
    return { start, algorithm: alg.name, v: { time, fudge, error, other }, mac: m, originalId };
  }
  return undefined;
}

/** TSIG errors (RFC 8945 §3). */
const TSIG_ERRORS: Readonly<Record<number, string>> = {
  16: 'BADSIG',
  17: 'BADKEY',
  18: 'BADTIME',
  22: 'BADTRUNC',
};

/**
 * Checks the answer to a signed request: it must carry a TSIG record of `key` whose MAC covers the
 * request's MAC and the answer. Returns a problem (no secret in it), or undefined when it verifies.
 */
export function verifyAnswer(
  answer: Buffer,
  key: Tsig,
  requestMac: Buffer,
  now = Date.now(),
): string | undefined {
  const t = parseLast(answer, key);
  if (!t) return 'the answer is not signed with the key';
  if (t.v.error !== 0) return `TSIG error ${TSIG_ERRORS[t.v.error] ?? t.v.error}`;
  if (t.algorithm !== key.algorithm.toLowerCase().replace(/\.$/, ''))
    return 'the answer is signed with another algorithm';
  const unsigned = Buffer.from(answer.subarray(0, t.start));
  unsigned.writeUInt16BE(t.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = mac(key, [u16(requestMac.length), requestMac, unsigned, variables(key, t.v)]);
  if (expected.length !== t.mac.length || !timingSafeEqual(expected, t.mac))
    return 'the answer has a bad MAC';
  if (Math.abs(Math.floor(now / 1000) - t.v.time) > t.v.fudge)
    return 'the answer is signed outside its time window';
  return undefined;
}
