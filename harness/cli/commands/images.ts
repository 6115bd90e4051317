import { Command } from 'commander';
import { ensureImageDetailed, IMAGE_NAMES, listImages } from '../../images/index.js';
import { UsageError } from '../errors.js';
import { addImageArchiveCommands } from './images-archive.js';

export function imagesCommand(): Command {
  const images = new Command('images').description(
    'Build and list the container images oneclick runs (cached by content: a rebuild is a no-op).',
  );
  images
    .command('build')
    .description(`Build images from harness/images/recipes/ (default: all: ${IMAGE_NAMES.join(', ')}).`)
    .argument('[names...]', 'recipes to build')
    .option('-q, --quiet', 'print only the resulting tags')
    .action(async (names: string[], opts: { quiet?: boolean }) => {
      const wanted = names.length ? names : [...IMAGE_NAMES];
      const unknown = wanted.filter((n) => !IMAGE_NAMES.includes(n));
      if (unknown.length) {
        throw new UsageError(`unknown image ${unknown.join(', ')} (known: ${IMAGE_NAMES.join(', ')})`);
      }
      const onProgress = opts.quiet ? () => undefined : (line: string) => console.error(line);
      for (const name of wanted) {
        const r = await ensureImageDetailed(name, { onProgress });
        console.log(`${r.tag}\t${r.built ? 'built' : 'cached'}\t${(r.ms / 1000).toFixed(1)}s`);
      }
    });
  images
    .command('list')
    .description('List the images oneclick built (label oneclick.image).')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const found = await listImages();
      if (opts.json) {
        console.log(JSON.stringify(found, null, 2));
        return;
      }
      if (!found.length) {
        console.log('no oneclick images yet: run `oneclick images build`');
        return;
      }
      for (const i of found) {
        const mb = (i.sizeBytes / 1e6).toFixed(0).padStart(5);
        console.log(
          `${i.name.padEnd(10)} ${(i.tags.join(' ') || i.id.slice(7, 19)).padEnd(48)} ${mb} MB  ${i.created.toISOString()}`,
        );
      }
    });
  addImageArchiveCommands(images);
  return images;
}
