/** The lines `oneclick load` prints on stdout at the end: figures, ratios, verdicts, files. */
import type { LoadReport, WrittenReport } from './report.js';
import { formatMs } from './thresholds.js';

export function printSummary(report: LoadReport, files: WrittenReport): string {
  const lines: string[] = [];
  const status = report.error ? 'ERROR' : report.passed ? 'PASSED' : 'FAILED';
  lines.push(
    `oneclick load ${status}: run ${report.runId}, seed ${report.seed}, ${report.orgs.length} orgs, ` +
      `${report.topology.peers.length} peers in ${report.topology.lans.length} LANs, ${(report.durationMs / 1000).toFixed(0)} s`,
  );
  if (report.error) lines.push(`harness error: ${report.error}`);
  const names = Object.keys(report.metrics);
  const width = Math.max(8, ...names.map((n) => n.length));
  lines.push(
    `${'metric'.padEnd(width)}  ${['count', 'errors', 'p50', 'p90', 'p95', 'p99', 'max'].map((s) => s.padStart(9)).join('')}  req/s`,
  );
  for (const [name, m] of Object.entries(report.metrics)) {
    const cells = [String(m.count), String(m.errors), ...[m.p50, m.p90, m.p95, m.p99, m.max].map(formatMs)];
    lines.push(`${name.padEnd(width)}  ${cells.map((c) => c.padStart(9)).join('')}  ${m.rps ?? ''}`);
  }
  for (const [name, r] of Object.entries(report.ratios)) {
    lines.push(
      `ratio ${name} / ${r.baseline}: p50 ${r.p50 === null ? '–' : `${r.p50.toFixed(2)}x`}, p95 ${r.p95 === null ? '–' : `${r.p95.toFixed(2)}x`}`,
    );
  }
  for (const t of report.thresholds) lines.push(`${t.pass ? 'ok  ' : 'FAIL'} ${t.message} [${t.origin}]`);
  if (report.k6.status !== 'not-requested') lines.push(`k6 ${report.k6.status}: ${report.k6.message}`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  lines.push(`wrote ${files.json}, ${files.junit}, ${files.html}`);
  return lines.join('\n');
}
