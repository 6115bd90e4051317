/** `expect`: A condition holds now, or within `within`; failing it fails `proves` and the scenario goes on. */
import type { Condition, Deadline } from '../model.js';
import { defineStep, valueOf } from './define.js';
import { buildCondition, deadline, judgeWithin, judgingMapping, judgingStep } from './support/judging.js';

declare module '../model.js' {
  interface StepForms {
    expect: { condition: Condition; within?: Deadline };
  }
}

export const expectStep = defineStep({
  kind: 'expect',
  schema: (({ description, ...mapping }) => ({
    description,
    type: ['string', 'object'],
    if: { type: 'string' },
    then: { enum: ['burst-served'] },
    else: mapping,
  }))(
    judgingMapping(
      'A condition holds now, or within `within`: `{ that, <its fields>, within? }`; `expect: burst-served`.',
      'that',
      'within',
      ['that'],
    ),
  ),
  ...judgingStep('that', 'within', true, 'expect'),
  scalar: 'that',
  scalarHint: 'burst-served',
  build: (step) => {
    const within = valueOf(step, 'within');
    return {
      condition: buildCondition(step, 'that'),
      ...(within !== undefined ? { within: deadline(within) } : {}),
    };
  },
  run: (ctx, s) => judgeWithin(ctx, s.condition, s.within, true, s.proves),
  order: 300,
});
