/** `reorg`: Reorgs the last blocks away (what the provider's confirmations must absorb). */
import { reorg } from '../../chain/mining.js';
import { count, defineStep } from './define.js';
import { countStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    reorg: { depth: number };
  }
}

export const reorgStep = defineStep({
  kind: 'reorg',
  schema: countStep('Reorg away the last `depth` blocks: `reorg: 1` or `{ depth }`.', 'depth'),
  fields: ['depth'],
  scalar: 'depth',
  build: (step) => ({ depth: count(step, 'depth')! }),
  run: async (ctx, s) => {
    await reorg(ctx.world.test, s.depth);
    return { summary: `reorg the last ${s.depth} block(s) away` };
  },
  order: 130,
});
