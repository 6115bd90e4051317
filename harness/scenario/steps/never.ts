/** `never`: A condition stays false for all of `for`. */
import type { Condition, Deadline } from '../model.js';
import { defineStep, valueOf } from './define.js';
import { buildCondition, deadline, judgeWithin, judgingMapping, judgingStep } from './support/judging.js';

declare module '../model.js' {
  interface StepForms {
    never: { condition: Condition; for: Deadline };
  }
}

export const neverStep = defineStep({
  kind: 'never',
  schema: judgingMapping(
    'A condition stays false for all of `for`: `{ that, <its fields>, for }`.',
    'that',
    'for',
    ['that', 'for'],
  ),
  ...judgingStep('that', 'for', false, 'never'),
  build: (step) => ({ condition: buildCondition(step, 'that'), for: deadline(valueOf(step, 'for')) }),
  run: (ctx, s) => judgeWithin(ctx, s.condition, s.for, false),
  order: 310,
});
