import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProvider } from '../../harness/provider/manifest.js';
import {
  nameFromDir,
  PROVIDER_LANGS,
  scaffoldProvider,
  TEMPLATES_DIR,
} from '../../harness/provider/scaffold.js';
import { runCli } from '../helpers/cli.js';

const root = await mkdtemp(join(tmpdir(), 'oneclick-scaffold-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function tree(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await tree(dir, path)));
    else out.push(path);
  }
  return out.sort();
}

describe('scaffoldProvider', () => {
  it('writes a Go package named after its folder', async () => {
    const dir = join(root, 'Acme_Seeds');
    const made = await scaffoldProvider(dir, { lang: 'go' });
    expect(made).toMatchObject({ name: 'acme-seeds', lang: 'go' });
    expect(await tree(dir)).toEqual(['Dockerfile', 'README.md', 'go.mod', 'main.go', 'provider.yaml']);
    expect(made.files).toEqual(await tree(dir));
    expect(await readFile(join(dir, 'go.mod'), 'utf8')).toMatch(/^module acme-seeds\n/);
    const manifest = await readFile(join(dir, 'provider.yaml'), 'utf8');
    expect(manifest).toContain('name: acme-seeds\n');
    expect(manifest).not.toContain('oneclick-skeleton');
    const loaded = await loadProvider(dir);
    expect(loaded.manifest).toMatchObject({ name: 'acme-seeds', runtime: 'docker' });
    expect(loaded.manifest.readiness).toMatchObject({ http: { port: 9100, path: '/healthz' } });
  });

  it('writes a TypeScript package with an executable prepare.sh into an existing empty folder', async () => {
    const dir = join(root, 'ts-empty');
    await mkdir(dir);
    const made = await scaffoldProvider(dir, { lang: 'ts', name: 'ts-one' });
    expect(made.files).toEqual(['Dockerfile', 'README.md', 'prepare.sh', 'provider.yaml', 'src/main.ts']);
    expect((await stat(join(dir, 'prepare.sh'))).mode & 0o111).not.toBe(0);
    expect((await loadProvider(dir)).manifest.name).toBe('ts-one');
  });

  it.each(PROVIDER_LANGS)('the %s template is itself a valid package', async (lang) => {
    expect((await loadProvider(join(TEMPLATES_DIR, lang))).manifest.name).toBe('oneclick-skeleton');
  });

  it('derives names the manifest accepts', () => {
    expect(nameFromDir('/x/My Provider!')).toBe('my-provider');
    expect(nameFromDir('--a--')).toBe('a');
    expect(nameFromDir('x'.repeat(50))).toHaveLength(40);
  });

  it.each([
    ['an unknown --lang', 'new-rust', { lang: 'rust' }, /--lang: must be one of go, ts, got "rust"/],
    ['a bad --name', 'bad-name', { lang: 'go', name: 'Bad_Name' }, /--name: must match \[a-z0-9\]/],
    [
      'a folder with no usable name',
      '___',
      { lang: 'go' },
      /the name derived from .*___.*give one with --name/,
    ],
  ])('refuses %s and writes nothing', async (_, folder, options, message) => {
    const dir = join(root, folder);
    await expect(scaffoldProvider(dir, options)).rejects.toThrow(message);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a non-empty folder and leaves it as it was', async () => {
    const dir = join(root, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(scaffoldProvider(dir, { lang: 'go' })).rejects.toThrow(/taken: exists and is not empty/);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
});

describe('oneclick provider new', () => {
  it.each(['go', 'ts'])('--lang %s: the output passes `provider check`', async (lang) => {
    const dir = join(root, `cli-${lang}`);
    const made = await runCli(['provider', 'new', dir, '--lang', lang]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`${dir}/provider.yaml`);
    const check = await runCli(['provider', 'check', dir]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toBe(`ok: cli-${lang} 0.1.0 (${dir}/provider.yaml, build .)\n`);
  });

  it('exits 2 with the reason for bad input, writing nothing', async () => {
    const lang = await runCli(['provider', 'new', join(root, 'cli-bad'), '--lang', 'rust']);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('error: --lang: must be one of go, ts, got "rust"');
    await expect(stat(join(root, 'cli-bad'))).rejects.toThrow(/ENOENT/);
    const taken = await runCli(['provider', 'new', join(root, 'cli-go')]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('cli-go: exists and is not empty');
  });
});
