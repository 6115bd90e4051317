import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerEngine } from '../docker/engine.js';
import { lines } from './context.js';
import { withLock } from './lock.js';
import { IMAGES_DIR } from './paths.js';

/** Used as the base when the engine already has it (nothing can be pulled here). */
export const LOCAL_DEBIAN = 'debian:bookworm-slim';
export const DEBOOTSTRAP_RECIPE = join(IMAGES_DIR, 'base', 'debootstrap.sh');
export const IMAGE_LABEL = 'oneclick.image';
export const HASH_LABEL = 'oneclick.hash';

export interface BaseImage {
  /** What recipes get as build-arg BASE. */
  tag: string;
  /** The image id (sha256:...), part of every recipe's tag. */
  id: string;
  built: boolean;
}

/** Resolves a local image's id, or undefined when the engine does not have it. */
export async function localImageId(ref: string): Promise<string | undefined> {
  try {
    return (await dockerEngine().getImage(ref).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * The Debian bookworm base: a local debian:bookworm-slim when present, else a debootstrap
 * (`--variant=minbase`) root file system imported as oneclick/base:<hash of the debootstrap recipe>.
 */
export async function ensureBase(progress: (line: string) => void): Promise<BaseImage> {
  const slim = await localImageId(LOCAL_DEBIAN);
  if (slim) return { tag: LOCAL_DEBIAN, id: slim, built: false };
  const recipe = await readFile(DEBOOTSTRAP_RECIPE);
  const tag = `oneclick/base:${createHash('sha256').update(recipe).digest('hex').slice(0, 12)}`;
  const cached = await localImageId(tag);
  if (cached) return { tag, id: cached, built: false };
  return withLock(
    'base',
    async () => {
      const again = await localImageId(tag);
      if (again) return { tag, id: again, built: false };
      const started = Date.now();
      progress(`no local ${LOCAL_DEBIAN}: building ${tag} with debootstrap (first time only)`);
      const root = await mkdtemp(join(tmpdir(), 'oneclick-base-'));
      try {
        await runScript(DEBOOTSTRAP_RECIPE, [root], progress);
        progress(`importing the root file system as ${tag}`);
        await importRootfs(root, tag);
      } finally {
        progress('removing the temporary root file system');
        await rm(root, { recursive: true, force: true });
      }
      const id = await localImageId(tag);
      if (!id) throw new Error(`docker import did not produce ${tag}`);
      progress(`${tag} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { tag, id, built: true };
    },
    (owner) => progress(`waiting for ${owner}, which is building the base image`),
  );
}

function runScript(script: string, args: string[], progress: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let lastPhase = '';
    const onLine = (line: string) => {
      if (!line) return;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      // debootstrap prints a line per package: pass on its own lines and the first line of each phase.
      if (line.startsWith('[base] ')) progress(line.slice(7));
      else if (line.startsWith('I: ') || line.startsWith('W: ') || line.startsWith('E: ')) {
        const phase = line.split(' ')[1] ?? '';
        if (phase !== lastPhase || !line.startsWith('I: ')) progress(`debootstrap: ${line.slice(3)}`);
        lastPhase = phase;
      }
    };
    lines(child.stdout, onLine);
    lines(child.stderr, onLine);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${script} failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

async function importRootfs(root: string, tag: string): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarErr = '';
  tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
  const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
  const docker = dockerEngine();
  const stream = (await docker.importImage(tar.stdout, {
    repo,
    tag: version,
    changes: [
      `LABEL ${IMAGE_LABEL}=base`,
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'CMD ["bash"]',
    ],
  } as unknown as object)) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string }>) => {
      const failed = output?.find((o) => o.error);
      if (err || failed) reject(new Error(`docker import failed: ${err?.message ?? failed?.error}`));
      else resolve();
    });
  });
  const code = await tarDone;
  if (code !== 0) throw new Error(`tar of the root file system failed (exit ${code}): ${tarErr.trim()}`);
}
