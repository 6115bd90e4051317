/** `mine-to`: Mines to an org's expiry (or the end of its grace), plus an offset. */
import { expiryOf } from '../../chain/actions.js';
import { mine } from '../../chain/mining.js';
import { count, defineStep, text } from './define.js';
import { head, provider } from './support/chain.js';
import { mapping, ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    'mine-to': { org: string; at: 'expiry' | 'grace-end'; offset: number };
  }
}

export const mineToStep = defineStep({
  kind: 'mine-to',
  schema: mapping(
    'Mine to `expiry + offset` or `expiry + grace + offset` of the org: `{ org, at: expiry | grace-end, offset }`.',
    { org: ref('name'), at: { enum: ['expiry', 'grace-end'] }, offset: { type: 'integer' } },
    ['org', 'at'],
  ),
  fields: ['org', 'at', 'offset?'],
  build: (step) => ({
    org: text(step, 'org'),
    at: text(step, 'at') as 'expiry' | 'grace-end',
    offset: count(step, 'offset') ?? 0,
  }),
  run: async (ctx, s) => {
    const expiry = await expiryOf(ctx.world.test, provider(ctx), ctx.org(s.org));
    const target =
      expiry + (s.at === 'grace-end' ? BigInt(ctx.world.profile.graceBlocks) : 0n) + BigInt(s.offset);
    const now = await head(ctx);
    if (target > now) await mine(ctx.world.test, Number(target - now));
    ctx.lastTxBlock = target; // what `confirm` makes deep next
    return {
      summary: `mine to block ${target} (${s.at} of ${s.org}${s.offset ? ` ${s.offset > 0 ? '+' : ''}${s.offset}` : ''})`,
      facts: { expiry: expiry.toString(), target: Number(target) },
    };
  },
  order: 120,
});
