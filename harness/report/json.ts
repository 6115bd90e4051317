/**
 * results.json: the results model as it is, pretty-printed, keys in the model's order (whatever order
 * the runner built its objects in), so two runs diff line by line. Free-form maps (observed, facts,
 * logs) keep their own order. Fields the model gains later are kept, after the known ones.
 */
import type {
  CertificationResults,
  Evidence,
  RequirementResult,
  ScenarioResult,
  StepResult,
} from './model.js';

type Keys<T> = readonly (keyof T)[];

const RESULTS_KEYS: Keys<CertificationResults> = [
  'schema',
  'provider',
  'harness',
  'seed',
  'profile',
  'repeat',
  'startedAt',
  'endedAt',
  'durationMs',
  'outcome',
  'requirements',
  'scenarios',
  'mustFail',
];
const PROVIDER_KEYS: Keys<CertificationResults['provider']> = [
  'name',
  'version',
  'image',
  'imageDigest',
  'dir',
];
const HARNESS_KEYS: Keys<CertificationResults['harness']> = ['name', 'version', 'node', 'docker'];
const REQUIREMENT_KEYS: Keys<RequirementResult> = [
  'id',
  'level',
  'title',
  'verdict',
  'scenarios',
  'evidence',
  'runs',
];
const SCENARIO_KEYS: Keys<ScenarioResult & { repetition: number }> = [
  'id',
  'title',
  'file',
  'status',
  'error',
  'startedAt',
  'endedAt',
  'durationMs',
  'steps',
  'proves',
  'evidence',
  'logs',
  'repetition',
];
const STEP_KEYS: Keys<StepResult> = [
  'index',
  'line',
  'kind',
  'summary',
  'startedAt',
  'endedAt',
  'blockStart',
  'blockEnd',
  'status',
  'error',
  'facts',
];
const EVIDENCE_KEYS: Keys<Evidence> = [
  'requirement',
  'scenario',
  'step',
  'line',
  'verdict',
  'expected',
  'observed',
  'deadline',
  'elapsedMs',
  'at',
  'block',
  'message',
];
const DEADLINE_KEYS: Keys<NonNullable<Evidence['deadline']>> = ['name', 'seconds', 'blocks'];

/** `value` with `keys` first, in that order, then any other keys it has; undefined values dropped. */
function ordered<T extends object>(value: T, keys: Keys<T>): T {
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of [...(keys as readonly string[]), ...Object.keys(record)]) {
    if (!(key in out) && record[key] !== undefined) out[key] = record[key];
  }
  return out as T;
}

const orderEvidence = (e: Evidence): Evidence =>
  ordered({ ...e, ...(e.deadline && { deadline: ordered(e.deadline, DEADLINE_KEYS) }) }, EVIDENCE_KEYS);

/** The results with every object's keys in model order. */
export function orderResults(results: CertificationResults): CertificationResults {
  return ordered(
    {
      ...results,
      provider: ordered(results.provider, PROVIDER_KEYS),
      harness: ordered(results.harness, HARNESS_KEYS),
      requirements: results.requirements.map((r) =>
        ordered({ ...r, evidence: r.evidence.map(orderEvidence) }, REQUIREMENT_KEYS),
      ),
      scenarios: results.scenarios.map((s) =>
        ordered(
          {
            ...s,
            steps: s.steps.map((step) => ordered(step, STEP_KEYS)),
            evidence: s.evidence.map(orderEvidence),
          },
          SCENARIO_KEYS,
        ),
      ),
    },
    RESULTS_KEYS,
  );
}

/** The text of results.json. */
export function renderJson(results: CertificationResults): string {
  const bigints = (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
  return `${JSON.stringify(orderResults(results), bigints, 2)}\n`;
}
