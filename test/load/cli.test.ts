/**
 * `oneclick load` end to end, as CI runs it: the reference provider, 3 orgs, 4 peers in LANs behind
 * two NAT presets, 2 iterations, held to the `ci` profile (exit 0, load.json/junit.xml/load.html);
 * then the same run judged by `oneclick load check` against an impossible threshold (exit 1).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerEngine } from '../../harness/docker/engine.js';
import { RUN_LABEL } from '../../harness/docker/labels.js';
import type { LoadReport } from '../../harness/load/report.js';
import { runCli } from '../helpers/cli.js';

const REFERENCE = 'fixtures/providers/reference';

describe('oneclick load (CLI)', () => {
  it('bad thresholds and flags are usage errors (exit 2), before anything is booted', async () => {
    const bad = await runCli(['load', '--provider', REFERENCE, '--threshold', 'p96(peering) < 1s']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold:1:1: unknown statistic "p96"');
    const nat = await runCli(['load', '--provider', REFERENCE, '--nat', 'full-cone']);
    expect(nat.code).toBe(2);
    expect(nat.stderr).toContain('--nat: unknown preset "full-cone" (port-restricted, symmetric)');
    const both = await runCli(['load', '--provider', REFERENCE, '--duration', '5', '--iterations', '2']);
    expect(both.code).toBe(2);
  });

  it('a small run passes the ci profile and writes its reports; an impossible threshold on it exits 1', async () => {
    const out = await mkdtemp(join(tmpdir(), 'oneclick-load-'));
    const r = await runCli(
      [
        'load',
        '--provider',
        REFERENCE,
        '--orgs',
        '3',
        '--peers',
        '4',
        '--nat',
        'port-restricted,symmetric',
        '--iterations',
        '2',
        '--http-seconds',
        '2',
        '--seed',
        '11',
        '--profile',
        'ci',
        '--k6',
        '--out',
        out,
      ],
      // No k6 here: --k6 must say so and go on with autocannon alone.
      {
        PATH: `${process.env.PATH ?? ''}`
          .split(':')
          .filter((d) => !d.includes('k6'))
          .join(':'),
      },
      600_000,
    );
    if (r.code !== 0) console.log(r.stdout, r.stderr.slice(-5000));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^oneclick load PASSED: run load-\w+, seed 11, 3 orgs, 4 peers in 2 LANs/);
    expect(r.stderr).toContain('[load] iteration 2 done');

    const report = JSON.parse(await readFile(join(out, 'load.json'), 'utf8')) as LoadReport;
    expect(report.passed).toBe(true);
    expect(report.seed).toBe(11);
    expect(report.topology.lans).toEqual([
      { name: 'lan1', nat: 'port-restricted' },
      { name: 'lan2', nat: 'symmetric' },
    ]);
    for (const metric of ['peering', 'replication', 'provisioning', 'http_node', 'http_repos']) {
      expect(report.metrics[metric]?.count, metric).toBeGreaterThan(0);
      expect(report.metrics[metric]?.errors, metric).toBe(0);
    }
    expect(report.ratios.replication?.baseline).toBe('baseline_replication');
    expect(report.ratios.provisioning?.p50).toBeGreaterThan(0);
    expect(report.k6.status).toBe('absent');
    expect(r.stderr).toContain('k6 was not found on PATH');
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toContain('failures="0" errors="0"');
    const html = await readFile(join(out, 'load.html'), 'utf8');
    expect(html).toContain('<svg ');
    expect(html).not.toMatch(/<script|src=/);
    // Nothing of the run is left.
    const left = await dockerEngine().listContainers({
      all: true,
      filters: { label: [`${RUN_LABEL}=${report.runId}`] },
    });
    expect(left).toEqual([]);
    // The TSIG secret never shows.
    expect(r.stdout + r.stderr).not.toMatch(/ONECLICK_DNS_TSIG=|hmac-sha256:[A-Za-z0-9+/]{20,}/);

    const check = await runCli([
      'load',
      'check',
      join(out, 'load.json'),
      '--threshold',
      'p50(peering) < 1ms',
      '--threshold',
      'p95(replication) < 10m',
    ]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/FAIL p50\(peering\) < 1ms: observed [\d.]+ m?s \(FAILED\)/);
    expect(check.stdout).toContain('1 passed, 1 failed');
    const again = await runCli(['load', 'check', join(out, 'load.json'), '--profile', 'ci']);
    expect(again.code).toBe(0);
  }, 900_000);
});
