/** `top-up`: Tops up an org with `packages` packages; proves the contract's arithmetic (CHAIN-TOPUP). */
import { confirm, expiryOf } from '../../chain/actions.js';
import { count, defineStep, text } from './define.js';
import { provider, topUpCheck } from './support/chain.js';
import { orgStep } from './support/forms.js';
import { pay } from './support/pay.js';

declare module '../model.js' {
  interface StepForms {
    'top-up': { org: string; packages: number };
  }
}

export const topUpStep = defineStep({
  kind: 'top-up',
  schema: orgStep(
    "Top up an org with `packages` packages (default 1), in the scenario's currency: `top-up: <org>` or `{ org, packages }`.",
    {
      packages: { type: 'integer', minimum: 1 },
    },
  ),
  fields: ['org', 'packages?'],
  scalar: 'org',
  build: (step) => ({ org: text(step, 'org'), packages: count(step, 'packages') ?? 1 }),
  run: async (ctx, s) => {
    const org = ctx.org(s.org);
    const before = await expiryOf(ctx.world.test, provider(ctx), org);
    const receipt = await confirm(ctx.world.test, await pay(ctx, org, s.packages));
    ctx.lastTxBlock = receipt.blockNumber;
    const check = await topUpCheck(ctx, org, s.packages, before, receipt);
    return {
      summary: `top-up ${s.org} (${s.packages} package${s.packages === 1 ? '' : 's'}) in block ${receipt.blockNumber}`,
      facts: {
        org,
        tx: receipt.transactionHash,
        block: Number(receipt.blockNumber),
        expiry: check.observed.expiryAfter,
      },
      check,
    };
  },
  order: 10,
});
