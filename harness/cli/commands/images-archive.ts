import type { Command } from 'commander';
import { loadProviderOrUsage, UsageError } from '../errors.js';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `images save` / `images load`: the CI cache of every image oneclick builds (harness/images/archive.ts). */
export function addImageArchiveCommands(images: Command): void {
  images
    .command('save')
    .description(
      'Write every image oneclick builds (building what is missing) and the radicle build cache to <file>, ' +
        'for a CI cache: `images load <file>` on another machine makes `images build` a no-op.',
    )
    .argument('<file>', 'the file to write (a tar; replaced if it exists)')
    .option('--provider <dir...>', "also carry these providers' images (built if needed)")
    .option('-q, --quiet', 'no progress lines')
    .action(async (file: string, opts: { provider?: string[]; quiet?: boolean }) => {
      const { saveImages } = await import('../../images/archive.js');
      const onProgress = opts.quiet ? undefined : (line: string) => console.error(line);
      const extra = await providerImages(opts.provider ?? [], onProgress);
      const r = await saveImages(file, { extra, ...(onProgress && { onProgress }) });
      for (const image of r.manifest.images) console.log(`${image.tags.join(' ')}\t${image.id}`);
      console.error(
        `saved ${r.manifest.images.length} images and ${r.manifest.caches.length} build caches to ${file} ` +
          `(${mb(r.bytes)}) in ${seconds(r.ms)}`,
      );
    });
  images
    .command('load')
    .description(
      'Load a file written by `images save` into the engine (DOCKER_HOST) and restore its build caches; ' +
        'check that every tag names the image id it was saved with.',
    )
    .argument('<file>', 'a file written by `oneclick images save`')
    .option('-q, --quiet', 'no progress lines')
    .action(async (file: string, opts: { quiet?: boolean }) => {
      const { loadImages, ArchiveError } = await import('../../images/archive.js');
      try {
        const r = await loadImages(file, opts.quiet ? {} : { onProgress: (line) => console.error(line) });
        for (const image of r.manifest.images) console.log(`${image.tags.join(' ')}\t${image.id}`);
        console.error(
          `loaded ${r.manifest.images.length} images from ${file} (${mb(r.bytes)}) in ${seconds(r.ms)}`,
        );
      } catch (error) {
        if (error instanceof ArchiveError) throw new UsageError(error.message);
        throw error;
      }
    });
}

async function providerImages(dirs: string[], onProgress?: (line: string) => void) {
  if (!dirs.length) return [];
  const { providerImage } = await import('../../provider/image.js');
  const out = [];
  for (const dir of dirs) {
    const loaded = await loadProviderOrUsage(dir);
    const image = await providerImage(loaded, onProgress ? { onProgress } : {});
    out.push({ name: `provider-${loaded.manifest.name}`, tags: [image.tag], id: image.id });
  }
  return out;
}
