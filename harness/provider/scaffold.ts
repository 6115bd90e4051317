/**
 * `oneclick provider new`: a provider package from fixtures/templates/<lang>/. Each template is
 * itself a valid package named `oneclick-skeleton`; the copy gets the new package's name instead.
 * Nothing is written unless every check passed first.
 */
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/templates');
export const PROVIDER_LANGS = ['go', 'ts'] as const;
export type ProviderLang = (typeof PROVIDER_LANGS)[number];

/** The name every template carries, replaced by the new package's. */
const PLACEHOLDER = 'oneclick-skeleton';
/** SPEC.md §2: `name`. */
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const NAME_MAX = 40;

/** Bad input: the CLI prints the message and exits 2. */
export class ScaffoldError extends Error {
  override name = 'ScaffoldError';
}

export interface ScaffoldOptions {
  lang: string;
  /** Default: derived from the folder's name. */
  name?: string;
}

export interface Scaffolded {
  dir: string;
  name: string;
  lang: ProviderLang;
  /** Paths relative to dir, sorted. */
  files: string[];
}

export async function scaffoldProvider(dir: string, options: ScaffoldOptions): Promise<Scaffolded> {
  const lang = checkLang(options.lang);
  const name = options.name ?? nameFromDir(dir);
  checkName(name, options.name === undefined ? dir : undefined);
  await checkEmpty(dir);
  const template = join(TEMPLATES_DIR, lang);
  const files = await templateFiles(template);
  for (const file of files) {
    const from = join(template, file);
    const to = join(dir, file);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, (await readFile(from, 'utf8')).replaceAll(PLACEHOLDER, name));
    if ((await stat(from)).mode & 0o111) await chmod(to, 0o755);
  }
  return { dir, name, lang, files };
}

function checkLang(lang: string): ProviderLang {
  const known = PROVIDER_LANGS.find((l) => l === lang);
  if (!known) throw new ScaffoldError(`--lang: must be one of ${PROVIDER_LANGS.join(', ')}, got "${lang}"`);
  return known;
}

/** "My_Provider" → "my-provider". */
export function nameFromDir(dir: string): string {
  return basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, NAME_MAX);
}

function checkName(name: string, derivedFrom: string | undefined): void {
  if (NAME.test(name) && name.length <= NAME_MAX) return;
  const what = derivedFrom === undefined ? '--name' : `the name derived from "${derivedFrom}"`;
  throw new ScaffoldError(
    `${what}: must match [a-z0-9][a-z0-9-]* with at most ${NAME_MAX} characters, got "${name}"` +
      (derivedFrom === undefined ? '' : ' (give one with --name)'),
  );
}

async function checkEmpty(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) throw new ScaffoldError(`${dir}: exists and is not a folder`);
  const entries = await readdir(dir);
  if (entries.length) {
    throw new ScaffoldError(
      `${dir}: exists and is not empty (${entries.length} entries): give a new or empty folder`,
    );
  }
}

async function templateFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await templateFiles(root, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
