import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findK6, foldK6Summary, K6_SCRIPT, k6AbsentMessage, runK6 } from '../../harness/load/k6.js';

/** k6's --summary-export for a run of 1000 requests, 10 failed, over 10 s. */
const SUMMARY = {
  metrics: {
    http_req_duration: { avg: 12.5, min: 1.2, med: 10.1, max: 250, 'p(90)': 20, 'p(95)': 30.25, 'p(99)': 80 },
    http_reqs: { count: 1000, rate: 99.87 },
    http_req_failed: { passes: 10, fails: 990, value: 0.01 },
  },
};

/** A stand-in `k6` that records its arguments and writes SUMMARY where --summary-export says. */
async function fakeK6(dir: string): Promise<string> {
  const bin = join(dir, 'k6');
  await writeFile(
    bin,
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\nwhile [ $# -gt 0 ]; do\n  if [ "$1" = --summary-export ]; then out="$2"; fi\n  shift\ndone\n` +
      `echo 'running (fake k6)'\ncat > "$out" <<'JSON'\n${JSON.stringify(SUMMARY)}\nJSON\n`,
  );
  await chmod(bin, 0o755);
  return bin;
}

describe('k6 bridge', () => {
  it('finds no k6 on a PATH without one, and says so clearly (never downloading it)', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'oneclick-nok6-'));
    expect(await findK6(empty)).toBeUndefined();
    const message = k6AbsentMessage(empty);
    expect(message).toContain(`k6 was not found on PATH (${empty})`);
    expect(message).toContain('never downloads it');
    expect(message).toContain('autocannon');
    expect(message).toContain(K6_SCRIPT);
  });

  it('finds an executable k6 on PATH', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oneclick-k6-'));
    const bin = await fakeK6(dir);
    expect(await findK6(`/nonexistent:${dir}`)).toBe(bin);
  });

  it('folds a summary export into the report stats (ms, failed requests as errors, rate as rps)', () => {
    expect(foldK6Summary(SUMMARY)).toEqual({
      count: 990,
      errors: 10,
      min: 1.2,
      mean: 12.5,
      p50: 10.1,
      p90: 20,
      p95: 30.25,
      p99: 80,
      max: 250,
      rps: 99.9,
    });
    expect(() => foldK6Summary({ metrics: {} })).toThrow(/no http_req_duration/);
  });

  it('runs k6 with the endpoints and the shipped script, and reads its export', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oneclick-k6-'));
    const bin = await fakeK6(dir);
    const lines: string[] = [];
    const out = await runK6({
      binary: bin,
      targets: [{ address: '198.51.100.40', host: 'abc.oneclick.test' }],
      durationSeconds: 5,
      vus: 3,
      summaryFile: join(dir, 'summary.json'),
      onLine: (l) => lines.push(l),
    });
    expect(out.exitCode).toBe(0);
    expect(out.stats.p95).toBe(30.25);
    expect(lines).toContain('running (fake k6)');
    const args = (await readFile(join(dir, 'args'), 'utf8')).trim().split('\n');
    expect(args[0]).toBe('run');
    expect(args).toContain('--summary-export');
    expect(args).toContain('ONECLICK_TARGETS=[{"address":"198.51.100.40","host":"abc.oneclick.test"}]');
    expect(args).toContain('ONECLICK_DURATION=5s');
    expect(args).toContain('ONECLICK_VUS=3');
    expect(args[args.length - 1]).toBe(K6_SCRIPT);
  });

  it('a k6 that writes no export is an error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oneclick-k6-'));
    const bin = join(dir, 'k6');
    await writeFile(bin, '#!/bin/sh\necho boom >&2\nexit 107\n');
    await chmod(bin, 0o755);
    await expect(
      runK6({ binary: bin, targets: [], durationSeconds: 1, vus: 1, summaryFile: join(dir, 'none.json') }),
    ).rejects.toThrow(/k6 exited 107 without writing .*none\.json:\nboom/);
  });
});
