#!/usr/bin/env node
// Builds the pinned radicle binaries from crates.io into a cache outside the repo and prints their
// bin directory. Re-running is a no-op when the cache already holds this exact set.
//   harness/images/radicle/build-binaries.mjs     (zx for the shell parts; org-node's prepare.mjs imports it)
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { fs, path } from 'zx';

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
  const began = Date.now();
  for (const [crate, version] of Object.entries(VERSIONS)) {
    process.stderr.write(
      `[radicle] building ${crate} ${version} (the first build takes ~20 min on 2 cores)\n`,
    );
    await cargoInstall(
      ['install', '--locked', '--root', `${out}.partial`, '--target-dir', target, `${crate}@${version}`],
      { ...process.env, RADICLE_VERSION: version },
      crate,
      began,
    );
  }
  await fs.rm(out, { recursive: true, force: true });
  await fs.rename(`${out}.partial`, out);
  return bin;
}

/** `1m05s` */
export const elapsed = (ms) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/**
 * What one line of cargo's stderr changes: the crate it starts compiling (counted), or a line worth
 * passing on (warnings, errors); the rest (downloads, fresh crates) stays quiet.
 */
export function cargoLine(line) {
  const compiling = /^\s*Compiling (\S+) v(\S+)/.exec(line);
  if (compiling) return { compiling: `${compiling[1]} ${compiling[2]}` };
  if (/^\s*(error|warning: (?!unused)|Finished|Installed|Replacing)/.test(line)) return { show: line.trim() };
  return {};
}

/**
 * `cargo install` with a progress line on stderr instead of silence: the crate being compiled, the
 * count so far and the time since the radicle build began, at most every 5 s and at least every 30 s.
 * On failure the last 40 lines of cargo's output are shown.
 */
function cargoInstall(args, env, what, began) {
  return new Promise((resolve, reject) => {
    const child = spawn('cargo', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const tail = [];
    let current = 'resolving dependencies';
    let count = 0;
    let printed = 0;
    const say = () => {
      printed = Date.now();
      process.stderr.write(
        `[radicle] ${what}: ${count} crates compiled, now ${current} (${elapsed(printed - began)})\n`,
      );
    };
    const heartbeat = setInterval(() => Date.now() - printed >= 30_000 && say(), 5_000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      const seen = cargoLine(line);
      if (seen.show) process.stderr.write(`[radicle] ${what}: ${seen.show}\n`);
      if (!seen.compiling) return;
      count++;
      current = seen.compiling;
      if (Date.now() - printed >= 5_000) say();
    });
    child.on('error', (error) => {
      clearInterval(heartbeat);
      reject(new Error(`cargo could not start (${error.message}): is Rust installed?`));
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (code === 0) return resolve();
      process.stderr.write(`${tail.join('\n')}\n`);
      reject(new Error(`cargo install ${what} failed (exit ${code}) after ${elapsed(Date.now() - began)}`));
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(await radicleBinaries());
}
