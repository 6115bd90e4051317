import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const delayerDir = fileURLToPath(new URL('../../harness/images/recipes/router/delayer/', import.meta.url));

describe('NFQUEUE delayer (Go)', () => {
  it('passes its own Go unit tests (release schedule keeps order under jitter)', async () => {
    const { stdout } = await promisify(execFile)('go', ['test', './...'], {
      cwd: delayerDir,
      env: { ...process.env, CGO_ENABLED: '0' },
      timeout: 240_000,
    });
    expect(stdout).toMatch(/^ok\s/m);
  });
});
