/** `mine`: Mines a number of blocks. */
import { mine } from '../../chain/mining.js';
import { count, defineStep } from './define.js';
import { countStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    mine: { blocks: number };
  }
}

export const mineStep = defineStep({
  kind: 'mine',
  schema: countStep('Mine `blocks` blocks: `mine: 3` or `{ blocks }`.', 'blocks'),
  fields: ['blocks'],
  scalar: 'blocks',
  build: (step) => ({ blocks: count(step, 'blocks')! }),
  run: async (ctx, s) => ({ summary: `mine ${s.blocks} block(s) → ${await mine(ctx.world.test, s.blocks)}` }),
  order: 100,
});
