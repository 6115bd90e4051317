/** `register-then-top-up`: Creates an org through the Entrance and tops it up in one transaction. */
import { confirm, createdOrg, registerOrgThenTopUp } from '../../chain/actions.js';
import { count, defineStep, text } from './define.js';
import { provider, topUpCheck } from './support/chain.js';
import { orgStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    'register-then-top-up': { org: string; packages: number };
  }
}

export const registerThenTopUpStep = defineStep({
  kind: 'register-then-top-up',
  schema: orgStep(
    'Entrance.registerOrgThenTopUp for the org: `register-then-top-up: <org>` or `{ org, packages }`.',
    { packages: { type: 'integer', minimum: 1 } },
  ),
  fields: ['org', 'packages?'],
  scalar: 'org',
  build: (step) => ({ org: text(step, 'org'), packages: count(step, 'packages') ?? 1 }),
  run: async (ctx, s) => {
    const w = ctx.world;
    const receipt = await confirm(
      w.test,
      await registerOrgThenTopUp(w.wallets.orgOwner, w.booted.deployment.entrance, provider(ctx), s.packages),
    );
    const org = createdOrg(receipt);
    w.orgs.set(s.org, org);
    ctx.lastTxBlock = receipt.blockNumber;
    const check = await topUpCheck(ctx, org, s.packages, 0n, receipt);
    return {
      summary: `register ${s.org} and top it up through the Entrance`,
      facts: { org, block: Number(receipt.blockNumber) },
      check,
    };
  },
  order: 20,
});
