#!/usr/bin/env node
// Builds the pinned radicle binaries from crates.io into a cache outside the repo and prints their
// bin directory. Re-running is a no-op when the cache already holds this exact set.
//   harness/images/radicle/build-binaries.mjs     (zx for the shell parts; org-node's prepare.mjs imports it)
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { $, fs, path } from 'zx';

const VERSIONS = { 'radicle-node': '0.21.1', 'radicle-cli': '0.23.0', 'radicle-remote-helper': '0.18.1' };
const BINARIES = ['radicle-node', 'rad', 'git-remote-rad'];

/** Same rule as harness/images/paths.ts cacheRoot(). */
const cacheRoot = () =>
  process.env.ONECLICK_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'oneclick');

/** The bin directory of the pinned set, built first when absent (cargo's progress goes to stderr). */
export async function radicleBinaries() {
  const v = VERSIONS;
  const setId = `node-${v['radicle-node']}_cli-${v['radicle-cli']}_rh-${v['radicle-remote-helper']}`;
  const out = path.join(cacheRoot(), 'radicle', setId);
  const bin = path.join(out, 'bin');
  const executable = (b) =>
    fs.access(path.join(bin, b), fs.constants.X_OK).then(
      () => true,
      () => false,
    );
  if ((await Promise.all(BINARIES.map(executable))).every(Boolean)) return bin;

  const target = path.join(cacheRoot(), 'radicle', 'target');
  for (const [crate, version] of Object.entries(VERSIONS)) {
    process.stderr.write(`[radicle] building ${crate} ${version} (first build takes a long time)\n`);
    await $({
      env: { ...process.env, RADICLE_VERSION: version },
      stdio: ['ignore', 2, 'inherit'],
    })`cargo install --locked --quiet --root ${`${out}.partial`} --target-dir ${target} ${`${crate}@${version}`}`;
  }
  await fs.rm(out, { recursive: true, force: true });
  await fs.rename(`${out}.partial`, out);
  return bin;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(await radicleBinaries());
}
