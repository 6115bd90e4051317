/** `swap-top-up`: Pays a TokenProvider in ether, swapped for its token on the Uniswap v2 pool (CHAIN-TOKEN). */
import { defineStep } from './define.js';
import { tokenTopUpStep } from './support/pay.js';

declare module '../model.js' {
  interface StepForms {
    'swap-top-up': { org: string; packages: number };
  }
}

export const swapTopUpStep = defineStep({
  kind: 'swap-top-up',
  ...tokenTopUpStep(
    'swap',
    'Top up an org of a TokenProvider (`currency: token`) paying ether swapped for tokens: `swap-top-up: <org>` or `{ org, packages }`.',
  ),
  order: 34,
});
