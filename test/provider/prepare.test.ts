/**
 * A provider context with an executable prepare.sh (SPEC.md §2, `build`): it runs on the host in a
 * temporary copy of the context, the image is built from what it leaves, the provider folder is never
 * written to, and prepare.sh itself stays out of the image.
 */
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { container } from '../../harness/docker/container.js';
import { startRun } from '../../harness/docker/run.js';
import { loadProvider, providerImage } from '../../harness/provider/index.js';

const run = startRun('prepare');
const dirs: string[] = [];

afterAll(async () => {
  await run.dispose();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function providerFolder(prepare: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oneclick-prepare-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'provider.yaml'),
    [
      'apiVersion: oneclick/v2',
      'name: prepared',
      'version: 0.1.0',
      'build: { context: . }',
      'runtime: docker',
      "readiness: { exec: ['true'] }",
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nCOPY . /ctx/\n');
  await writeFile(join(dir, 'prepare.sh'), `#!/usr/bin/env bash\nset -euo pipefail\n${prepare}\n`);
  await chmod(join(dir, 'prepare.sh'), 0o755);
  return dir;
}

describe('a provider build with prepare.sh', () => {
  it('builds from what prepare.sh left in a copy of the context, never touching the folder', async () => {
    const dir = await providerFolder(
      [
        '[[ "$PWD" == "$CONTEXT_DIR" && "$RECIPE_DIR" != "$CONTEXT_DIR" && -d "$ONECLICK_ROOT/harness" ]]',
        '"$NODE" -e "process.stdout.write(process.version)" > "$CONTEXT_DIR/made.txt"',
        'echo preparing >&2',
      ].join('\n'),
    );
    const lines: string[] = [];
    const image = await providerImage(await loadProvider(dir), { onProgress: (l) => lines.push(l) });
    expect(image.tag).toMatch(/^oneclick-provider\/prepared:[0-9a-f]{12}$/);
    expect(lines).toContain('[provider] prepared: prepare: preparing');
    expect((await readdir(dir)).sort()).toEqual(['Dockerfile', 'prepare.sh', 'provider.yaml']);

    const c = await container(image.tag)
      .named(`${run.id}-prepared`)
      .withLabels(run.labels())
      .withCommand(['sleep', '60'])
      .start();
    const listing = await c.exec(['ls', '/ctx']);
    expect(listing.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'Dockerfile',
      'made.txt',
      'provider.yaml',
    ]);
    expect((await c.exec(['cat', '/ctx/made.txt'])).stdout).toBe(process.version);

    // Same output, same tag: a cache hit.
    expect((await providerImage(await loadProvider(dir), { onProgress: () => undefined })).tag).toBe(
      image.tag,
    );
  });

  it('a failing prepare.sh fails the build with its output', async () => {
    const dir = await providerFolder('echo "cannot make the bundle" >&2\nexit 3');
    await expect(providerImage(await loadProvider(dir), { onProgress: () => undefined })).rejects.toThrow(
      /prepare\.sh failed \(exit 3\):[\s\S]*cannot make the bundle/,
    );
  });
});
