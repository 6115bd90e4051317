import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from './paths.js';

/**
 * A cross-process lock (a directory holding the owner's host:pid). Two test workers that both need an
 * image wait for one build instead of running two. A lock whose owner died on this host is taken over.
 */
export async function withLock<T>(
  name: string,
  body: () => Promise<T>,
  onWait?: (owner: string) => void,
): Promise<T> {
  const dir = join(cacheRoot(), 'locks', `${name}.lock`);
  await mkdir(join(cacheRoot(), 'locks'), { recursive: true });
  const me = `${hostname()}:${process.pid}`;
  let told = false;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'owner'), me);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readFile(join(dir, 'owner'), 'utf8').catch(() => '');
      if (owner && isDead(owner)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (!told && owner) {
        onWait?.(owner);
        told = true;
      }
      await sleep(250);
    }
  }
  try {
    return await body();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isDead(owner: string): boolean {
  const sep = owner.lastIndexOf(':');
  const pid = Number(owner.slice(sep + 1));
  if (owner.slice(0, sep) !== hostname() || !Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
