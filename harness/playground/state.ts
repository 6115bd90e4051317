/**
 * How `oneclick world` finds a running world: one small file per world under the temp dir with its
 * port and token (mode 0600, in a 0700 folder), removed when the world stops.
 */
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WorldFile {
  runId: string;
  pid: number;
  port: number;
  token: string;
  startedAt: string;
}

export const worldsDir = (): string => process.env.ONECLICK_WORLDS_DIR ?? join(tmpdir(), 'oneclick-worlds');

/** Writes the world's file; returns its removal. */
export async function writeWorldFile(w: WorldFile): Promise<() => Promise<void>> {
  const dir = worldsDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = join(dir, `${w.runId}.json`);
  await writeFile(file, JSON.stringify(w), { mode: 0o600 });
  await chmod(file, 0o600);
  return () => rm(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The worlds up now (files of dead processes are left out). */
export async function worldsUp(): Promise<WorldFile[]> {
  const dir = worldsDir();
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: WorldFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const w = JSON.parse(await readFile(join(dir, name), 'utf8')) as WorldFile;
      if (alive(w.pid)) found.push(w);
    } catch {
      // half-written or foreign: not a world
    }
  }
  return found;
}

/** The world with `runId`, or the only one up; an Error saying which exist otherwise. */
export async function findWorld(runId?: string): Promise<WorldFile> {
  const up = await worldsUp();
  if (runId) {
    const w = up.find((x) => x.runId === runId);
    if (!w)
      throw new Error(
        `no world "${runId}" is up (${up.length ? `up: ${up.map((x) => x.runId).join(', ')}` : 'none is up: start one with `oneclick up`'})`,
      );
    return w;
  }
  if (up.length === 1) return up[0]!;
  throw new Error(
    up.length
      ? `${up.length} worlds are up (${up.map((x) => x.runId).join(', ')}): name one with --run <id>`
      : 'no world is up: start one with `oneclick up`',
  );
}
