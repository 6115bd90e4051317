/** With `--k6`: one k6 run over the published orgs' HTTP, folded into the report as `k6_http`. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findK6, k6AbsentMessage, runK6 } from './k6.js';
import { METRIC_DESCRIPTIONS, type Meter } from './meter.js';
import type { LoadOptions } from './options.js';
import type { LoadReport } from './report.js';

export async function k6Round(
  o: LoadOptions,
  targets: Array<{ address: string; host: string }>,
  report: LoadReport,
  { notes, progress }: Pick<Meter, 'notes' | 'progress'>,
): Promise<void> {
  const binary = await findK6();
  if (!binary) {
    const message = k6AbsentMessage();
    report.k6 = { status: 'absent', message };
    progress(message);
    return;
  }
  progress(`k6: ${binary} run for ${o.httpSeconds * 2} s`);
  const summaryFile = join(o.outDir, 'k6-summary.json');
  try {
    await mkdir(o.outDir, { recursive: true });
    const out = await runK6({
      binary,
      targets,
      durationSeconds: o.httpSeconds * 2,
      vus: o.httpConnections,
      summaryFile,
      onLine: (line) => progress(`k6: ${line}`),
    });
    report.metrics.k6_http = { ...out.stats, description: METRIC_DESCRIPTIONS.k6_http! };
    report.k6 = {
      status: 'ran',
      message: `k6 exited ${out.exitCode}; its summary is folded in as k6_http`,
      binary,
      summaryFile,
    };
  } catch (error) {
    report.k6 = { status: 'failed', message: (error as Error).message, binary };
    notes.push(`k6 failed: ${(error as Error).message}`);
  }
}
