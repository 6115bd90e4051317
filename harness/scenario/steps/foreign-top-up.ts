/** `foreign-top-up`: A NewTopUp for the org from a contract that is not the provider's (the provider must ignore it). */
import { confirm, topUp } from '../../chain/actions.js';
import { DEFAULT_TERMS, deployEthProvider, sender } from '../../chain/deploy.js';
import { defineStep, text } from './define.js';
import { orgStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    'foreign-top-up': { org: string };
  }
}

export const foreignTopUpStep = defineStep({
  kind: 'foreign-top-up',
  schema: orgStep("A NewTopUp for the org from a contract that is not the provider's (must be ignored)."),
  fields: ['org'],
  scalar: 'org',
  build: (step) => ({ org: text(step, 'org') }),
  run: async (ctx, s) => {
    const w = ctx.world;
    const foreign = await deployEthProvider(
      sender(w.test, false),
      w.wallets.providerOwner,
      w.wallets.providerOwner.account.address,
      DEFAULT_TERMS.eth,
    );
    const receipt = await confirm(w.test, await topUp(w.wallets.user, foreign, ctx.org(s.org), 1));
    ctx.lastTxBlock = receipt.blockNumber;
    return {
      summary: `a foreign provider contract (${foreign}) emits NewTopUp for ${s.org}`,
      facts: { foreign, block: Number(receipt.blockNumber) },
    };
  },
  order: 80,
});
