/**
 * A minimal, deterministic ustar writer for build contexts: fixed owner, mtime 0, sorted entries.
 * The same files always give the same bytes, so nothing but content reaches the image.
 */

export interface TarEntry {
  /** Relative path with forward slashes, no leading `./`. */
  path: string;
  /** Permission bits (e.g. 0o755). */
  mode: number;
  /** File content; `undefined` for a directory. */
  data?: Buffer;
}

const BLOCK = 512;

export function tarball(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const isDir = entry.data === undefined;
    const size = entry.data?.length ?? 0;
    parts.push(header(isDir ? `${entry.path.replace(/\/$/, '')}/` : entry.path, entry.mode, size, isDir));
    if (entry.data) {
      parts.push(entry.data);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function header(path: string, mode: number, size: number, isDir: boolean): Buffer {
  const block = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', path.length - 2);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
      throw new Error(`path too long for a tar header: ${path}`);
    }
  }
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, mode & 0o7777, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, size, 124, 12);
  writeOctal(block, 0, 136, 12); // mtime
  block.fill(' ', 148, 156); // checksum placeholder
  block.write(isDir ? '5' : '0', 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'binary');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
