/** A load run's report: empty at the start, then metrics, ratios to the baselines and verdicts folded in. */
import { METRIC_DESCRIPTIONS, type Histograms } from './meter.js';
import type { LoadOptions } from './options.js';
import { REPORT_VERSION, verdicts, type LoadReport } from './report.js';
import { BASELINES, evaluate } from './thresholds.js';

export function newReport(o: LoadOptions, runId: string, startedAt: Date, notes: string[]): LoadReport {
  return {
    version: REPORT_VERSION,
    runId,
    seed: o.seed,
    startedAt: startedAt.toISOString(),
    endedAt: '',
    durationMs: 0,
    command: o.command,
    options: {
      provider: o.providerDir,
      orgs: o.orgs,
      peers: o.peers,
      nat: o.nat,
      latencyMs: o.latencyMs ?? 0,
      loss: o.loss ?? 0,
      iterations: o.iterations ?? null,
      durationSeconds: o.durationSeconds ?? null,
      httpSeconds: o.httpSeconds,
      httpConnections: o.httpConnections,
      k6: o.k6,
      maxMinutes: o.maxMinutes,
    },
    provider: null,
    topology: { lans: [], peers: [] },
    orgs: [],
    served: [],
    metrics: {},
    ratios: {},
    samples: {},
    thresholds: [],
    passed: false,
    k6: { status: 'not-requested', message: 'run with --k6 to add k6 (a k6 binary on PATH)' },
    notes,
  };
}

/** Every metric that saw a sample or an error, its ratio to its baseline, the thresholds' verdicts. */
export function conclude(report: LoadReport, h: Histograms, o: LoadOptions, startedAt: Date): void {
  for (const [name, hist] of Object.entries(h)) {
    if (hist.count === 0 && hist.errors === 0) continue;
    report.metrics[name] = {
      ...hist.stats(),
      description: METRIC_DESCRIPTIONS[name] ?? name,
      histogram: hist.encoded(),
    };
    report.samples[name] = hist.samples();
  }
  for (const [metric, baseline] of Object.entries(BASELINES)) {
    const m = report.metrics[metric];
    const b = report.metrics[baseline];
    if (!m || !b || !m.count || !b.count) continue;
    report.ratios[metric] = {
      baseline,
      p50: b.p50 ? round2(m.p50 / b.p50) : null,
      p95: b.p95 ? round2(m.p95 / b.p95) : null,
    };
  }
  const results = evaluate(o.thresholds, report.metrics);
  report.thresholds = verdicts(results);
  report.passed = !report.error && results.every((r) => r.pass);
  const ended = new Date();
  report.endedAt = ended.toISOString();
  report.durationMs = ended.getTime() - startedAt.getTime();
}

const round2 = (x: number) => Math.round(x * 100) / 100;
