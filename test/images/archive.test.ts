/**
 * `images save` → `images load` into a second, empty Docker engine of the test's own (the shared
 * engine's images are never removed), with an empty cache root and a `cargo` that fails: `images
 * build` there must find every image cached and build nothing, radicle included.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const work = await mkdtemp(join(tmpdir(), 'oneclick-archive-'));
const file = join(work, 'images.oneclick');
const engine = join(work, 'engine');
const socket = join(engine, 'docker.sock');
let dockerd: ChildProcess | undefined;

// A bridge of its own: a dockerd started with `--bridge none` deletes the host's docker0, which the
// shared engine's builds and containers use.
const bridge = `oc-arch-${process.pid % 100_000}`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' });
}

/** A dockerd of the test's own: its own data, exec root, socket and bridge, no iptables. */
async function startEngine(): Promise<void> {
  await mkdir(engine, { recursive: true });
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', '10.99.254.1/24', 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  const log: string[] = [];
  dockerd = spawn(
    'dockerd',
    [
      '--data-root',
      join(engine, 'data'),
      '--exec-root',
      join(engine, 'exec'),
      '--pidfile',
      join(engine, 'pid'),
      '--host',
      `unix://${socket}`,
      '--bridge',
      bridge,
      '--iptables=false',
      '--ip6tables=false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  dockerd.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  // Also when the worker exits without afterAll (a crash, Ctrl-C): never leave an engine behind.
  process.once('exit', () => {
    dockerd?.kill('SIGTERM');
    removeBridge();
  });
  const started = Date.now();
  for (;;) {
    if (dockerd.exitCode !== null) throw new Error(`dockerd exited ${dockerd.exitCode}:\n${log.join('')}`);
    if (existsSync(socket)) {
      const ping = await runCli(['images', 'list', '--json'], { DOCKER_HOST: `unix://${socket}` });
      if (ping.code === 0) return;
    }
    if (Date.now() - started > 60_000)
      throw new Error(`dockerd did not answer:\n${log.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function removeBridge(): void {
  try {
    ip('link', 'del', bridge);
  } catch {
    // already gone
  }
}

async function stopEngine(): Promise<void> {
  const child = dockerd;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  removeBridge();
}

beforeAll(async () => {
  const saved = await runCli(['images', 'save', file, '--quiet'], {}, 900_000);
  expect(saved.code, saved.stderr).toBe(0);
  await startEngine();
}, 1_000_000);

afterAll(async () => {
  await stopEngine();
  await rm(work, { recursive: true, force: true });
}, 60_000);

describe('oneclick images save / load', () => {
  it('a second engine without the images gets them all from the file: `images build` builds nothing', async () => {
    const second = { DOCKER_HOST: `unix://${socket}` };
    const before = await runCli(['images', 'list', '--json'], second);
    expect(JSON.parse(before.stdout)).toEqual([]);

    // A fresh machine: no build cache, and a radicle build would fail at once instead of taking 12 min.
    const cache = join(work, 'cache');
    const bin = join(work, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'cargo'),
      '#!/bin/sh\necho "cargo called: the radicle build ran" >&2\nexit 97\n',
    );
    await chmod(join(bin, 'cargo'), 0o755);
    const fresh = { ...second, ONECLICK_CACHE: cache, PATH: `${bin}:${process.env.PATH ?? ''}` };

    const loaded = await runCli(['images', 'load', file], fresh, 300_000);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stderr).toMatch(/loaded \d+ images from .* \(\d+ MB\)/);

    const built = await runCli(['images', 'build'], fresh, 300_000);
    expect(built.code, built.stderr).toBe(0);
    const rows = built.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows.map(([, state]) => state)).toEqual(rows.map(() => 'cached'));
    expect(built.stderr).not.toMatch(/cargo called|building oneclick\//);

    // The same tags (content hashes) as the shared engine's: identical inputs, identical images.
    const main = await runCli(['images', 'build', '--quiet']);
    expect(rows.map(([tag]) => tag)).toEqual(
      main.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t')[0]),
    );
    const manifest = JSON.parse((await runCli(['images', 'list', '--json'], second)).stdout) as Array<{
      id: string;
      tags: string[];
    }>;
    for (const [tag] of rows) expect(manifest.some((i) => i.tags.includes(tag!))).toBe(true);
  }, 900_000);

  it('refuses a file that is not an images file, or none, with exit 2', async () => {
    const bogus = join(work, 'bogus.tar');
    await writeFile(bogus, await readFile(new URL(import.meta.url)));
    const wrong = await runCli(['images', 'load', bogus], { DOCKER_HOST: `unix://${socket}` });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`${bogus}: not an images file of oneclick`);
    const missing = await runCli(['images', 'load', join(work, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope: no such file');
  });
});
