#!/usr/bin/env zx
// Host-side step of the org-node recipe (run by the image builder with CONTEXT_DIR set): puts the
// radicle binaries and the compiled HTTP API/supervisor into $CONTEXT_DIR/bin.
/* global $, fs, path -- zx's own (this runs from a temporary copy, where `import 'zx'` cannot resolve) */
import { createHash } from 'node:crypto';

const { CONTEXT_DIR: context, IMAGES_DIR: images } = process.env;
if (!context || !images) throw new Error('run by the image builder (CONTEXT_DIR and IMAGES_DIR unset)');
const bin = path.join(context, 'bin');

/** A hard link when the cache is on the same file system: no copy of ~50 MB on every cache check. */
const place = (from, to) => fs.link(from, to).catch(() => fs.copyFile(from, to));

// Cached after the first build, which takes ~12 min and says so on stderr.
const { radicleBinaries } = await import(path.join(images, 'radicle', 'build-binaries.mjs'));
const radicle = await radicleBinaries();
await fs.mkdir(bin, { recursive: true });
for (const b of ['radicle-node', 'rad', 'git-remote-rad'])
  await place(path.join(radicle, b), path.join(bin, b));

if (!(await $`command -v go`.nothrow()).ok)
  throw new Error('Go is needed to compile the org-node HTTP API (httpapi/)');
const src = path.join(context, 'httpapi');
// Compiled once per source + toolchain; -trimpath and no VCS stamp keep the binary (and so the tag) stable.
const goVersion = (await $`go env GOVERSION`).stdout.trim();
const sources = ['go.mod', ...(await fs.readdir(src)).filter((f) => f.endsWith('.go')).sort()];
const hash = createHash('sha256');
for (const f of sources) hash.update(await fs.readFile(path.join(src, f)));
const cacheRoot =
  process.env.ONECLICK_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME, '.cache'), 'oneclick');
const cache = path.join(cacheRoot, 'orgnode-api', `${hash.digest('hex').slice(0, 16)}-${goVersion}`);
const api = path.join(cache, 'orgnode-api');
if (!(await fs.pathExists(api))) {
  process.stderr.write(`compiling httpapi/ (Go ${goVersion}, CGO_ENABLED=0)\n`);
  await fs.mkdir(path.dirname(cache), { recursive: true });
  const partial = await fs.mkdtemp(`${cache}.partial.`);
  const env = { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOFLAGS: '-mod=mod' };
  await $({
    cwd: src,
    env,
    stdio: ['ignore', 2, 'inherit'],
  })`go build -trimpath -buildvcs=false -ldflags=${'-s -w'} -o ${path.join(partial, 'orgnode-api')} .`;
  // Another build got there first: same bytes.
  await fs.rename(partial, cache).catch(() => fs.rm(partial, { recursive: true, force: true }));
}
await place(api, path.join(bin, 'orgnode-api'));
// The binary is what goes into the image; the source stays out of the context (and the hash covers the binary).
await fs.rm(src, { recursive: true, force: true });
