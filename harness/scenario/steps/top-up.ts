/** `top-up`: Tops up an org with `packages` packages; proves the contract's arithmetic (CHAIN-TOPUP). */
import { count, defineStep, text } from './define.js';
import { orgStep } from './support/forms.js';
import { paidTopUp, pay } from './support/pay.js';

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
  run: (ctx, s) => paidTopUp(ctx, s, (org) => pay(ctx, org, s.packages), 'top-up'),
  order: 10,
});
