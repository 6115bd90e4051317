/**
 * The steps of a scenario: each list item read into its kind and fields (bare, scalar or mapping),
 * the names steps declare collected, every step checked by its definition, then built.
 */
import type { RequirementId } from '../../spec/requirements.js';
import { isObject, type PathSegment, type Problems } from '../../yaml/index.js';
import type { Step } from '../model.js';
import { isStepKind, stepDefinition, type Declarations, type Field, type RawStep } from '../steps/index.js';
import { checkProves, stepChecks } from './names.js';
import type { World } from './world.js';

/** The steps, when every one of them is well-formed; problems for every one that is not. */
export function checkSteps(data: unknown, world: World, problems: Problems): Step[] | undefined {
  const raw = isObject(data) && Array.isArray(data.steps) ? (data.steps as unknown[]) : [];
  const steps = raw.flatMap((item, index) => {
    const step = readStep(item, index, problems);
    return step ? [step] : [];
  });
  const declarations: Declarations = { repos: new Map(), memories: new Map(), bursts: [] };
  for (const step of steps) stepDefinition(step.kind)!.declare?.(step, declarations, problems);
  for (const step of steps) {
    const definition = stepDefinition(step.kind)!;
    const checks = stepChecks(step, world, declarations, problems);
    if (definition.check) definition.check(step, checks);
    else checks.byName(step, definition.fields);
    checkProves(step, problems);
  }
  if (problems.count || steps.length !== raw.length) return undefined;
  return steps.map(buildStep);
}

/** One list item as a step (undefined: not one step, which the schema reports). */
function readStep(item: unknown, index: number, problems: Problems): RawStep | undefined {
  const base: PathSegment[] = ['steps', index];
  const line = problems.map?.position(base).line ?? 0;
  let kind: string;
  let value: unknown;
  let sibling: Field | undefined;
  if (typeof item === 'string' && isStepKind(item) && stepDefinition(item)!.bare) {
    kind = item;
  } else if (isObject(item)) {
    const keys = Object.keys(item).filter(isStepKind);
    if (keys.length !== 1) return undefined;
    kind = keys[0]!;
    value = item[kind];
    if ('proves' in item) sibling = { value: item.proves, path: [...base, 'proves'] };
  } else return undefined;
  const fields = new Map<string, Field>();
  const at: PathSegment[] = [...base, kind];
  const scalar = stepDefinition(kind)!.scalar;
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) fields.set(k, { value: v, path: [...at, k] });
  } else if (value !== null && value !== undefined && scalar) {
    fields.set(scalar, { value, path: at });
  }
  const inner = fields.get('proves');
  fields.delete('proves');
  if (inner && sibling)
    problems.add(sibling.path, 'proves is given twice: inside the step and next to it (keep one)', {
      at: 'key',
    });
  const proves = inner ?? sibling;
  return { index, kind, fields, line, ...(proves ? { proves } : {}) };
}

/** A checked step as the model has it (only called when there are no problems). */
function buildStep(step: RawStep): Step {
  const proves = step.proves?.value;
  return {
    index: step.index,
    line: step.line,
    proves: (typeof proves === 'string'
      ? [proves]
      : ((proves as string[] | undefined) ?? [])) as RequirementId[],
    kind: step.kind,
    ...stepDefinition(step.kind)!.build(step),
  } as Step;
}
