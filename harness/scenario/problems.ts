/**
 * What scenario and profile files share beyond the YAML module (harness/yaml): the error they
 * throw and the durations they are written in.
 */
import { formatProblem, type Problem } from '../yaml/index.js';

/** One problem: `file:line:column: field: message` (see formatProblem). */
export type ScenarioProblem = Problem;
export { formatProblem };

/** Every problem of one or more scenario (or profile) files; `message` lists them one per line. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** How scenario and profile files word YAML's own problems. */
export const ONE_DOCUMENT = {
  oneDocument: 'one file holds one YAML document (remove the "---" separator)',
  nameDuplicateKeys: true,
} as const;

// --- durations -----------------------------------------------------------------------------------

const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
export const DURATION_HELP = 'a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds';

/** `2m` → 120, `1m30s` → 90, `500ms` → 0.5, `45` → 45; undefined when it is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let seconds = 0;
  for (const [, n, unit] of value.matchAll(DURATION_PART)) seconds += Number(n) * UNIT_SECONDS[unit!]!;
  return Math.round(seconds * 1000) / 1000;
}

/** A written duration that adds up to nothing (`0s`); a number 0 is the schema's to report. */
export function zeroDuration(value: unknown): boolean {
  return typeof value === 'string' && parseDuration(value) === 0;
}
