/** `permit-top-up`: Pays a TokenProvider with an EIP-2612 permit instead of an approval (CHAIN-TOKEN). */
import { defineStep } from './define.js';
import { tokenTopUpStep } from './support/pay.js';

declare module '../model.js' {
  interface StepForms {
    'permit-top-up': { org: string; packages: number };
  }
}

export const permitTopUpStep = defineStep({
  kind: 'permit-top-up',
  ...tokenTopUpStep(
    'permit',
    'Top up an org of a TokenProvider (`currency: token`) with a signed permit: `permit-top-up: <org>` or `{ org, packages }`.',
  ),
  order: 32,
});
