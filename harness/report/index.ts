/**
 * Reports of a certification run: results.json, junit.xml and report.html, all from the one results
 * model, with the world's secrets taken out of every string before anything is written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import type { CertificateSummary, CertificationResults } from './model.js';
import { redactDeep, type Redact } from './text.js';

export type * from './model.js';
export { renderHtml } from './html.js';
export { orderResults, renderJson } from './json.js';
export { renderJunit } from './junit.js';
export {
  combineRepetitions,
  judgeRequirements,
  mutantMismatch,
  outcome,
  scenarioVerdicts,
  stableVerdictOf,
  verdictOf,
  type JudgeOptions,
  type MutantMismatch,
  type ScenarioRun,
} from './verdicts.js';

export interface ReportOptions {
  /** Applied to every string of the results (values and keys) and to every file's text: pass the world's redactor. */
  redact?: Redact;
  /** A signed certificate beside the results: shown in report.html, its digest a junit.xml property. */
  certificate?: CertificateSummary;
}

export interface ReportPaths {
  json: string;
  junit: string;
  html: string;
}

export const REPORT_FILES = { json: 'results.json', junit: 'junit.xml', html: 'report.html' } as const;

/**
 * Writes the three reports into `outDir` (created if missing) and returns their absolute paths.
 * Redaction runs on the strings before they are escaped and once more on each finished file, so a
 * secret survives neither as a value nor in anything built from values.
 */
export async function writeReports(
  results: CertificationResults,
  outDir: string,
  options: ReportOptions = {},
): Promise<ReportPaths> {
  const redact = options.redact ?? ((s: string) => s);
  const clean = redactDeep(results, redact);
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const paths: ReportPaths = {
    json: join(dir, REPORT_FILES.json),
    junit: join(dir, REPORT_FILES.junit),
    html: join(dir, REPORT_FILES.html),
  };
  await Promise.all([
    writeFile(paths.json, redact(renderJson(clean))),
    writeFile(paths.junit, redact(renderJunit(clean, options.certificate))),
    writeFile(paths.html, redact(renderHtml(clean, options.certificate))),
  ]);
  return paths;
}
