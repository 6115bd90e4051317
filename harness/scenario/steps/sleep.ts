/** `sleep`: Waits a fixed time. */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../problems.js';
import { defineStep, valueOf } from './define.js';
import { ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    sleep: { seconds: number };
  }
}

export const sleepStep = defineStep({
  kind: 'sleep',
  schema: {
    description: 'Wait a fixed time: `sleep: 2s` (or a number of seconds, or `{ for }`).',
    type: ['string', 'number', 'object'],
    if: { type: 'object' },
    then: {
      type: 'object',
      additionalProperties: false,
      required: ['for'],
      properties: { for: ref('duration'), proves: ref('proves') },
    },
    else: ref('duration'),
  },
  fields: ['for'],
  scalar: 'for',
  scalarHint: '<duration>',
  check: (step, c) => c.positive(step.fields.get('for')),
  build: (step) => ({ seconds: parseDuration(valueOf(step, 'for'))! }),
  run: async (_ctx, s) => {
    await sleep(s.seconds * 1000);
    return { summary: `sleep ${s.seconds} s` };
  },
  order: 280,
});
