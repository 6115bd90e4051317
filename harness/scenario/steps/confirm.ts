/** `confirm`: Mines until the chain's confirmations make everything sent so far actionable. */
import { mine } from '../../chain/mining.js';
import { defineStep } from './define.js';
import { head } from './support/chain.js';
import { bare } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    confirm: Record<never, never>;
  }
}

export const confirmStep = defineStep({
  kind: 'confirm',
  schema: bare('Mine until everything sent so far is confirmed.'),
  fields: [],
  bare: true,
  build: () => ({}),
  run: async (ctx) => {
    const depth = ctx.world.profile.confirmations;
    const needed = ctx.lastTxBlock === undefined ? 0n : ctx.lastTxBlock + BigInt(depth) - (await head(ctx));
    if (needed > 0n) await mine(ctx.world.test, Number(needed));
    return {
      summary: `mine ${needed > 0n ? needed : 0n} block(s) so block ${ctx.lastTxBlock ?? '-'} is ${depth} deep`,
    };
  },
  order: 110,
});
