import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTimings, lastSetupTimings } from '../../harness/doctor/timings.js';

const run = promisify(execFile);
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('set-up timings', () => {
  it("bootstrap.sh's step timer writes what `doctor --timings` reads, also when a step fails", async () => {
    dir = await mkdtemp(join(tmpdir(), 'oneclick-timings-'));
    const bootstrap = await readFile('scripts/bootstrap.sh', 'utf8');
    const timer = /^# Each step's wall time[\s\S]*?^trap timings EXIT$/m.exec(bootstrap)?.[0];
    expect(timer).toBeDefined();
    const script = join(dir, 'steps.sh');
    await writeFile(script, `set -euo pipefail\n${timer}\nstep "first"\nstep "second"\nfalse\n`);
    const failed = await run('bash', [script], { env: { ...process.env, ONECLICK_CACHE: dir } }).catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /== set-up timings[\s\S]*s {2}first\n[\s\S]*s {2}second/,
    );
    const t = await lastSetupTimings(join(dir, 'setup-timings.json'));
    expect(t).toMatchObject({ exit: 1, steps: [{ step: 'first' }, { step: 'second' }] });
    expect(formatTimings(t!)).toMatch(
      /^set-up at .*: failed \(exit 1\) in \d+\.\d s\n +\d+\.\d s {2}first\n/,
    );
  });

  it('says what a file that is not its JSON is', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oneclick-timings-'));
    await writeFile(join(dir, 'setup-timings.json'), 'nope');
    await expect(lastSetupTimings(join(dir, 'setup-timings.json'))).rejects.toThrow(
      /not the JSON scripts\/bootstrap.sh writes/,
    );
    expect(await lastSetupTimings(join(dir, 'absent.json'))).toBeUndefined();
  });
});
