/** The provider's output, line by line, into the event log (again after every restart of its container). */
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerEngine } from '../docker/engine.js';
import type { EventLog } from './events.js';

/** Follows the container's logs until the returned function is called. */
export function followProviderLog(containerId: string, events: EventLog): () => void {
  const docker = dockerEngine();
  let stopped = false;
  let current: { destroy?: () => void } | undefined;
  let since = Math.floor(Date.now() / 1000) - 5;
  void (async () => {
    while (!stopped) {
      try {
        const stream = (await docker.getContainer(containerId).logs({
          stdout: true,
          stderr: true,
          follow: true,
          since,
        })) as unknown as NodeJS.ReadableStream & { destroy?: () => void };
        current = stream;
        const out = new PassThrough();
        let buffered = '';
        out.on('data', (d: Buffer) => {
          buffered += d.toString('utf8');
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) events.add('provider', line);
        });
        docker.modem.demuxStream(stream, out, out);
        await new Promise<void>((resolve) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', () => resolve());
        });
        since = Math.floor(Date.now() / 1000);
      } catch {
        // the container is between a kill and a start
      }
      if (!stopped) await sleep(1000);
    }
  })();
  return () => {
    stopped = true;
    current?.destroy?.();
  };
}
