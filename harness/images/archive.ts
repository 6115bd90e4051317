/**
 * `oneclick images save|load`: one file holding every image oneclick builds, so that a CI cache skips
 * the radicle build. A cache hit is decided by tag (`oneclick/<name>:<hash of the prepared context
 * and the base image id>`), and preparing the org-node context reads the radicle binaries from
 * ~/.cache/oneclick: so the file carries both the images (`docker save`, ids kept) and those host-side
 * build caches. Loaded on a machine with the same recipes and Go toolchain, `images build` finds every
 * tag and builds nothing.
 *
 * The file is a tar: `oneclick-images.json` (what it holds), `images.tar` (docker save), then the cache
 * folders under their paths relative to the cache root.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { dockerEngine } from '../docker/engine.js';
import { ensureBase, LOCAL_DEBIAN, localImageId } from './base.js';
import { ensureImageDetailed, recipeNames } from './build.js';
import { lines } from './context.js';
import { cacheRoot } from './paths.js';

export const ARCHIVE_FORMAT = 'oneclick/images/v1';
const MANIFEST = 'oneclick-images.json';
const IMAGES_TAR = 'images.tar';
/** Host-side build caches the recipes' prepare.sh read (the radicle binaries, the org-node API). */
const CACHE_FOLDERS = ['radicle', 'orgnode-api'];
/** Never carried: cargo's target dir (about 1 GB) and unfinished builds. */
const SKIPPED_CACHE = /^(target|.*\.partial.*)$/;

export interface ArchivedImage {
  name: string;
  /** Every tag saved for this image id. */
  tags: string[];
  id: string;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  savedAt: string;
  images: ArchivedImage[];
  /** Paths relative to the cache root. */
  caches: string[];
}

export interface ArchiveOptions {
  onProgress?: (line: string) => void;
}

export interface SaveOptions extends ArchiveOptions {
  /** More images to carry, e.g. a provider's (`oneclick-provider/<name>:<hash>`). */
  extra?: ArchivedImage[];
}

export interface ArchiveResult {
  file: string;
  manifest: ArchiveManifest;
  bytes: number;
  ms: number;
}

/** Ensures every recipe's image (building what is missing), then writes them and the caches to `file`. */
export async function saveImages(file: string, options: SaveOptions = {}): Promise<ArchiveResult> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const base = await ensureBase(progress);
  const images: ArchivedImage[] = [{ name: 'base', tags: [base.tag], id: base.id }];
  for (const name of recipeNames()) {
    const r = await ensureImageDetailed(name, { onProgress: progress });
    images.push({ name, tags: [r.tag, `oneclick/${name}:latest`], id: r.id });
  }
  images.push(...(options.extra ?? []));
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    savedAt: new Date().toISOString(),
    images,
    caches: await cacheFolders(),
  };

  await mkdir(dirname(file), { recursive: true });
  const work = await mkdtemp(join(dirname(file), '.oneclick-images-'));
  const partial = `${file}.partial`;
  try {
    progress(`[images] saving ${images.flatMap((i) => i.tags).join(' ')}`);
    // GET /images/get?names=…: dockerode has it, its types do not.
    const engine = dockerEngine() as unknown as {
      getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream>;
    };
    const tarStream = await engine.getImages({ names: images.flatMap((i) => i.tags) });
    await pipeline(tarStream, createWriteStream(join(work, IMAGES_TAR)));
    await writeFile(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    progress(`[images] adding the build caches ${manifest.caches.join(' ') || '(none)'}`);
    await tar(['-cf', partial, '-C', work, MANIFEST, IMAGES_TAR, '-C', cacheRoot(), ...manifest.caches]);
    await rename(partial, file);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
  return { file, manifest, bytes: (await stat(file)).size, ms: Date.now() - started };
}

/**
 * Restores the caches (files already there are kept) and loads the images into the engine
 * (DOCKER_HOST), then checks that every tag names the id it was saved with.
 */
export async function loadImages(file: string, options: ArchiveOptions = {}): Promise<ArchiveResult> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const bytes = (await stat(file).catch(() => undefined))?.size;
  if (bytes === undefined) throw new ArchiveError(`${file}: no such file`);
  const manifest = parseManifest(file, await tarOutput(['-xOf', file, MANIFEST]).catch(() => ''));

  await mkdir(cacheRoot(), { recursive: true });
  if (manifest.caches.length) {
    progress(`[images] restoring ${manifest.caches.join(' ')} into ${cacheRoot()}`);
    await tar(['-xf', file, '-C', cacheRoot(), '--skip-old-files', ...manifest.caches]);
  }

  progress(`[images] loading ${manifest.images.length} images`);
  const reader = spawn('tar', ['-xOf', file, IMAGES_TAR], { stdio: ['ignore', 'pipe', 'pipe'] });
  const readerDone = exited(reader, `tar -xOf ${file} ${IMAGES_TAR}`);
  const docker = dockerEngine();
  const response = (await docker.loadImage(reader.stdout, { quiet: true })) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      response,
      (err: Error | null, out: Array<{ error?: string; stream?: string }>) => {
        const failed = out?.find((o) => o.error);
        if (err || failed)
          reject(new Error(`docker load of ${file} failed: ${err?.message ?? failed?.error}`));
        else resolve();
      },
    ),
  );
  await readerDone;

  await warnOnOtherBase(manifest, progress);
  const wrong: string[] = [];
  for (const image of manifest.images) {
    for (const tag of image.tags) {
      const id = await localImageId(tag);
      if (id !== image.id) wrong.push(`${tag}: expected ${image.id}, found ${id ?? 'nothing'}`);
    }
  }
  if (wrong.length) throw new Error(`after loading ${file}:\n${wrong.join('\n')}`);
  return { file, manifest, bytes, ms: Date.now() - started };
}

/**
 * Every tag hashes the base image id, and the builder prefers a local debian:bookworm-slim: with one
 * present but saved images built on the debootstrap base (or the reverse), everything is rebuilt.
 */
async function warnOnOtherBase(manifest: ArchiveManifest, progress: (line: string) => void): Promise<void> {
  const saved = manifest.images.find((i) => i.name === 'base');
  const slim = await localImageId(LOCAL_DEBIAN);
  const used = slim ?? saved?.id;
  if (saved && used !== saved.id) {
    progress(
      `[images] warning: the images were built on ${saved.tags.join(' ')}, but this engine has ${LOCAL_DEBIAN}, ` +
        'which `images build` prefers: it will rebuild them all (remove that image to use the loaded ones)',
    );
  }
}

async function cacheFolders(): Promise<string[]> {
  const out: string[] = [];
  for (const folder of CACHE_FOLDERS) {
    const entries = await readdir(join(cacheRoot(), folder)).catch(() => [] as string[]);
    for (const entry of entries.sort()) if (!SKIPPED_CACHE.test(entry)) out.push(`${folder}/${entry}`);
  }
  return out;
}

function parseManifest(file: string, text: string): ArchiveManifest {
  let parsed: Partial<ArchiveManifest> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<ArchiveManifest>;
  } catch {
    parsed = undefined;
  }
  const cachePath = new RegExp(`^(${CACHE_FOLDERS.join('|')})/[^/]+$`);
  if (
    parsed?.format !== ARCHIVE_FORMAT ||
    !Array.isArray(parsed.images) ||
    !Array.isArray(parsed.caches) ||
    !parsed.caches.every((c) => typeof c === 'string' && cachePath.test(c) && !c.includes('..'))
  ) {
    throw new ArchiveError(
      `${file}: not an images file of oneclick (expected a tar with ${MANIFEST} of format ${ARCHIVE_FORMAT}, ` +
        'as `oneclick images save` writes)',
    );
  }
  return parsed as ArchiveManifest;
}

/** The file is not what `images save` writes: bad input. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

function tar(args: string[]): Promise<void> {
  return exited(spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] }), `tar ${args.join(' ')}`);
}

async function tarOutput(args: string[]): Promise<string> {
  const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  await exited(child, `tar ${args.join(' ')}`);
  return out;
}

function exited(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  const tail: string[] = [];
  if (child.stderr) lines(child.stderr, (line) => tail.push(line));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`}): ${tail.slice(-5).join('\n')}`));
    });
  });
}
