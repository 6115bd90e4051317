/**
 * Schema errors of a scenario in words: what the step, condition, deadline or name should have
 * been, where the generic wording (harness/yaml) would say less.
 */
import { DEADLINE_NAMES } from '../profile.js';
import { DURATION_HELP } from '../problems.js';
import { isStepKind, stepDefinition, stepKinds } from '../steps/index.js';
import { RELATIVE_BLOCKS } from '../steps/support/forms.js';
import {
  CONDITION_FIELDS,
  CONDITION_KINDS,
  CONDITIONS,
  conditionOf,
  needs,
  takesText,
  type ConditionKind,
} from '../steps/support/judging.js';
import {
  didYouMean,
  fieldName,
  isObject,
  show,
  suggestion,
  typeNames,
  valueAt,
  type Explain,
} from '../../yaml/index.js';

/** How a step is written, e.g. `top-up: <org>, or top-up: { org, packages? }`. */
export function stepUsage(kind: string): string {
  const form = stepDefinition(kind)!;
  const ways: string[] = [];
  if (form.bare) ways.push(kind);
  if (form.scalar) ways.push(`${kind}: ${form.scalarHint ?? `<${form.scalar}>`}`);
  if (form.fields.length) ways.push(`${kind}: { ${form.fields.join(', ')} }`);
  return ways.join(', or ');
}

export function explainer(orgNames: readonly string[]): Explain {
  return ({ error: e, pointer, path, data }) => {
    const params = e.params as Record<string, unknown>;
    const stepPath = path[0] === 'steps' && typeof path[1] === 'string' ? path.slice(0, 2) : undefined;
    const item = stepPath ? valueAt(data, stepPath) : undefined;
    // The step a path is in (`steps[3].wait.within` → wait), when the item names one.
    const kind = path[0] === 'steps' && path.length >= 3 ? String(path[2]) : undefined;
    const known = kind && isStepKind(kind) ? kind : undefined;

    if (pointer === '#/$defs/step/else/propertyNames' && e.propertyName !== undefined) {
      const key = e.propertyName;
      const siblings = isObject(item) ? Object.keys(item).filter(isStepKind) : [];
      const owner = siblings.length === 1 ? siblings[0] : undefined;
      const takes = owner ? fieldsOf(owner, valueAt(data, [...stepPath!, owner])) : [];
      if (owner && takes.includes(key)) {
        return {
          path: [...path, key],
          at: 'key',
          message: `belongs inside ${owner}: indent it under "${owner}:" (a list item holds one step and, at most, proves)`,
        };
      }
      return {
        path: [...path, key],
        at: 'key',
        message: `unknown step "${key}"${suggestion(key, stepKinds())}`,
      };
    }
    if (pointer === '#/$defs/step/else' && e.keyword === 'oneOf') {
      const keys = isObject(item) ? Object.keys(item) : [];
      const steps = keys.filter(isStepKind);
      if (keys.some((k) => !isStepKind(k) && k !== 'proves')) return null; // reported as an unknown step
      if (steps.length > 1)
        return {
          path: [...path, steps[1]!],
          at: 'key',
          message: `one step per list item: "${steps[0]}" and "${steps[1]}" are both here (start a new item with "- ")`,
        };
      return {
        at: 'key',
        message: `has ${keys.length ? 'proves but ' : ''}no step (expected one of ${stepKinds().join(', ')})`,
      };
    }
    if (pointer === '#/$defs/step/then' && e.keyword === 'enum') {
      const text = String(e.data);
      const word = text.split(/[\s:]/)[0]!;
      if (isStepKind(text)) return { message: `${text} needs a value: ${stepUsage(text)}` };
      if (word !== text && isStepKind(word))
        return { message: `missing ":" after "${word}" (write ${stepUsage(word)})` };
      return { message: `unknown step "${text}"${suggestion(text, stepKinds())}` };
    }
    if (pointer === '#/$defs/step' && e.keyword === 'type') {
      return {
        message: `must be a step: a bare ${stepKinds()
          .filter((k) => stepDefinition(k)!.bare)
          .join(' / ')}, or a mapping with one step, got ${show(e.data)}`,
      };
    }
    if (pointer === '#/$defs/condition' && e.keyword === 'enum') {
      return { message: `unknown condition ${show(e.data)}${suggestion(e.data, CONDITION_KINDS)}` };
    }
    if (pointer === '#/$defs/step-expect/then' && e.keyword === 'enum') {
      const text = String(e.data);
      if (text in CONDITIONS) {
        const fields = CONDITIONS[text as ConditionKind].map((f) => `${f.replace('?', '')}: …`).join(', ');
        return {
          message: `condition "${text}" needs ${needs(text as ConditionKind)}: write expect: { that: ${text}, ${fields} }`,
        };
      }
      return { message: `unknown condition "${text}"${suggestion(text, CONDITION_KINDS)}` };
    }
    if (pointer.startsWith('#/$defs/deadline') && e.keyword === 'enum') {
      const guess = didYouMean(String(e.data), DEADLINE_NAMES);
      return {
        message: `unknown deadline ${show(e.data)} (expected a deadline name — ${DEADLINE_NAMES.join(', ')} — or ${DURATION_HELP}${guess ? `; did you mean "${guess}"?` : ''})`,
      };
    }
    if (e.keyword === 'pattern' && (e.params as { pattern?: string }).pattern === RELATIVE_BLOCKS) {
      return {
        message: `must be a whole number ≥ 1 or confirmations, confirmations+k, confirmations-k (counted from the profile), got ${show(e.data)}`,
      };
    }
    if (pointer === '#/$defs/durationText' && e.keyword === 'pattern') {
      return { message: `must be ${DURATION_HELP}, got ${show(e.data)}` };
    }
    if (pointer === '#/$defs/deadline' && e.keyword === 'type') {
      return {
        message: `must be a deadline name (${DEADLINE_NAMES.join(', ')}) or ${DURATION_HELP}, got ${show(e.data)}`,
      };
    }
    if (pointer === '#/$defs/duration' && e.keyword === 'type') {
      return { message: `must be ${DURATION_HELP}, got ${show(e.data)}` };
    }
    if (pointer === '#/$defs/target' && e.keyword === 'pattern') {
      const targets = ['controller', ...orgNames.map((o) => `node:${o}`)];
      const guess = didYouMean(String(e.data), targets);
      return {
        message: `must be controller or node:<org>, got ${show(e.data)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      };
    }
    if (pointer === '#/$defs/name' && e.keyword === 'pattern') {
      const where =
        e.propertyName !== undefined ? { path: [...path, e.propertyName], at: 'key' as const } : {};
      return {
        ...where,
        message: `must be a name: lower-case letters, digits and dashes, starting with a letter, got ${show(e.propertyName ?? e.data)}`,
      };
    }
    if (pointer === '#/properties/scenario' && e.keyword === 'pattern') {
      return { message: `must be an id: lower-case letters, digits and dashes, got ${show(e.data)}` };
    }
    if (pointer === '#/$defs/repo' && e.keyword === 'pattern') {
      return {
        message: `must be a repository name: lower-case letters, digits, ".", "_" and "-", got ${show(e.data)}`,
      };
    }
    if (pointer === '#/properties/orgs/else/additionalProperties' && e.keyword === 'enum') {
      return {
        message: `must be contract or address (empty: contract), got ${show(e.data)}${suggestion(e.data, ['contract', 'address'], false)}`,
      };
    }
    if (pointer === '#/$defs/proves' && e.keyword === 'type') {
      return { message: `must be a requirement ID or a list of them, got ${show(e.data)}` };
    }
    if (e.keyword === 'false schema') {
      const field = String(path.at(-1));
      const condition = conditionOf(valueAt(data, path.slice(0, -1)));
      if (condition)
        return {
          at: 'key',
          message: `condition "${condition}" does not take ${field} (${condition} takes ${takesText(condition)})`,
        };
    }
    const condition = /^#\/\$defs\/condition-(.+)$/.exec(pointer)?.[1];
    if (condition && e.keyword === 'required') {
      const missing = String(params.missingProperty);
      return {
        at: 'key',
        field: fieldName([...path, missing]),
        message: `is required (condition "${condition}" needs ${needs(condition as ConditionKind)})`,
      };
    }
    if (known && e.keyword === 'additionalProperties') {
      const extra = String(params.additionalProperty);
      const takes = fieldsOf(known, valueAt(data, path));
      const guess = didYouMean(extra, takes);
      const hint =
        extra === 'that' && known === 'wait'
          ? ' (wait names its condition with until:)'
          : extra === 'until' && known !== 'wait'
            ? ` (${known} names its condition with that:)`
            : guess
              ? ` (did you mean "${guess}"?)`
              : ` (${known} takes ${takes.join(', ')})`;
      return { path: [...path, extra], at: 'key', message: `unknown field${hint}` };
    }
    if (known && path.length === 3 && e.keyword === 'type') {
      return {
        message: `must be ${typeNames(params.type)}, got ${show(e.data)} (write ${stepUsage(known)})`,
      };
    }
    if (known && e.keyword === 'required' && pointer.startsWith(`#/$defs/step-${known}`)) {
      const missing = String(params.missingProperty);
      return {
        at: 'key',
        field: fieldName([...path, missing]),
        message: `is required (write ${stepUsage(known)})`,
      };
    }
    if (path.length === 0 && e.keyword === 'required') {
      const missing = String(params.missingProperty);
      const hint = TOP_LEVEL_HINT[missing];
      return { at: 'key', field: missing, message: `is required${hint ? ` (${hint})` : ''}` };
    }
    if (pointer === '#/properties/steps' && e.keyword === 'minItems') {
      return { message: 'must have at least one step' };
    }
    return undefined;
  };
}

const TOP_LEVEL_HINT: Record<string, string> = {
  scenario: 'the scenario id: lower-case letters, digits and dashes, e.g. scenario: extension',
  title: 'one line a person reads',
  steps: 'a list of steps, e.g. steps: [{ top-up: alpha }]',
};

/** The fields a step's mapping takes (for a judging step: those of its condition), proves included. */
function fieldsOf(kind: string, value: unknown): string[] {
  const definition = stepDefinition(kind)!;
  const judging = definition.judging;
  if (!judging) return [...definition.fields.map((f) => f.replace('?', '')), 'proves'];
  const condition = conditionOf(value, judging.key);
  const condFields = condition ? CONDITIONS[condition].map((f) => f.replace('?', '')) : [...CONDITION_FIELDS];
  return [judging.key, ...condFields, judging.timing, 'proves'];
}
