/**
 * The text of a container's logs as the engine returns them. Without a TTY they come multiplexed:
 * frames of an 8-byte header (stream byte 0 stdin, 1 stdout, 2 stderr; three zero bytes; payload
 * size, big-endian) and the payload. A TTY container's logs are not framed and come back as they are.
 */
export function logText(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buffer.length && buffer[i]! <= 2 && buffer.readUIntBE(i + 1, 3) === 0) {
    const size = buffer.readUInt32BE(i + 4);
    parts.push(buffer.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return (i === 0 ? buffer : Buffer.concat(parts)).toString('utf8');
}
