/** `heal`: Removes every network fault in force. */
import { healAll } from '../../faults/index.js';
import { defineStep } from './define.js';
import { bare } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    heal: Record<never, never>;
  }
}

export const healStep = defineStep({
  kind: 'heal',
  schema: bare('Remove every network fault (partition, loss, latency, bandwidth).'),
  fields: [],
  bare: true,
  build: () => ({}),
  run: async (ctx) => {
    const n = ctx.faults.length;
    await healAll(ctx.faults.splice(0));
    return { summary: `heal ${n} fault(s)` };
  },
  order: 200,
});
