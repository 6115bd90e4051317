/** `wait`: Waits until a condition holds, at most `within`; failing it fails `proves` and ends the scenario. */
import type { Condition, Deadline } from '../model.js';
import { defineStep, valueOf } from './define.js';
import { buildCondition, deadline, judgeWithin, judgingMapping, judgingStep } from './support/judging.js';

declare module '../model.js' {
  interface StepForms {
    wait: { condition: Condition; within: Deadline };
  }
}

export const waitStep = defineStep({
  kind: 'wait',
  schema: judgingMapping(
    'Wait until a condition holds, at most `within`: `{ until, <its fields>, within }`.',
    'until',
    'within',
    ['until', 'within'],
  ),
  ...judgingStep('until', 'within', false, 'wait until'),
  build: (step) => ({ condition: buildCondition(step, 'until'), within: deadline(valueOf(step, 'within')) }),
  run: async (ctx, s) => ({
    ...(await judgeWithin(ctx, s.condition, s.within, true, s.proves)),
    stopsOnFailure: true,
  }),
  order: 290,
});
