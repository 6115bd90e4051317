import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error -- a zx script without types
import { cargoLine, elapsed, radicleBinaries } from '../../harness/images/radicle/build-binaries.mjs';

// A stand-in `cargo` on PATH: prints what cargo prints while compiling, then installs three files.
const FAKE_CARGO = `#!/usr/bin/env bash
root=; while [ $# -gt 0 ]; do [ "$1" = --root ] && root=$2; shift; done
for c in libc serde tokio; do echo "   Compiling $c v1.0.0" >&2; done
echo "warning: something worth seeing" >&2
mkdir -p "$root/bin"; for b in radicle-node rad git-remote-rad; do printf '#!/bin/sh\\n' >"$root/bin/$b"; chmod +x "$root/bin/$b"; done
`;

let dir: string | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the radicle build', () => {
  it('reads cargo lines: the crate compiled, what is worth showing, the rest quiet', () => {
    expect(cargoLine('   Compiling radicle-node v0.21.1')).toEqual({ compiling: 'radicle-node 0.21.1' });
    expect(cargoLine('error[E0432]: unresolved import')).toEqual({ show: 'error[E0432]: unresolved import' });
    expect(cargoLine('  Downloaded serde v1.0.200')).toEqual({});
    expect([elapsed(5_000), elapsed(65_000), elapsed(1_200_000)]).toEqual(['5s', '1m05s', '20m00s']);
  });

  it('says which crate it is compiling and how long it has been going, instead of silence', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oneclick-radicle-'));
    await writeFile(join(dir, 'cargo'), FAKE_CARGO);
    await chmod(join(dir, 'cargo'), 0o755);
    vi.stubEnv('PATH', `${dir}:${process.env.PATH}`);
    vi.stubEnv('ONECLICK_CACHE', join(dir, 'cache'));
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    const bin = (await radicleBinaries()) as string;
    expect(bin).toBe(join(dir, 'cache', 'radicle', 'node-0.21.1_cli-0.23.0_rh-0.18.1', 'bin'));
    const text = lines.join('');
    expect(text).toMatch(/\[radicle\] radicle-node: 1 crates compiled, now libc 1\.0\.0 \(\d+s\)/);
    expect(text).toContain('[radicle] radicle-cli: warning: something worth seeing');
  });
});
