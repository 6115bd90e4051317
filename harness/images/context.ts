import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { IMAGES_DIR, REPO_ROOT } from './paths.js';
import type { TarEntry } from './tar.js';

/** The host-side step of a recipe; it is never part of the build context. */
export const PREPARE_SCRIPT = 'prepare.sh';
/** The same step as a zx script (run with the harness's own zx; needs no exec bit). */
export const PREPARE_ZX = 'prepare.mjs';
const ZX_CLI = join(REPO_ROOT, 'node_modules', 'zx', 'build', 'cli.js');

export interface PreparedContext {
  dir: string;
  /** Files of the final context, sorted by path. */
  entries: TarEntry[];
  dispose(): Promise<void>;
}

/**
 * Copies a recipe into a temporary directory and runs its `prepare.mjs` (zx) or `prepare.sh` there
 * (on the host, with CONTEXT_DIR set), so the recipe directory itself is never written to.
 */
export async function prepareContext(
  name: string,
  recipeDir: string,
  progress: (line: string) => void,
): Promise<PreparedContext> {
  const dir = await mkdtemp(join(tmpdir(), `oneclick-ctx-${name}-`));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(recipeDir, dir, { recursive: true });
    const zx = join(dir, PREPARE_ZX);
    const script = join(dir, PREPARE_SCRIPT);
    if (await exists(zx)) {
      await runPrepare([process.execPath, ZX_CLI, zx], dir, recipeDir, progress);
    } else if (await exists(script)) {
      await access(script, constants.X_OK).catch(() => {
        throw new Error(`${join(recipeDir, PREPARE_SCRIPT)} is not executable (chmod +x it)`);
      });
      await runPrepare([script], dir, recipeDir, progress);
    }
    return { dir, entries: await collect(dir), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** First 12 hex of sha256 over every context file (path, exec bit, contents) and the base image id. */
export function contextHash(entries: TarEntry[], baseImageId: string): string {
  const h = createHash('sha256');
  for (const e of entries) {
    h.update(`${e.path}\0${e.mode & 0o111 ? 'x' : '-'}\0${e.data?.length ?? 0}\0`);
    if (e.data) h.update(e.data);
  }
  h.update(`base\0${baseImageId}`);
  return h.digest('hex').slice(0, 12);
}

async function collect(root: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const n of names) {
      const path = rel ? `${rel}/${n}` : n;
      if (path === PREPARE_SCRIPT || path === PREPARE_ZX) continue;
      const full = join(root, path);
      const st = await stat(full); // follows symlinks: the context holds what they point at
      if (st.isDirectory()) await walk(path);
      else if (st.isFile())
        out.push({ path, mode: st.mode & 0o111 ? 0o755 : 0o644, data: await readFile(full) });
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function runPrepare(
  [command, ...args]: string[],
  dir: string,
  recipeDir: string,
  progress: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, {
      cwd: dir,
      env: {
        ...process.env,
        CONTEXT_DIR: dir,
        RECIPE_DIR: recipeDir,
        ONECLICK_ROOT: REPO_ROOT,
        IMAGES_DIR,
        // The harness's own Node (e.g. to bundle with esbuild, or to copy into an image).
        NODE: process.execPath,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onLine = (line: string) => {
      if (!line) return;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      progress(`prepare: ${line}`);
    };
    lines(child.stdout, onLine);
    lines(child.stderr, onLine);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${basename(args.at(-1) ?? command!)} failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

export function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    const parts = buf.split(/\r?\n|\r/);
    buf = parts.pop() ?? '';
    for (const p of parts) onLine(p);
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
