/** Which scenario files a path, folder or glob names, and reading one. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { display } from '../../yaml/index.js';
import { ScenarioError } from '../problems.js';

export function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioError([
      {
        file: display(file),
        message:
          code === 'ENOENT'
            ? 'no such scenario file'
            : code === 'EISDIR'
              ? 'is a folder (give a file, or the folder to loadScenarios)'
              : `cannot be read (${code ?? (error as Error).message})`,
      },
    ]);
  }
}

/** Absolute file paths for one path, folder or glob; a string says why there are none. */
export function expand(pattern: string): string[] | string {
  const abs = resolve(pattern);
  const wild = /[*?]/;
  if (!wild.test(pattern)) {
    const stat = statOf(abs);
    if (!stat) return 'no such scenario file or folder';
    if (!stat.isDirectory()) return [abs];
    const found = listYaml(abs, () => true);
    return found.length ? found : 'no scenario files (*.yaml, *.yml) in this folder';
  }
  const dir = dirname(abs);
  if (wild.test(dir)) return 'wildcards (* and ?) go in the file name only, e.g. scenarios/*.yaml';
  const re = new RegExp(
    `^${basename(abs)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  if (!statOf(dir)?.isDirectory()) return `no such folder ${display(dir)}`;
  const found = listYaml(dir, (name) => re.test(name), true);
  return found.length ? found : 'no files match';
}

function listYaml(dir: string, match: (name: string) => boolean, any = false): string[] {
  return readdirSync(dir)
    .filter((name) => match(name) && (any || /\.ya?ml$/.test(name)) && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((f) => statOf(f)?.isFile());
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
