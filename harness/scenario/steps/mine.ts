/** `mine`: Mines a number of blocks. */
import { mine } from '../../chain/mining.js';
import { defineStep, valueOf } from './define.js';
import { head } from './support/chain.js';
import { blocksOf, blocksStep, describeBlocks, resolveBlocks, type Blocks } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    mine: { blocks: Blocks };
  }
}

export const mineStep = defineStep({
  kind: 'mine',
  schema: blocksStep(
    'Mine `blocks` blocks: `mine: 3`, `mine: confirmations-1` (counted from the profile) or `{ blocks }`.',
    'blocks',
  ),
  fields: ['blocks'],
  scalar: 'blocks',
  build: (step) => ({ blocks: blocksOf(valueOf(step, 'blocks')) }),
  run: async (ctx, s) => {
    const confirmations = ctx.world.profile.confirmations;
    const blocks = resolveBlocks(s.blocks, confirmations);
    const to = blocks > 0 ? await mine(ctx.world.test, blocks) : await head(ctx);
    return { summary: `mine ${describeBlocks(s.blocks, confirmations)} block(s) → ${to}` };
  },
  order: 100,
});
