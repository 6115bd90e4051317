/**
 * The provider's image: a local image the manifest names (checked, never pulled), or a build of the
 * provider's context, tagged by content like harness/images does, so an unchanged provider is not
 * rebuilt. A context with an executable `prepare.sh` at its root is first copied to a temporary folder
 * where that script runs on the host (harness/images' convention: CONTEXT_DIR, RECIPE_DIR,
 * ONECLICK_ROOT, NODE); the image is built from, and its tag hashes, what the script left there.
 * A context that is another provider package's folder builds (and shares) that package's image.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { ensureBase, IMAGE_LABEL, localImageId } from '../images/base.js';
import { dockerBuild } from '../images/build.js';
import { contextHash, PREPARE_SCRIPT, prepareContext } from '../images/context.js';
import { withLock } from '../images/lock.js';
import { tarball, type TarEntry } from '../images/tar.js';
import { BASE_BUILD_ARG, type LoadedProvider } from './manifest.js';

/** On every image built from a provider's context: the provider's name. */
export const PROVIDER_IMAGE_LABEL = 'oneclick.provider-image';
export const PROVIDER_HASH_LABEL = 'oneclick.hash';

export interface ProviderImage {
  /**
   * `oneclick-provider/<package>:<hash>` for a build (`<package>`: whose folder holds the context),
   * else the manifest's `image`.
   */
  tag: string;
  id: string;
  /** False for a local image or a cache hit. */
  built: boolean;
}

export interface ProviderImageOptions {
  /** Build output lines, prefixed `[provider] <name>: `; default stderr. */
  onProgress?: (line: string) => void;
}

/** Never part of a build context. */
const SKIPPED = new Set(['.git']);

export async function providerImage(
  provider: LoadedProvider,
  options: ProviderImageOptions = {},
): Promise<ProviderImage> {
  const { manifest } = provider;
  const sink = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const progress = (line: string) => sink(`[provider] ${manifest.name}: ${line}`);
  if (manifest.image) {
    const id = await localImageId(manifest.image);
    if (!id) {
      throw new Error(
        `${provider.locate(['image'])}: image: no local image ${JSON.stringify(manifest.image)} ` +
          '(nothing is pulled here: build or load it first, or give `build:` instead)',
      );
    }
    return { tag: manifest.image, id, built: false };
  }
  const build = provider.build;
  if (!build)
    throw new Error(`${provider.displayFile}: neither image nor build (was it loaded with loadProvider?)`);
  // Named after the package whose folder holds the context: providers sharing a context share it.
  const name = build.imageName;
  // The folder as shipped (symbolic links checked), then, with a prepare.sh, what it makes on the host.
  let entries = await collect(build.context, build.packageDir);
  if (entries.some((e) => e.path === PREPARE_SCRIPT)) {
    const ctx = await prepareContext(`provider-${name}`, build.context, progress);
    entries = ctx.entries;
    await ctx.dispose();
  }
  const base = await ensureBase(progress);
  const args = Object.fromEntries(
    Object.entries(build.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  // The hash covers the context files, the base image, the Dockerfile's path and the build args.
  const hash = contextHash(entries, `${base.id}\0${build.dockerfileInContext}\0${JSON.stringify(args)}`);
  const tag = `oneclick-provider/${name}:${hash}`;
  return withLock(
    `provider-${name}`,
    async () => {
      const cached = await localImageId(tag);
      if (cached) {
        progress(`cached ${tag}`);
        return { tag, id: cached, built: false };
      }
      const started = Date.now();
      progress(
        `building ${tag} from ${relative(provider.dir, build.context) || '.'} (${entries.length} files)`,
      );
      await dockerBuild(
        tarball(entries),
        {
          tag,
          dockerfile: build.dockerfileInContext,
          buildargs: { ...args, [BASE_BUILD_ARG]: base.tag },
          // oneclick.image would otherwise be inherited from the base image ("base").
          labels: {
            [IMAGE_LABEL]: `provider-${name}`,
            [PROVIDER_IMAGE_LABEL]: name,
            [PROVIDER_HASH_LABEL]: hash,
          },
        },
        progress,
      );
      const id = await localImageId(tag);
      if (!id) throw new Error(`the build of ${provider.displayFile} finished but ${tag} is missing`);
      progress(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { tag, id, built: true };
    },
    (owner) => progress(`waiting for ${owner}, which is building this provider`),
  );
}

/**
 * Every file under the context (sorted, `.git` left out). Symbolic links are followed only when
 * they stay inside the package folder: a provider's build never reads other files of the host.
 */
async function collect(root: string, packageDir: string): Promise<TarEntry[]> {
  const realProvider = await realpath(packageDir);
  const out: TarEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      if (SKIPPED.has(name)) continue;
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const target = await realpath(full);
      const within = relative(realProvider, target);
      if (within.startsWith('..') || isAbsolute(within)) {
        throw new Error(`${full} points outside the provider folder: a build context must be self-contained`);
      }
      const st = await stat(target);
      if (st.isDirectory()) await walk(path);
      else if (st.isFile())
        out.push({ path, mode: st.mode & 0o111 ? 0o755 : 0o644, data: await readFile(target) });
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
