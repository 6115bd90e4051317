import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** harness/images/ */
export const IMAGES_DIR = dirname(fileURLToPath(import.meta.url));
/** harness/images/recipes/<name>/ */
export const RECIPES_DIR = join(IMAGES_DIR, 'recipes');
/** The repository root. */
export const REPO_ROOT = join(IMAGES_DIR, '..', '..');

/** Same rule as harness/images/radicle/build-binaries.mjs. */
export function cacheRoot(): string {
  return (
    process.env.ONECLICK_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'oneclick')
  );
}
