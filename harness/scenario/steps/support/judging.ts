/**
 * What wait, expect and never share: the conditions they judge and the fields each takes, their
 * schema, checks, model and polling. A condition is judged black-box by conditions.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { judge, type Judgement } from '../../conditions.js';
import type { ScenarioContext } from '../../context.js';
import type { Condition, Deadline, Profile } from '../../model.js';
import { parseDuration } from '../../problems.js';
import { DEADLINE_NAMES } from '../../profile.js';
import { isObject } from '../../../yaml/index.js';
import { text, valueOf, type RawStep, type StepChecks, type StepOutcome } from '../define.js';
import { ref } from './forms.js';

export type ConditionKind = Condition['kind'];

/** The fields each condition takes (`peer?`: optional), as written in a line. */
const TAKES: Record<ConditionKind, string> = {
  served: 'org',
  published: 'org',
  gone: 'org',
  incomplete: 'org',
  'dns-consistent': 'org',
  'txt-expiry': 'org',
  p2p: 'org peer?',
  http: 'org',
  'same-node': 'org since',
  'same-identity': 'org since',
  'has-repo': 'org repo',
  'lacks-repo': 'org repo',
  fetched: 'org peer repo',
  isolated: 'orgs',
  'burst-served': '',
};
export const CONDITIONS = Object.fromEntries(
  Object.entries(TAKES).map(([kind, fields]) => [kind, fields.split(' ').filter(Boolean)]),
) as unknown as Record<ConditionKind, readonly string[]>;
export const CONDITION_KINDS = Object.keys(TAKES) as ConditionKind[];
/** Every field a condition may take. */
export const CONDITION_FIELDS = ['org', 'orgs', 'peer', 'since', 'repo'] as const;

/** The condition a judging step's mapping names (by `key`, else by that or until). */
export function conditionOf(value: unknown, key?: 'that' | 'until'): ConditionKind | undefined {
  if (!isObject(value)) return undefined;
  const name = key ? value[key] : (value.that ?? value.until);
  return typeof name === 'string' && name in CONDITIONS ? (name as ConditionKind) : undefined;
}

/** `org, peer and repo` (what a condition needs). */
export function needs(kind: ConditionKind): string {
  const required = CONDITIONS[kind].filter((f) => !f.endsWith('?'));
  if (!required.length) return 'nothing';
  return required.length === 1 ? required[0]! : `${required.slice(0, -1).join(', ')} and ${required.at(-1)}`;
}

/** `org, peer (optional)`. */
export function takesText(kind: ConditionKind): string {
  const fields = CONDITIONS[kind];
  if (!fields.length) return 'no fields';
  return fields.map((f) => (f.endsWith('?') ? `${f.slice(0, -1)} (optional)` : f)).join(', ');
}

type Key = 'until' | 'that';
type Timing = 'within' | 'for';

/** The mapping of a judging step: its condition key, the condition's fields and its deadline. */
export function judgingMapping(description: string, key: Key, timing: Timing, required: string[]) {
  return {
    description,
    type: 'object',
    additionalProperties: false,
    required,
    properties: {
      [key]: ref('condition'),
      org: ref('name'),
      orgs: { type: 'array', minItems: 2, items: ref('name') },
      peer: ref('name'),
      since: ref('name'),
      repo: ref('repo'),
      [timing]: ref('deadline'),
      proves: ref('proves'),
    },
    allOf: [ref('conditionFields')],
  };
}

/** What wait, expect and never share of their definitions: fields, checks, report wording. */
export function judgingStep(key: Key, timing: Timing, optional: boolean, words: string) {
  return {
    fields: [key, '<condition fields>', optional ? `${timing}?` : timing],
    judging: { key, timing },
    check: (step: RawStep, c: StepChecks) => checkJudging(step, c, key, timing),
    describe: (s: { condition: Condition }) => describeJudging(words, s.condition),
  };
}

/** The checks of a judging step: its condition's names, a burst before burst-served, a deadline > 0. */
export function checkJudging(step: RawStep, c: StepChecks, key: Key, timing: Timing): void {
  const get = (name: string) => step.fields.get(name);
  const condition = conditionOf(Object.fromEntries([...step.fields].map(([k, f]) => [k, f.value])), key);
  if (!condition) return;
  const takes = CONDITIONS[condition].map((f) => f.replace('?', ''));
  if (takes.includes('org')) c.org(get('org'));
  if (takes.includes('peer')) c.peer(get('peer'));
  if (takes.includes('repo')) c.repo(get('repo'));
  if (takes.includes('since')) c.since(get('since'), get('org')?.value);
  const list = get('orgs');
  if (takes.includes('orgs') && list && Array.isArray(list.value)) {
    const seen = new Set<string>();
    list.value.forEach((name, i) => {
      const f = { value: name, path: [...list.path, i] };
      if (typeof name === 'string' && seen.has(name))
        c.problems.add(f.path, `org "${name}" is listed twice (isolation is between different orgs)`);
      seen.add(String(name));
      c.org(f);
    });
  }
  if (condition === 'burst-served' && !c.declarations.bursts.some((i) => i < step.index))
    c.problems.add(get(key)?.path ?? ['steps', step.index, step.kind], 'needs a burst step before it');
  c.positive(get(timing));
}

/** `provision` → { name }; `90s`, `2m`, 90 → { seconds }. */
export function deadline(value: unknown): Deadline {
  if (typeof value === 'string' && (DEADLINE_NAMES as readonly string[]).includes(value))
    return { name: value as Deadline extends { name: infer N } ? N : never };
  return { seconds: parseDuration(value)! };
}

export function buildCondition(step: RawStep, key: Key): Condition {
  const kind = text(step, key) as ConditionKind;
  const fields = CONDITIONS[kind].map((f) => f.replace('?', ''));
  const condition: Record<string, unknown> = { kind };
  for (const f of fields) if (valueOf(step, f) !== undefined) condition[f] = valueOf(step, f);
  return condition as Condition;
}

/** What the report calls a judging step before it runs: `wait until served alpha`. */
export function describeJudging(words: string, condition: Condition): string {
  return `${words} ${condition.kind}${'org' in condition ? ` ${condition.org}` : ''}`;
}

const POLL_MS = 500;
/** A contradiction seen this many judgements in a row is decided: the wait ends there. */
const DECIDED_AFTER = 3;
/**
 * However late a judgement starts, it gets this long (or its whole deadline, when shorter): one
 * unlucky look is not a verdict.
 */
const AT_LEAST_MS = 5_000;

export function deadlineOf(d: Deadline, profile: Profile): { name?: string; seconds: number } {
  return 'name' in d ? { name: d.name, seconds: profile.deadlines[d.name] } : { seconds: d.seconds };
}

function describeDeadline(d: { name?: string; seconds: number }): string {
  return d.name ? `${d.name} (${d.seconds} s)` : `${d.seconds} s`;
}

/** Failures of one look that the next may not meet (a query timing out on a loaded machine): no verdict. */
const PASSING_CODES = new Set([
  'ETIMEOUT',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EREFUSED',
  'ESERVFAIL',
  'EAI_AGAIN',
  'ECANCELLED',
]);

export function isPassingFailure(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return (typeof code === 'string' && PASSING_CODES.has(code)) || name === 'TimeoutError';
}

/**
 * One judgement of `condition`; a look that failed in passing (a DNS query timing out) judges
 * nothing, so it neither holds nor decides, and the next look asks again. Any other error ends the step.
 */
async function look(ctx: ScenarioContext, condition: Condition): Promise<Judgement> {
  try {
    return await judge(ctx, condition);
  } catch (error) {
    if (!isPassingFailure(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const what = describeJudging('', condition).trim();
    return {
      holds: false,
      expected: what,
      observed: { unobserved: message },
      failure: `could not observe ${what}: ${message}`,
    };
  }
}

/**
 * Polls `condition` until what it judges all holds (`settled`) or `end` passes, or until it shows the
 * same decided contradiction DECIDED_AFTER times in a row; the last judgement decides. Past
 * `moot`, a look where the step's own obligations fail ends it: their verdicts are already failed.
 */
async function until(
  ctx: ScenarioContext,
  condition: Condition,
  end: number,
  moot = Infinity,
): Promise<Judgement> {
  let streak = 0;
  let last: string | undefined;
  for (;;) {
    const j = await look(ctx, condition);
    if ((j.settled ?? j.holds) || Date.now() >= end) return j;
    if (!j.holds && Date.now() >= moot) return { ...j, observed: { ...j.observed, alreadyFailed: true } };
    streak = j.decided !== undefined && j.decided === last ? streak + 1 : j.decided ? 1 : 0;
    last = j.decided;
    if (streak >= DECIDED_AFTER) return { ...j, observed: { ...j.observed, decidedAfter: streak } };
    await sleep(Math.min(POLL_MS, Math.max(0, end - Date.now())));
  }
}

/** Polls `condition` for `seconds`; fails at the first time it holds, and when no look saw anything. */
async function never(ctx: ScenarioContext, condition: Condition, seconds: number): Promise<Judgement> {
  const end = Date.now() + seconds * 1000;
  let last: Judgement;
  let seen = false;
  do {
    last = await look(ctx, condition);
    if (last.holds) return { ...withoutLines(last), holds: false, expected: `never: ${last.expected}` };
    seen ||= last.observed.unobserved === undefined;
    await sleep(POLL_MS);
  } while (Date.now() < end);
  const verdict = { ...withoutLines(last), holds: seen, expected: `never: ${last.expected}` };
  return seen ? verdict : { ...verdict, failure: `never: ${last.failure ?? last.expected}` };
}

/** A `never` inverts the verdict: the condition's own lines would say the opposite. */
const withoutLines = ({ lines: _lines, failure: _failure, ...j }: Judgement): Judgement => j;

/**
 * When a `within` deadline ends: SPEC.md §5 counts it from the moment the world became actionable
 * for the provider, i.e. the scenario's last act (a confirm, a kill, a start), not from this step:
 * judgements after one that used up the deadline do not wait it out again.
 */
export function endOf(ctx: ScenarioContext, seconds: number): number {
  const now = Date.now();
  const from = ctx.actedAt ?? now;
  return Math.max(from + seconds * 1000, now + Math.min(seconds * 1000, AT_LEAST_MS));
}

/**
 * Judges `condition` within `d` (`holds: true`: until it holds; false: it must never hold) and
 * words the outcome; `d` absent: judged once, now. A wait whose every `proves` requirement (or, if
 * it proves none, every one the steps after it prove) already failed in this scenario waits at most
 * AT_LEAST_MS for its own obligations: no wait can pass those again, and a failing provider is not
 * made to sit out each of its deadlines in full (its lines for other requirements still get the
 * whole deadline once its own obligations hold).
 */
export async function judgeWithin(
  ctx: ScenarioContext,
  condition: Condition,
  d: Deadline | undefined,
  mustHold: boolean,
  proves: readonly string[] = [],
): Promise<StepOutcome> {
  const within = d && deadlineOf(d, ctx.world.profile);
  // A step that proves nothing itself is there for the steps after it.
  const servesIds = proves.length ? proves : ctx.provedLater;
  const moot = servesIds.length > 0 && servesIds.every((id) => ctx.failed.has(id));
  const j = mustHold
    ? await until(
        ctx,
        condition,
        within ? endOf(ctx, within.seconds) : 0,
        moot ? Date.now() + AT_LEAST_MS : Infinity,
      )
    : await never(ctx, condition, within!.seconds);
  const late = within && !j.holds && j.observed.decidedAfter === undefined;
  const why = j.observed.alreadyFailed
    ? ` — not waited for: ${servesIds.join(', ')}${proves.length ? '' : ', which the steps after it prove,'} already failed in this scenario`
    : late
      ? ` — not within ${describeDeadline(within)}`
      : '';
  return {
    facts: { observed: j.observed },
    check: {
      holds: j.holds,
      expected: j.expected,
      observed: j.observed,
      ...(within && { deadline: within }),
      ...(j.lines && { lines: j.lines }),
      failure: `${j.failure ?? j.expected}${why}`,
    },
  };
}
