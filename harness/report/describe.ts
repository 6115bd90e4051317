/**
 * Plain-text descriptions of evidence and steps, shared by the JUnit failure bodies and the HTML page,
 * so both say the same thing in the same words.
 */
import type { Evidence, ScenarioResult, StepResult } from './model.js';
import { humanDuration, showValue } from './text.js';

/** "provision (120 s)", "12 blocks", "quiet (30 s, 4 blocks)". */
export function describeDeadline(deadline: Evidence['deadline']): string {
  if (!deadline) return '';
  const limits = [
    deadline.seconds !== undefined ? `${deadline.seconds} s` : '',
    deadline.blocks !== undefined ? `${deadline.blocks} blocks` : '',
  ].filter(Boolean);
  if (!deadline.name) return limits.join(', ');
  return limits.length ? `${deadline.name} (${limits.join(', ')})` : deadline.name;
}

/** `observed` as `key: value` lines. */
export function describeObserved(observed: Record<string, unknown>): string[] {
  return Object.entries(observed).map(([k, v]) => `${k}: ${showValue(v)}`);
}

/** "step 4 (line 23)" / "step 4". Steps are shown 1-based, as people count. */
export function describeStepRef(step: number, line?: number): string {
  return line !== undefined ? `step ${step + 1} (line ${line})` : `step ${step + 1}`;
}

/** Several lines: where, what had to hold, what was seen, the deadline, when. */
export function describeEvidence(e: Evidence, step?: StepResult): string {
  const where = `${e.requirement} ${e.verdict} in ${e.scenario}, ${describeStepRef(e.step, e.line ?? step?.line)}`;
  const lines = [step ? `${where}: ${step.kind} — ${step.summary}` : where, `expected: ${e.expected}`];
  const observed = describeObserved(e.observed);
  lines.push(
    observed.length ? `observed:\n${observed.map((l) => `  ${l}`).join('\n')}` : 'observed: nothing',
  );
  if (e.deadline) lines.push(`deadline: ${describeDeadline(e.deadline)}`);
  const when = [
    e.elapsedMs !== undefined ? `after ${humanDuration(e.elapsedMs)}` : '',
    e.block !== undefined ? `block ${e.block}` : '',
    `at ${e.at}`,
  ].filter(Boolean);
  lines.push(when.join(', '));
  if (e.message) lines.push(`message: ${e.message}`);
  if (step?.error) lines.push(`step error: ${step.error}`);
  return lines.join('\n');
}

/** The step an evidence came from, if the scenario has it. */
export function stepOf(scenario: Pick<ScenarioResult, 'steps'>, e: Evidence): StepResult | undefined {
  return scenario.steps.find((s) => s.index === e.step);
}

/** "blocks 12→15", "block 12", "". */
export function describeBlocks(step: Pick<StepResult, 'blockStart' | 'blockEnd'>): string {
  const { blockStart: a, blockEnd: b } = step;
  if (a === undefined && b === undefined) return '';
  if (a === undefined || b === undefined || a === b) return `block ${a ?? b}`;
  return `blocks ${a}→${b}`;
}

/** Milliseconds from `from` to `to` (ISO times); 0 when either does not parse. */
export function offsetMs(from: string, to: string): number {
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) ? d : 0;
}

/** Why a requirement has no verdict, in words. */
export function whySkipped(scenarios: readonly string[]): string {
  return scenarios.length
    ? `not checked: ${scenarios.join(', ')} stopped before checking it`
    : 'not checked: no scenario that ran proves it';
}

/** A scenario run as reports name it: its id, plus the repetition when there are several. */
export function scenarioLabel(s: { id: string; repetition: number }, repeat: number): string {
  return repeat > 1 ? `${s.id} #${s.repetition}` : s.id;
}

/**
 * The scenario run an evidence came from: same scenario id and an identical entry in its evidence
 * (with --repeat several runs share the id), else the first run of that id.
 */
export function scenarioOfEvidence<S extends Pick<ScenarioResult, 'id' | 'evidence'>>(
  scenarios: readonly S[],
  e: Evidence,
): S | undefined {
  const same = (x: Evidence) => x.requirement === e.requirement && x.step === e.step && x.at === e.at;
  const byId = scenarios.filter((s) => s.id === e.scenario);
  return byId.find((s) => s.evidence.some(same)) ?? byId[0];
}
