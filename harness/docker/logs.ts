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

/**
 * Follows a container's output line by line (again after every stop and start of the container)
 * until the returned function is called.
 */
export function followLines(containerId: string, onLine: (line: string) => void, tail = 0): () => void {
  let stopped = false;
  let current: { destroy?: () => void } | undefined;
  void (async () => {
    const { PassThrough } = await import('node:stream');
    const { setTimeout: sleep } = await import('node:timers/promises');
    const { dockerEngine } = await import('./engine.js');
    const docker = dockerEngine();
    let since = 0;
    while (!stopped) {
      try {
        const stream = (await docker.getContainer(containerId).logs({
          stdout: true,
          stderr: true,
          follow: true,
          ...(since ? { since } : { tail }),
        })) as unknown as NodeJS.ReadableStream & { destroy?: () => void };
        current = stream;
        const out = new PassThrough();
        let buffered = '';
        out.on('data', (d: Buffer) => {
          buffered += d.toString('utf8');
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) onLine(line);
        });
        docker.modem.demuxStream(stream, out, out);
        await new Promise<void>((resolve) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', () => resolve());
        });
      } catch {
        // the container is between a kill and a start
      }
      since = Math.floor(Date.now() / 1000);
      if (!stopped) await sleep(1000);
    }
  })();
  return () => {
    stopped = true;
    current?.destroy?.();
  };
}
