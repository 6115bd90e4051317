import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dockerEngine } from '../docker/engine.js';
import { ensureBase, HASH_LABEL, IMAGE_LABEL, localImageId } from './base.js';
import { contextHash, prepareContext } from './context.js';
import { withLock } from './lock.js';
import { RECIPES_DIR } from './paths.js';
import { tarball } from './tar.js';

export interface EnsureImageOptions {
  /** Progress lines, already prefixed `[images] <name>: `. Defaults to stderr. */
  onProgress?: (line: string) => void;
  /** Where recipes live; default harness/images/recipes/. */
  recipesDir?: string;
}

export interface EnsuredImage {
  name: string;
  /** oneclick/<name>:<hash> */
  tag: string;
  id: string;
  hash: string;
  /** False on a cache hit: the engine already had the tag and nothing was built. */
  built: boolean;
  baseTag: string;
  ms: number;
}

/** Recipe names: the directories under harness/images/recipes/ that hold a Dockerfile. */
export function recipeNames(recipesDir = RECIPES_DIR): string[] {
  if (!existsSync(recipesDir)) return [];
  return readdirSync(recipesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(recipesDir, d.name, 'Dockerfile')))
    .map((d) => d.name)
    .sort();
}

const defaultProgress = (line: string) => process.stderr.write(`${line}\n`);
const inFlight = new Map<string, Promise<EnsuredImage>>();

/**
 * Builds `oneclick/<name>:<hash>` from harness/images/recipes/<name>/ unless the engine already has
 * it. Concurrent calls in one process share one build; other processes wait on a lock file.
 */
export function ensureImageDetailed(name: string, options: EnsureImageOptions = {}): Promise<EnsuredImage> {
  const key = `${options.recipesDir ?? RECIPES_DIR}\0${name}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const promise = ensure(name, options).finally(() => inFlight.delete(key));
  inFlight.set(key, promise);
  return promise;
}

async function ensure(name: string, options: EnsureImageOptions): Promise<EnsuredImage> {
  const started = Date.now();
  const sink = options.onProgress ?? defaultProgress;
  const progress = (line: string) => sink(`[images] ${name}: ${line}`);
  const recipesDir = options.recipesDir ?? RECIPES_DIR;
  const recipeDir = join(recipesDir, name);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
    throw new Error(`image recipe names are lower-case [a-z0-9._-]: ${name}`);
  if (!existsSync(join(recipeDir, 'Dockerfile'))) {
    throw new Error(
      `no image recipe "${name}" in ${recipesDir} (known: ${recipeNames(recipesDir).join(', ') || 'none'})`,
    );
  }
  const base = await ensureBase(progress);
  // One process at a time per image, prepare.sh included: two test workers that both need the image
  // run its prepare step (and a cold radicle build) once, not twice at the same time.
  return withLock(
    `image-${name}`,
    async () => {
      const ctx = await prepareContext(name, recipeDir, progress);
      try {
        const hash = contextHash(ctx.entries, base.id);
        const repo = `oneclick/${name}`;
        const tag = `${repo}:${hash}`;
        const result = (id: string, built: boolean): EnsuredImage => ({
          name,
          tag,
          id,
          hash,
          built,
          baseTag: base.tag,
          ms: Date.now() - started,
        });
        const cached = await localImageId(tag);
        if (cached) {
          await tagLatest(tag, repo, cached);
          progress(`cached ${tag}`);
          return result(cached, false);
        }
        progress(`building ${tag} from ${base.tag} (${ctx.entries.length} context files)`);
        await build(tarball(ctx.entries), tag, name, hash, base.tag, progress);
        const id = await localImageId(tag);
        if (!id) throw new Error(`the build finished but ${tag} is missing`);
        await tagLatest(tag, repo, id);
        const done = result(id, true);
        progress(`built ${tag} in ${(done.ms / 1000).toFixed(1)} s`);
        return done;
      } finally {
        await ctx.dispose();
      }
    },
    (owner) => progress(`waiting for ${owner}, which holds the lock of this image`),
  );
}

async function tagLatest(tag: string, repo: string, id: string): Promise<void> {
  if ((await localImageId(`${repo}:latest`)) === id) return;
  await dockerEngine().getImage(tag).tag({ repo, tag: 'latest' });
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

async function build(
  context: Buffer,
  tag: string,
  name: string,
  hash: string,
  baseTag: string,
  progress: (line: string) => void,
): Promise<void> {
  await dockerBuild(
    context,
    { tag, buildargs: { BASE: baseTag }, labels: { [IMAGE_LABEL]: name, [HASH_LABEL]: hash } },
    progress,
  );
}

export interface DockerBuildOptions {
  tag: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Path of the Dockerfile inside the context; default `Dockerfile`. */
  dockerfile?: string;
}

/**
 * `docker build` of a tar context through the engine API; output lines go to `progress`, a failure
 * throws with the error and the last 40 lines of build output.
 */
export async function dockerBuild(
  context: Buffer,
  options: DockerBuildOptions,
  progress: (line: string) => void,
): Promise<void> {
  const docker = dockerEngine();
  const { tag } = options;
  const stream = (await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: tag,
    buildargs: options.buildargs ?? {},
    labels: options.labels ?? {},
    ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
    rm: true,
    forcerm: true,
  })) as NodeJS.ReadableStream;
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: BuildEvent[]) => {
        const failed = output?.find((o) => o.error);
        if (!err && !failed) return resolve();
        const why = err?.message ?? failed?.errorDetail?.message ?? failed?.error ?? 'unknown error';
        reject(new Error(`building ${tag} failed: ${why}\nlast build output:\n${tail.join('\n')}`));
      },
      (event: BuildEvent) => {
        const text = event.stream ?? event.status ?? event.error;
        if (!text) return;
        for (const line of text.split('\n')) {
          const clean = line.trimEnd();
          if (!clean) continue;
          remember(clean);
          progress(clean);
        }
      },
    );
  });
}
