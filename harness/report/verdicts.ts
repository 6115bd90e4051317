/**
 * From evidence to verdicts: per requirement, over repetitions, and the run's outcome. Pure functions;
 * every reporter and the runner judge with these, so a verdict means the same thing everywhere.
 */
import { REQUIREMENTS, type Requirement } from '../spec/requirements.js';
import type {
  CertificationResults,
  Evidence,
  RequirementResult,
  ScenarioResult,
  StableVerdict,
  Verdict,
} from './model.js';

/** A scenario as far as judging cares: its id and the requirements its steps set out to prove. */
export interface ScenarioRun {
  id: string;
  proves: readonly string[];
}

export interface JudgeOptions {
  /** Every scenario that ran (also those that stopped early): a requirement it proves is at least `skip`. */
  scenariosRun: readonly ScenarioRun[];
  /** The registry to judge against; default: REQUIREMENTS (tests pass their own). */
  requirements?: readonly Requirement[];
}

/** `fail` if any check failed, else `pass` if any passed, else `skip` (nothing was checked). */
export function verdictOf(evidence: readonly Pick<Evidence, 'verdict'>[]): Verdict {
  if (evidence.some((e) => e.verdict === 'fail')) return 'fail';
  if (evidence.some((e) => e.verdict === 'pass')) return 'pass';
  return 'skip';
}

/**
 * One verdict over repetitions: `pass` only when every run passed; `flaky` when it passed in some runs
 * but not in all (failed, or was not reached); `fail` when it failed and never passed; `skip` when no
 * run checked it.
 */
export function stableVerdictOf(runs: readonly Verdict[]): StableVerdict {
  const passed = runs.some((v) => v === 'pass');
  if (passed) return runs.every((v) => v === 'pass') ? 'pass' : 'flaky';
  return runs.some((v) => v === 'fail') ? 'fail' : 'skip';
}

/**
 * A RequirementResult for every requirement of the registry, in registry order. Evidence for an ID the
 * registry does not know is a harness bug (scenarios are validated against it) and throws.
 */
export function judgeRequirements(evidence: readonly Evidence[], options: JudgeOptions): RequirementResult[] {
  const registry = options.requirements ?? REQUIREMENTS;
  const known = new Set(registry.map((r) => r.id));
  const unknown = [...new Set(evidence.map((e) => e.requirement).filter((id) => !known.has(id)))];
  if (unknown.length) throw new Error(`evidence names unknown requirement(s): ${unknown.join(', ')}`);
  return registry.map((r) => {
    const own = evidence.filter((e) => e.requirement === r.id);
    const scenarios = unique([
      ...options.scenariosRun.filter((s) => s.proves.includes(r.id)).map((s) => s.id),
      ...own.map((e) => e.scenario),
    ]);
    return { id: r.id, level: r.level, title: r.title, verdict: verdictOf(own), scenarios, evidence: own };
  });
}

/**
 * Folds the per-repetition judgements (each from judgeRequirements) into one: `runs` holds each
 * repetition's verdict, `verdict` is stableVerdictOf(runs), evidence and scenarios are the union.
 * One repetition is returned as it is (no `runs`).
 */
export function combineRepetitions(perRun: readonly (readonly RequirementResult[])[]): RequirementResult[] {
  const [first] = perRun;
  if (!first) return [];
  if (perRun.length === 1) return [...first];
  const ids = unique(perRun.flatMap((run) => run.map((r) => r.id)));
  return ids.map((id) => {
    const each = perRun.map((run) => run.find((r) => r.id === id));
    const template = each.find((r) => r !== undefined) as RequirementResult;
    const runs = each.map((r) => (r ? verdictOfResult(r) : 'skip'));
    return {
      id,
      level: template.level,
      title: template.title,
      verdict: stableVerdictOf(runs),
      scenarios: unique(each.flatMap((r) => r?.scenarios ?? [])),
      evidence: each.flatMap((r) => r?.evidence ?? []),
      runs,
    };
  });
}

/**
 * `certified` only when every MUST requirement is `pass` (skip, flaky and fail all fail it). A provider
 * that declares `mustFail` (a deliberately faulty one) is never certified, whatever was seen; whether
 * it failed as declared is mutantMismatch's question.
 */
export function outcome(
  requirements: readonly Pick<RequirementResult, 'level' | 'verdict'>[],
  mustFail?: readonly string[],
): Exclude<CertificationResults['outcome'], 'harness-error'> {
  if (mustFail?.length) return 'failed';
  const mustsPass = requirements.filter((r) => r.level === 'MUST').every((r) => r.verdict === 'pass');
  return mustsPass ? 'certified' : 'failed';
}

export interface MutantMismatch {
  /** Requirements that did not pass although the mutant does not declare them (fail, flaky or skip). */
  unexpectedFailures: string[];
  /** Declared requirements that did not fail (pass, flaky or skip): the harness missed the fault. */
  missingFailures: string[];
}

/**
 * For a mutant provider, which MUST fail exactly the IDs it declares and pass all the rest. Both lists
 * empty means the harness judged the mutant exactly as declared. A declared ID the registry does not
 * know is a missing failure. A requirement with `scenarios: []` was out of scope (no scenario that ran
 * sets out to prove it: a mutant certified with only the scenarios that prove its `mustFail`) and is
 * not an unexpected failure.
 */
export function mutantMismatch(
  requirements: readonly (Pick<RequirementResult, 'id' | 'verdict'> &
    Partial<Pick<RequirementResult, 'scenarios'>>)[],
  mustFail: readonly string[],
): MutantMismatch {
  const declared = new Set(mustFail);
  const verdicts = new Map(requirements.map((r) => [r.id, r.verdict]));
  const inScope = (r: (typeof requirements)[number]) => r.scenarios === undefined || r.scenarios.length > 0;
  return {
    unexpectedFailures: requirements
      .filter((r) => inScope(r) && !declared.has(r.id) && r.verdict !== 'pass')
      .map((r) => r.id),
    missingFailures: unique(mustFail).filter((id) => verdicts.get(id) !== 'fail'),
  };
}

/** A repetition's own verdict; a `flaky` one (already combined) counts as not holding. */
function verdictOfResult(r: RequirementResult): Verdict {
  return r.verdict === 'flaky' ? 'fail' : r.verdict;
}

/**
 * The requirements a scenario run is about: those it set out to prove (`proves`), then any it has
 * evidence for, each with the verdict of its evidence in that run (`skip` when it never got to them).
 */
export function scenarioVerdicts(
  scenario: Pick<ScenarioResult, 'proves' | 'evidence'>,
): Map<string, Verdict> {
  const ids = unique([...(scenario.proves ?? []), ...scenario.evidence.map((e) => e.requirement)]);
  return new Map(ids.map((id) => [id, verdictOf(scenario.evidence.filter((e) => e.requirement === id))]));
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
