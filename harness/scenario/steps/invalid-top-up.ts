/** `invalid-top-up`: A payment that is not a whole number of packages; passes when each reverts with InvalidAmount. */
import { simulateContract } from 'viem/actions';
import { ethProviderAbi } from '../../../contracts/index.js';
import { packagePrice } from '../../chain/actions.js';
import { defineStep, text } from './define.js';
import { provider } from './support/chain.js';
import { orgStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    'invalid-top-up': { org: string };
  }
}

export const invalidTopUpStep = defineStep({
  kind: 'invalid-top-up',
  schema: orgStep(
    'A payment that is not a whole number of packages; passes when it reverts with InvalidAmount.',
  ),
  fields: ['org'],
  scalar: 'org',
  build: (step) => ({ org: text(step, 'org') }),
  run: async (ctx, s) => {
    const org = ctx.org(s.org);
    const w = ctx.world;
    const price = await packagePrice(w.test, provider(ctx));
    const tries = [price + 1n, price / 2n, 0n];
    const errors: string[] = [];
    for (const value of tries) {
      try {
        await simulateContract(w.wallets.user, {
          address: provider(ctx),
          abi: ethProviderAbi,
          functionName: 'topUp',
          args: [org],
          value,
          account: w.wallets.user.account,
        });
        errors.push(`${value}: accepted`);
      } catch (error) {
        const name = (error as { cause?: { data?: { errorName?: string } } }).cause?.data?.errorName;
        errors.push(`${value}: ${name ?? (error as Error).message.split('\n')[0]}`);
      }
    }
    const holds = errors.every((e) => e.endsWith(': InvalidAmount'));
    return {
      summary: `top-up ${s.org} with amounts that are not whole packages`,
      check: {
        holds,
        ...(!holds && { failure: `not each reverts with InvalidAmount: ${errors.join('; ')}` }),
        expected: `each of ${tries.join(', ')} wei reverts with InvalidAmount`,
        observed: { results: errors },
      },
    };
  },
  order: 30,
});
