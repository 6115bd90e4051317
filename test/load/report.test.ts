import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../harness/load/histogram.js';
import {
  histogramSvg,
  junitXml,
  loadHtml,
  writeReports,
  type LoadReport,
} from '../../harness/load/report.js';
import { printSummary } from '../../harness/load/summary.js';

function sampleReport(over: Partial<LoadReport> = {}): LoadReport {
  const peering = new LatencyHistogram(1);
  for (let i = 0; i < 50; i++) peering.record(20 + i * 3, i * 100);
  const replication = new LatencyHistogram(2);
  for (let i = 0; i < 10; i++) replication.record(500 + i * 200, i * 1000);
  const baseline = new LatencyHistogram(3);
  for (let i = 0; i < 10; i++) baseline.record(300 + i * 10, i * 1000);
  const m = (h: LatencyHistogram, description: string) => ({
    ...h.stats(),
    description,
    histogram: h.encoded(),
  });
  return {
    version: 1,
    runId: 'load-abc',
    seed: 7,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:02:00.000Z',
    durationMs: 120_000,
    command: 'oneclick load --provider x --orgs 3 --peers 4',
    options: {},
    provider: { name: 'reference', version: '0.1.0', image: 'img' },
    topology: { lans: [{ name: 'lan1', nat: 'symmetric' }], peers: [{ name: 'peer1', lan: 'lan1' }] },
    orgs: ['0x1'],
    served: ['0x1'],
    metrics: {
      peering: m(peering, 'dial → session'),
      replication: m(replication, 'push → <peer> & "reader"'),
      baseline_replication: m(baseline, 'direct'),
    },
    ratios: { replication: { baseline: 'baseline_replication', p50: 3.1, p95: 4.2 } },
    samples: {
      peering: peering.samples(),
      replication: replication.samples(),
      baseline_replication: baseline.samples(),
    },
    thresholds: [
      {
        source: 'p95(replication) < 2s',
        origin: 'ci.yaml:3',
        observed: 2300,
        pass: false,
        message: 'p95(replication) < 2s: observed 2.30 s (FAILED)',
      },
      {
        source: 'p50(peering) < 1s',
        origin: 'ci.yaml:4',
        observed: 90,
        pass: true,
        message: 'p50(peering) < 1s: observed 90 ms (ok)',
      },
    ],
    passed: false,
    k6: { status: 'absent', message: 'k6 was not found on PATH' },
    notes: ['latency 50 ms on router'],
    ...over,
  };
}

describe('load reports', () => {
  it('junit.xml: one case per threshold, failures counted, XML escaped', () => {
    const xml = junitXml(sampleReport());
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="oneclick load" tests="2" failures="1" errors="0">/,
    );
    expect(xml).toContain(
      '<testcase classname="oneclick.load.thresholds" name="p95(replication) &lt; 2s" time="0">',
    );
    expect(xml).toContain(
      '<failure message="p95(replication) &lt; 2s: observed 2.30 s (FAILED)" type="threshold">',
    );
    expect(xml).toContain(
      '<testcase classname="oneclick.load.thresholds" name="p50(peering) &lt; 1s" time="0"></testcase>',
    );
    expect(xml).toContain('<property name="seed" value="7"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  });

  it('junit.xml: a harness error is an <error> case', () => {
    const xml = junitXml(sampleReport({ thresholds: [], error: 'docker <went> away' }));
    expect(xml).toContain('tests="1" failures="0" errors="1"');
    expect(xml).toContain('<error message="docker &lt;went&gt; away" type="harness"/>');
  });

  it('load.html is self-contained: inline SVG plots, no scripts, no external references', () => {
    const html = loadHtml(sampleReport());
    expect(html).toContain('<title>oneclick load load-abc: failed</title>');
    expect(html.match(/<svg /g)?.length).toBe(6); // time + histogram for each of 3 metrics
    expect(html).toContain('aria-label="latency over time"');
    expect(html).toContain('aria-label="latency histogram"');
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('push → &lt;peer&gt; &amp; &quot;reader&quot;');
    expect(html).toContain('3.10×');
    expect(html).toContain('k6 was not found on PATH');
  });

  it('the histogram puts every sample in a bar', () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({ t: i, v: 1 + i }));
    const svg = histogramSvg(samples, 10);
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(10);
    expect(heights.some((x) => x > 0)).toBe(true);
    expect(svg).toContain('(log bins)');
  });

  it('writes load.json, junit.xml and load.html; load.json round-trips', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oneclick-load-report-'));
    const report = sampleReport();
    const files = await writeReports(join(dir, 'out'), report);
    expect(JSON.parse(await readFile(files.json, 'utf8'))).toEqual(report);
    expect(await readFile(files.junit, 'utf8')).toContain('<testsuites');
    expect(await readFile(files.html, 'utf8')).toContain('<!doctype html>');
    const text = printSummary(report, files);
    expect(text).toMatch(/^oneclick load FAILED: run load-abc, seed 7/);
    expect(text).toContain('ratio replication / baseline_replication: p50 3.10x, p95 4.20x');
    expect(text).toContain('FAIL p95(replication) < 2s: observed 2.30 s (FAILED) [ci.yaml:3]');
  });
});
