/**
 * What a load run writes: `load.json` (the summary, the one thing `oneclick load check` reads),
 * `junit.xml` (one test case per threshold) and `load.html` (a self-contained page: tables, and per
 * metric an inline SVG of latency over time and a histogram; no external assets, no scripts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  junitTimestamp,
  junitXml as renderJunitXml,
  type Suite,
  type TestCase,
} from '../report/junit-xml.js';
import type { MetricStats, Sample } from './histogram.js';
import type { ObservationCost } from './provision.js';
import type { Usage } from './resources.js';
import { formatMs, type ThresholdResult } from './thresholds.js';

export const REPORT_VERSION = 1;

export interface ResourceReport extends Usage {
  perOrg: { memoryMiB: number; cpuMillicores: number };
}

export interface MetricReport extends MetricStats {
  /** What was timed, in words. */
  description: string;
  /** HdrHistogram compressed base64 (microseconds), when measured by oneclick itself. */
  histogram?: string;
}

export interface ThresholdVerdict {
  source: string;
  origin: string;
  observed: number | null;
  pass: boolean;
  message: string;
}

export interface K6Report {
  status: 'not-requested' | 'absent' | 'ran' | 'failed';
  message: string;
  binary?: string;
  script?: string;
  summaryFile?: string;
}

export interface LoadReport {
  version: number;
  runId: string;
  seed: number;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  command: string;
  options: Record<string, unknown>;
  provider: { name: string; version: string; image: string } | null;
  topology: { lans: Array<{ name: string; nat: string }>; peers: Array<{ name: string; lan: string }> };
  orgs: string[];
  /** The orgs the provider served within the burst's deadline (records + HTTP with the NID). */
  served: string[];
  /** What watching the burst cost the harness (per poll, per org). */
  observation?: ObservationCost;
  /** Memory and idle CPU of the served org-nodes and the host, once the burst was served. */
  resources?: ResourceReport;
  metrics: Record<string, MetricReport>;
  /** metric → p50/p95 over its baseline measured in the same run. */
  ratios: Record<string, { baseline: string; p50: number | null; p95: number | null }>;
  samples: Record<string, Sample[]>;
  thresholds: ThresholdVerdict[];
  /** True when every threshold held (and there was at least one measurement). */
  passed: boolean;
  k6: K6Report;
  /** Things a reader should know (a skipped part, a fault applied, a harness error). */
  notes: string[];
  error?: string;
}

export function verdicts(results: readonly ThresholdResult[]): ThresholdVerdict[] {
  return results.map((r) => ({
    source: r.threshold.source,
    origin: r.threshold.origin,
    observed: r.observed ?? null,
    pass: r.pass,
    message: r.message,
  }));
}

export interface WrittenReport {
  json: string;
  junit: string;
  html: string;
}

export async function writeReports(dir: string, report: LoadReport): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const files = {
    json: join(dir, 'load.json'),
    junit: join(dir, 'junit.xml'),
    html: join(dir, 'load.html'),
  };
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.junit, junitXml(report));
  await writeFile(files.html, loadHtml(report));
  return files;
}

/** JUnit XML: suite `oneclick load`, one case per threshold, plus one for a harness error. */
export function junitXml(report: LoadReport): string {
  const cases: TestCase[] = report.thresholds.map((t) => ({
    classname: 'oneclick.load.thresholds',
    name: t.source,
    outcome: t.pass
      ? { kind: 'pass' }
      : { kind: 'failure', type: 'threshold', message: t.message, text: `${t.message} (${t.origin})` },
  }));
  if (report.error) {
    cases.push({
      classname: 'oneclick.load',
      name: 'run',
      timeMs: report.durationMs,
      outcome: { kind: 'error', type: 'harness', message: report.error, text: '' },
    });
  }
  const metrics = Object.entries(report.metrics).map(([name, m]) => [
    name,
    `p50=${m.p50}ms p95=${m.p95}ms count=${m.count} errors=${m.errors}`,
  ]);
  const suite: Suite = {
    name: `oneclick load ${report.runId}`,
    timeMs: report.durationMs,
    timestamp: junitTimestamp(report.startedAt),
    properties: { seed: report.seed, ...Object.fromEntries(metrics) },
    cases,
  };
  return renderJunitXml('oneclick load', [suite]);
}

const h = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** The self-contained HTML page. */
export function loadHtml(report: LoadReport): string {
  const rows = Object.entries(report.metrics)
    .map(
      ([name, m]) =>
        `<tr><th>${h(name)}</th><td>${m.count}</td><td>${m.errors}</td><td>${formatMs(m.p50)}</td><td>${formatMs(m.p90)}</td>` +
        `<td>${formatMs(m.p95)}</td><td>${formatMs(m.p99)}</td><td>${formatMs(m.max)}</td><td>${m.rps ?? ''}</td><td class="d">${h(m.description)}</td></tr>`,
    )
    .join('\n');
  const ratios = Object.entries(report.ratios)
    .map(
      ([name, r]) =>
        `<tr><th>${h(name)}</th><td>${h(r.baseline)}</td><td>${r.p50 === null ? '–' : `${r.p50.toFixed(2)}×`}</td><td>${r.p95 === null ? '–' : `${r.p95.toFixed(2)}×`}</td></tr>`,
    )
    .join('\n');
  const thresholds = report.thresholds
    .map(
      (t) =>
        `<tr class="${t.pass ? 'pass' : 'fail'}"><td>${t.pass ? 'pass' : 'FAIL'}</td><td class="l"><code>${h(t.source)}</code></td><td class="l">${h(t.message)}</td><td class="l">${h(t.origin)}</td></tr>`,
    )
    .join('\n');
  const plots = Object.keys(report.metrics)
    .filter((name) => (report.samples[name]?.length ?? 0) > 0)
    .map(
      (name) =>
        `<section><h3>${h(name)}</h3><div class="plots">${timeSvg(report.samples[name]!)}${histogramSvg(report.samples[name]!)}</div></section>`,
    )
    .join('\n');
  const status = report.error ? 'error' : report.passed ? 'passed' : 'failed';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oneclick load ${h(report.runId)}: ${status}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{text-align:left;background:#f4f4f4}td{white-space:nowrap}td.d{text-align:left;color:#555;white-space:normal}td.l{text-align:left}
tr.pass td:first-child{color:#080;font-weight:bold}tr.fail td:first-child{color:#c00;font-weight:bold}
.status{font-weight:bold;color:${report.passed && !report.error ? '#080' : '#c00'}}
.plots{display:flex;flex-wrap:wrap;gap:1em}svg{background:#fafafa;border:1px solid #ddd}
svg text{font:11px system-ui,sans-serif;fill:#444}code{font-size:13px}
</style></head><body>
<h1>oneclick load <span class="status">${status}</span></h1>
<p>run <code>${h(report.runId)}</code>, seed ${report.seed}, ${h(report.startedAt)} – ${h(report.endedAt)}
(${(report.durationMs / 1000).toFixed(1)} s); provider ${report.provider ? `${h(report.provider.name)} ${h(report.provider.version)}` : '–'};
${report.orgs.length} orgs, ${report.topology.peers.length} peers in ${report.topology.lans.length} LANs
(${h(report.topology.lans.map((l) => `${l.name}: ${l.nat}`).join(', '))}).</p>
<p><code>${h(report.command)}</code></p>
${report.error ? `<p class="status">harness error: ${h(report.error)}</p>` : ''}
<h2>Thresholds</h2>
<table><tr><th>verdict</th><th>threshold</th><th>observed</th><th>from</th></tr>
${thresholds || '<tr><td colspan="4">none</td></tr>'}</table>
<h2>Metrics</h2>
<table><tr><th>metric</th><th>count</th><th>errors</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>req/s</th><th>what</th></tr>
${rows}</table>
<h2>Against the baselines (same run)</h2>
<table><tr><th>metric</th><th>baseline</th><th>p50 ratio</th><th>p95 ratio</th></tr>
${ratios || '<tr><td colspan="4">no baseline measured</td></tr>'}</table>
<h2>k6</h2><p>${h(report.k6.status)}: ${h(report.k6.message)}</p>
${report.notes.length ? `<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
<h2>Plots</h2>
<p>Left: each sample's latency at the time it was taken (s since the measurements began; log scale
when the values span more than a decade). Right: how many samples fell in each latency bin.</p>
${plots || '<p>no samples</p>'}
</body></html>
`;
}

const W = 460;
const H = 220;
const M = { l: 56, r: 28, t: 12, b: 34 };

/** Latency over time: a scatter of kept samples. */
export function timeSvg(samples: readonly Sample[]): string {
  const xs = samples.map((s) => s.t / 1000);
  const ys = samples.map((s) => s.v);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const scale = yScale(ys);
  const px = (x: number) => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const dots = samples
    .map((s) => `<circle cx="${px(s.t / 1000).toFixed(1)}" cy="${scale.y(s.v).toFixed(1)}" r="2"/>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="latency over time">` +
    axes(
      scale.ticks,
      scale.y,
      [x0, x1].map((x) => ({ x: px(x), label: `${x.toFixed(0)} s` })),
    ) +
    `<g fill="#1f77b4" fill-opacity="0.6">${dots}</g>` +
    `<text x="${W / 2}" y="${H - 4}" text-anchor="middle">time (s)</text></svg>`
  );
}

/** Histogram: counts per bin (log-spaced bins when the values span more than a decade). */
export function histogramSvg(samples: readonly Sample[], bins = 24): string {
  const ys = samples.map((s) => s.v);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const log = lo > 0 && hi / lo > 10;
  const f = (v: number) => (log ? Math.log10(v) : v);
  const [a, b] = [f(lo), f(hi) === f(lo) ? f(lo) + 1 : f(hi)];
  const counts = new Array<number>(bins).fill(0);
  for (const v of ys) counts[Math.min(bins - 1, Math.floor(((f(v) - a) / (b - a)) * bins))]! += 1;
  const top = Math.max(...counts, 1);
  const bw = (W - M.l - M.r) / bins;
  const bars = counts
    .map((c, i) => {
      const bh = (c / top) * (H - M.t - M.b);
      return `<rect x="${(M.l + i * bw).toFixed(1)}" y="${(H - M.b - bh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"/>`;
    })
    .join('');
  const inv = (u: number) => (log ? 10 ** u : u);
  const xt = [0, bins / 2, bins].map((i) => ({
    x: M.l + i * bw,
    label: formatMs(inv(a + ((b - a) * i) / bins)),
  }));
  const yt = [0, top].map((c) => ({ v: c, label: String(c) }));
  const py = (c: number) => H - M.b - (c / top) * (H - M.t - M.b);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="latency histogram">` +
    axes(yt, py, xt) +
    `<g fill="#ff7f0e">${bars}</g>` +
    `<text x="${W / 2}" y="${H - 4}" text-anchor="middle">latency${log ? ' (log bins)' : ''}</text></svg>`
  );
}

function yScale(ys: readonly number[]) {
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const log = lo > 0 && hi / lo > 10;
  const f = (v: number) => (log ? Math.log10(v) : v);
  const a = log ? Math.floor(f(lo)) : 0;
  const b = log ? Math.ceil(f(hi)) : hi > 0 ? hi * 1.05 : 1;
  const y = (v: number) => H - M.b - ((f(v) - a) / (b - a || 1)) * (H - M.t - M.b);
  const ticks = log
    ? Array.from({ length: b - a + 1 }, (_, i) => ({ v: 10 ** (a + i), label: formatMs(10 ** (a + i)) }))
    : [0, b / 2, b].map((v) => ({ v, label: formatMs(v) }));
  return { y, ticks };
}

function axes(
  yTicks: ReadonlyArray<{ v: number; label: string }>,
  y: (v: number) => number,
  xTicks: ReadonlyArray<{ x: number; label: string }>,
): string {
  const yl = yTicks
    .map(
      (t) =>
        `<line x1="${M.l}" x2="${W - M.r}" y1="${y(t.v).toFixed(1)}" y2="${y(t.v).toFixed(1)}" stroke="#e3e3e3"/>` +
        `<text x="${M.l - 4}" y="${(y(t.v) + 4).toFixed(1)}" text-anchor="end">${h(t.label)}</text>`,
    )
    .join('');
  const xl = xTicks
    .map((t) => `<text x="${t.x.toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle">${h(t.label)}</text>`)
    .join('');
  return (
    `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#888"/>` +
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#888"/>${yl}${xl}`
  );
}
