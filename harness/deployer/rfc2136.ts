/**
 * RFC 2136 dynamic updates, sent by the deployer itself: one message (dns-packet) carrying the
 * changes of many orgs, TSIG-signed (tsig.ts), over TCP to the zone's server (no size limit but
 * 64 KiB; bigger batches are split by the caller). A message applies all or nothing.
 */
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Tsig } from './config.js';
import { signMessage, verifyAnswer } from './tsig.js';

const OPCODE_UPDATE = 5;
const TIMEOUT_MS = 10_000;
const RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** One resource record to add. */
export type AddRecord =
  | { name: string; type: 'A'; ttl: number; data: string }
  | { name: string; type: 'PTR'; ttl: number; data: string }
  /** One TXT record; several strings when an array. */
  | { name: string; type: 'TXT'; ttl: number; data: string | string[] }
  | {
      name: string;
      type: 'SRV';
      ttl: number;
      data: { priority: number; weight: number; port: number; target: string };
    };

/** An update's changes, in order: RRsets or whole names deleted, records added. */
export type Change =
  | { op: 'delete-rrset'; name: string; type: 'A' | 'PTR' | 'TXT' | 'SRV' }
  | { op: 'delete-name'; name: string }
  /** One record out of an RRset others share (a browse PTR). */
  | { op: 'delete-record'; name: string; type: 'PTR'; data: string }
  | ({ op: 'add' } & AddRecord);

const TYPE_CODES = { A: 1, PTR: 12, TXT: 16, SRV: 33 } as const;
const CLASS_NONE = 254;

// dns-packet's record encoders, which its types do not declare.
const wire = dnsPacket as unknown as {
  answer: { encode(a: dnsPacket.Answer): Buffer };
  name: { encodingLength(n: string): number };
};

function updateSection(c: Change): dnsPacket.Answer {
  const name = c.name.replace(/\.$/, '');
  // RFC 2136 §2.5.2-3: class ANY, TTL 0, no rdata (the unknown-type encoder writes an empty rdata).
  if (c.op === 'delete-rrset')
    return {
      name,
      type: `UNKNOWN_${TYPE_CODES[c.type]}`,
      class: 'ANY',
      ttl: 0,
      data: Buffer.alloc(0),
    } as never;
  if (c.op === 'delete-name')
    return { name, type: 'UNKNOWN_255', class: 'ANY', ttl: 0, data: Buffer.alloc(0) } as never;
  // RFC 2136 §2.5.4 wants class NONE, which dns-packet cannot name: encoded as IN, patched after.
  if (c.op === 'delete-record') return { name, type: 'PTR', class: 'IN', ttl: 0, data: c.data };
  const { op: _op, ...record } = c;
  return { ...record, name, class: 'IN' } as dnsPacket.Answer;
}

/** The unsigned UPDATE message for `zone` (pure but for the id). */
export function updateMessage(zone: string, changes: readonly Change[], id = randomInt(0, 0x10000)): Buffer {
  const message = dnsPacket.encode({
    id,
    type: 'query',
    flags: OPCODE_UPDATE << 11,
    questions: [{ name: zone.replace(/\.$/, ''), type: 'SOA', class: 'IN' }],
    authorities: changes.map(updateSection),
  });
  for (const c of changes) if (c.op === 'delete-record') markClassNone(message, updateSection(c));
  return message;
}

/** Rewrites one encoded record's class to NONE (its bytes are unique: a name and an rdata). */
function markClassNone(message: Buffer, section: dnsPacket.Answer): void {
  const record = wire.answer.encode(section);
  const at = message.indexOf(record, 12);
  if (at < 0) throw new Error(`record ${section.name} not found in its own message`);
  message.writeUInt16BE(CLASS_NONE, at + wire.name.encodingLength(section.name) + 2);
}

export class UpdateRefused extends Error {
  override name = 'UpdateRefused';
}

/** One DNS message over TCP (2-byte length framing), its answer back. */
export function exchangeTcp(
  server: { host: string; port: number },
  message: Buffer,
  timeoutMs = TIMEOUT_MS,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`no answer from ${server.host}:${server.port} in ${timeoutMs} ms`)),
    );
    socket.on('error', fail);
    socket.on('connect', () => {
      const framed = Buffer.alloc(message.length + 2);
      framed.writeUInt16BE(message.length, 0);
      message.copy(framed, 2);
      socket.end(framed);
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      const all = Buffer.concat(chunks, size);
      if (all.length >= 2 && all.length >= all.readUInt16BE(0) + 2) {
        socket.destroy();
        resolve(all.subarray(2, 2 + all.readUInt16BE(0)));
      }
    });
    socket.on('end', () => fail(new Error(`${server.host}:${server.port} closed without an answer`)));
  });
}

/**
 * Sends `changes` to `zone` in one signed update and checks the answer: NOERROR and signed with the
 * key. A refusal (NOTAUTH for a wrong key, REFUSED, …) throws UpdateRefused naming the code.
 */
export async function sendUpdate(
  server: { host: string; port: number },
  zone: string,
  key: Tsig,
  changes: readonly Change[],
  exchange: typeof exchangeTcp = exchangeTcp,
): Promise<void> {
  const message = updateMessage(zone, changes);
  const { signed, mac } = signMessage(message, key);
  const answer = await exchange(server, signed);
  if (answer.length < 12 || answer.readUInt16BE(0) !== message.readUInt16BE(0))
    throw new UpdateRefused('the answer is for another message');
  const rcode = answer.readUInt16BE(2) & 0xf;
  if (rcode !== 0) {
    const detail = verifyAnswer(answer, key, mac);
    throw new UpdateRefused(
      `the server answered ${RCODES[rcode] ?? `rcode ${rcode}`}${detail ? ` (${detail})` : ''}`,
    );
  }
  const problem = verifyAnswer(answer, key, mac);
  if (problem) throw new UpdateRefused(`the answer does not verify: ${problem}`);
}
