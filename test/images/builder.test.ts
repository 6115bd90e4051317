import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEngine } from '../../harness/docker/engine.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage, ensureImageDetailed, HASH_LABEL, IMAGE_LABEL } from '../../harness/images/index.js';

// Throw-away recipes in a temporary recipes directory: the real ones are never touched.
const name = `probe-${process.pid}`;
let recipes: string;
let run: Run;
const lines: string[] = [];
const onProgress = (line: string) => lines.push(line);

async function writeRecipe(files: Record<string, string>, prepare?: string): Promise<void> {
  const dir = join(recipes, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
  if (prepare) {
    await writeFile(join(dir, 'prepare.sh'), prepare);
    await chmod(join(dir, 'prepare.sh'), 0o755);
  }
}

const dockerfile = 'ARG BASE\nFROM ${BASE}\nCOPY . /probe/\nCMD ["cat", "/probe/hello.txt"]\n';

beforeAll(async () => {
  recipes = await mkdtemp(join(tmpdir(), 'oneclick-recipes-'));
  run = startRun('images');
});

afterAll(async () => {
  await run.dispose();
  await rm(recipes, { recursive: true, force: true });
  // Images are not run-labelled (they are a cache): remove the probe's own images by their label.
  const docker = dockerEngine();
  const images = await docker.listImages({ filters: { label: [`${IMAGE_LABEL}=${name}`] } });
  for (const image of images)
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('the cached image builder', () => {
  it('tags an image by its content and labels it, and points :latest at it', async () => {
    await writeRecipe({ Dockerfile: dockerfile, 'hello.txt': 'one\n' });
    const first = await ensureImageDetailed(name, { recipesDir: recipes, onProgress });
    expect(first.tag).toMatch(new RegExp(`^oneclick/${name}:[0-9a-f]{12}$`));
    const info = await dockerEngine().getImage(first.tag).inspect();
    expect(info.Config.Labels?.[IMAGE_LABEL]).toBe(name);
    expect(info.Config.Labels?.[HASH_LABEL]).toBe(first.hash);
    expect((await dockerEngine().getImage(`oneclick/${name}:latest`).inspect()).Id).toBe(first.id);
    expect(lines.every((l) => l.startsWith(`[images] ${name}: `))).toBe(true);
  });

  it('a second ensureImage of an unchanged recipe is a cache hit: nothing is built', async () => {
    const before = await ensureImageDetailed(name, { recipesDir: recipes, onProgress });
    lines.length = 0;
    const again = await ensureImageDetailed(name, { recipesDir: recipes, onProgress });
    expect(again.built).toBe(false);
    expect(again.tag).toBe(before.tag);
    expect(again.id).toBe(before.id);
    expect(lines.some((l) => /Step \d+\/\d+/.test(l))).toBe(false);
    expect(lines).toContain(`[images] ${name}: cached ${before.tag}`);
  });

  it('a changed recipe file changes the tag, and changing it back finds the old image', async () => {
    const original = await ensureImageDetailed(name, { recipesDir: recipes, onProgress });
    await writeRecipe({ Dockerfile: dockerfile, 'hello.txt': 'two\n' });
    const changed = await ensureImageDetailed(name, { recipesDir: recipes, onProgress });
    expect(changed.built).toBe(true);
    expect(changed.tag).not.toBe(original.tag);
    await writeRecipe({ Dockerfile: dockerfile, 'hello.txt': 'one\n' });
    const back = await ensureImageDetailed(name, { recipesDir: recipes, onProgress });
    expect(back).toMatchObject({ tag: original.tag, id: original.id, built: false });
  });

  it('runs prepare.sh on a copy of the recipe with CONTEXT_DIR, and leaves prepare.sh out of the context', async () => {
    const prepare =
      '#!/usr/bin/env bash\nset -e\necho "preparing" >&2\necho generated > "$CONTEXT_DIR/hello.txt"\n';
    await writeRecipe({ Dockerfile: dockerfile }, prepare);
    lines.length = 0;
    const tag = await ensureImage(name, { recipesDir: recipes, onProgress });
    expect(lines).toContain(`[images] ${name}: prepare: preparing`);
    const c = await dockerEngine().createContainer({
      Image: tag,
      Entrypoint: ['ls', '/probe'],
      Labels: run.labels(),
    });
    try {
      await c.start();
      await c.wait();
      const out = ((await c.logs({ stdout: true })) as unknown as Buffer).toString('utf8');
      expect(out).toContain('hello.txt');
      expect(out).not.toContain('prepare.sh');
    } finally {
      await c.remove({ force: true });
    }
  });

  it('a failing build rejects with the last lines of the build', async () => {
    await writeRecipe({ Dockerfile: 'ARG BASE\nFROM ${BASE}\nRUN echo "boom-from-the-build" && exit 3\n' });
    await expect(ensureImage(name, { recipesDir: recipes, onProgress })).rejects.toThrow(
      /boom-from-the-build/,
    );
  });

  it('an unknown recipe is refused with the known names', async () => {
    await expect(ensureImage('no-such-recipe', { onProgress })).rejects.toThrow(
      /no image recipe "no-such-recipe".*org-node/,
    );
  });
});
