import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricStats } from '../../harness/load/histogram.js';
import {
  evaluate,
  formatMs,
  loadProfile,
  parseCliThresholds,
  parseExpression,
  parseProfile,
  ThresholdError,
  type Threshold,
} from '../../harness/load/thresholds.js';

const ok = (source: string) => {
  const r = parseExpression(source);
  if ('problem' in r) throw new Error(r.problem.message);
  return r.threshold;
};
const problem = (source: string) => {
  const r = parseExpression(source);
  if (!('problem' in r)) throw new Error(`accepted: ${source}`);
  return r.problem;
};
const problems = (text: string) => {
  try {
    parseProfile(text, 'scenarios/load/x.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ThresholdError);
    return (e as ThresholdError).message.split('\n');
  }
  throw new Error('accepted');
};

describe('threshold expressions', () => {
  it('parses latencies in us, ms, s, m (bare numbers are ms)', () => {
    expect(ok('p95(replication) < 2s')).toMatchObject({
      stat: 'p95',
      metric: 'replication',
      op: '<',
      value: 2000,
    });
    expect(ok('p50(peering)<=250ms')).toMatchObject({ op: '<=', value: 250 });
    expect(ok('  max(http_node) < 1.5 ')).toMatchObject({ value: 1.5 });
    expect(ok('p99(dns) < 800us').value).toBeCloseTo(0.8);
    expect(ok('p99(provisioning) < 2m').value).toBe(120_000);
  });

  it('parses counts, rates, throughput and ratios to the baselines', () => {
    expect(ok('errors(peering) == 0')).toMatchObject({ stat: 'errors', op: '==', value: 0 });
    expect(ok('error_rate(http_node) <= 1%').value).toBeCloseTo(0.01);
    expect(ok('error_rate(http_node) <= 0.02').value).toBe(0.02);
    expect(ok('rps(http_repos) > 100')).toMatchObject({ stat: 'rps', value: 100 });
    expect(ok('ratio_p95(replication) < 3x')).toMatchObject({ stat: 'ratio_p95', value: 3 });
  });

  it('says what is wrong, at which column', () => {
    expect(problem('p95 replication < 2s')).toMatchObject({
      column: 1,
      message: expect.stringMatching(/expected <stat>\(<metric>\)/),
    });
    expect(problem('p96(replication) < 2s')).toMatchObject({
      column: 1,
      message: expect.stringMatching(/unknown statistic "p96".*did you mean p90\?/),
    });
    expect(problem('p95(replcation) < 2s')).toMatchObject({
      column: 5,
      message: expect.stringMatching(/unknown metric "replcation" \(did you mean replication\?\)/),
    });
    expect(problem('p95(replication) < 2 s').column).toBe(1); // a space in the value: not the grammar
    expect(problem('p95(replication) < 2h')).toMatchObject({
      column: 20,
      message: expect.stringMatching(/us, ms, s or m/),
    });
    expect(problem('errors(peering) == 1.5')).toMatchObject({
      message: expect.stringMatching(/whole number/),
    });
    expect(problem('ratio_p50(peering) < 2')).toMatchObject({
      column: 11,
      message: expect.stringMatching(/needs a metric with a baseline/),
    });
    expect(problem('rps(http_node) > 5ms')).toMatchObject({ message: expect.stringMatching(/plain number/) });
  });
});

describe('threshold profiles', () => {
  it('reads a list of expressions, remembering file:line of each', () => {
    const list = parseProfile(
      '# comment\ndescription: x\nthresholds:\n  - p95(replication) < 2s\n  - "errors(peering) == 0"\n',
      'scenarios/load/x.yaml',
    );
    expect(list.map((t) => t.origin)).toEqual(['scenarios/load/x.yaml:4', 'scenarios/load/x.yaml:5']);
  });

  it('reports every problem as file:line:column, columns pointing into the expression', () => {
    expect(
      problems(
        'thresholds:\n  - p95(replcation) < 2s\n  - "p96(peering) < 1s"\n  - 42\n  - p50(dns) < 3 parsecs\n',
      ),
    ).toEqual([
      expect.stringMatching(
        /^scenarios\/load\/x\.yaml:2:9: unknown metric "replcation" \(did you mean replication\?\)/,
      ),
      expect.stringMatching(/^scenarios\/load\/x\.yaml:3:6: unknown statistic "p96"/),
      'scenarios/load/x.yaml:4:5: each threshold is a string such as "p95(replication) < 2s"',
      expect.stringMatching(/^scenarios\/load\/x\.yaml:5:5: expected <stat>\(<metric>\) <op> <value>/),
    ]);
  });

  it('rejects unknown fields, a missing list and broken YAML', () => {
    expect(problems('treshold:\n  - p50(dns) < 1s\n')).toEqual([
      'scenarios/load/x.yaml:1:1: unknown field "treshold" (did you mean thresholds?)',
      'scenarios/load/x.yaml:1:1: `thresholds` must be a list of expressions such as "p95(replication) < 2s"',
    ]);
    expect(problems('thresholds: [p50(dns) < 1s\n')[0]).toMatch(/^scenarios\/load\/x\.yaml:\d+:\d+: /);
    expect(problems('- p50(dns) < 1s\n')).toEqual([
      'scenarios/load/x.yaml:1:1: expected a mapping with `thresholds:` (a list)',
    ]);
  });

  it('the shipped profiles parse', async () => {
    for (const name of ['default', 'ci', 'scale']) {
      const list = await loadProfile(join(process.cwd(), 'scenarios/load', `${name}.yaml`));
      expect(list.length).toBeGreaterThan(3);
      expect(list[0]!.origin).toMatch(new RegExp(`^scenarios/load/${name}\\.yaml:\\d+$`));
    }
  });

  it('loadProfile names the file as given relative to the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oneclick-thr-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'thresholds:\n  - p50(peering) < 1 ms\n');
    await expect(loadProfile(file)).rejects.toThrow(`${file}:2:5: expected <stat>`);
  });

  it('command-line thresholds are numbered', () => {
    expect(parseCliThresholds(['p50(peering) < 1ms'])[0]!.origin).toBe('--threshold #1');
    expect(() => parseCliThresholds(['p50(peering) < 1ms', 'p50(x) < 1'])).toThrow(
      /^--threshold:2:5: unknown metric "x"/,
    );
  });
});

describe('evaluate', () => {
  const stats = (o: Partial<MetricStats>): MetricStats => ({
    count: 10,
    errors: 0,
    min: 1,
    mean: 5,
    p50: 5,
    p90: 9,
    p95: 9.5,
    p99: 9.9,
    max: 10,
    ...o,
  });
  const metrics = {
    peering: stats({ p50: 40 }),
    replication: stats({ p50: 900, p95: 1800 }),
    baseline_replication: stats({ p50: 300, p95: 600 }),
    http_node: stats({ count: 99, errors: 1, rps: 150 }),
  };
  const judge = (exprs: string[]) => evaluate(parseCliThresholds(exprs), metrics);

  it('passes and fails by the observed value, with readable messages', () => {
    const [a, b, c, d, e] = judge([
      'p95(replication) < 2s',
      'p50(peering) < 1ms',
      'ratio_p95(replication) <= 3x',
      'error_rate(http_node) <= 1%',
      'rps(http_node) > 200',
    ]);
    expect(a).toMatchObject({
      pass: true,
      observed: 1800,
      message: 'p95(replication) < 2s: observed 1.80 s (ok)',
    });
    expect(b).toMatchObject({ pass: false, message: 'p50(peering) < 1ms: observed 40 ms (FAILED)' });
    expect(c).toMatchObject({ pass: true, observed: 3, message: expect.stringContaining('3.00x') });
    expect(d).toMatchObject({ pass: true, observed: 0.01 });
    expect(e).toMatchObject({ pass: false, observed: 150 });
  });

  it('a metric that was not measured fails the threshold', () => {
    const [r] = judge(['p95(provisioning) < 1m']);
    expect(r).toMatchObject({ pass: false, observed: undefined });
    expect(r!.message).toMatch(/provisioning was not measured/);
    const [q] = evaluate([{ ...(parseCliThresholds(['ratio_p50(provisioning) < 2'])[0] as Threshold) }], {
      provisioning: stats({}),
    });
    expect(q!.message).toMatch(/provisioning or baseline_provisioning was not measured/);
  });

  it('formats milliseconds', () => {
    expect([formatMs(0.12), formatMs(4.5), formatMs(40.4), formatMs(2310)]).toEqual([
      '0.120 ms',
      '4.5 ms',
      '40 ms',
      '2.31 s',
    ]);
  });
});
