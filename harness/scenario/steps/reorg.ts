/** `reorg`: Reorgs the last blocks away (what the provider's confirmations must absorb, or undo). */
import { reorg } from '../../chain/mining.js';
import { defineStep, valueOf } from './define.js';
import { blocksOf, blocksStep, describeBlocks, resolveBlocks, type Blocks } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    reorg: { depth: Blocks };
  }
}

export const reorgStep = defineStep({
  kind: 'reorg',
  schema: blocksStep(
    'Reorg away the last `depth` blocks: `reorg: 1`, `reorg: confirmations+1` (counted from the profile) or `{ depth }`.',
    'depth',
  ),
  fields: ['depth'],
  scalar: 'depth',
  build: (step) => ({ depth: blocksOf(valueOf(step, 'depth')) }),
  run: async (ctx, s) => {
    const confirmations = ctx.world.profile.confirmations;
    const depth = resolveBlocks(s.depth, confirmations);
    if (depth < 1) throw new Error(`reorg depth ${describeBlocks(s.depth, confirmations)} is below 1`);
    await reorg(ctx.world.test, depth);
    return { summary: `reorg the last ${describeBlocks(s.depth, confirmations)} block(s) away` };
  },
  order: 130,
});
