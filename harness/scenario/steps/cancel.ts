/** `cancel`: The org owner ends its deployment; proves it ends in that block with DeploymentStopped. */
import { defineStep, text } from './define.js';
import { stopDeployment } from './support/chain.js';
import { orgStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    cancel: { org: string };
  }
}

export const cancelStep = defineStep({
  kind: 'cancel',
  schema: orgStep('The org owner cancels its deployment.'),
  fields: ['org'],
  scalar: 'org',
  build: (step) => ({ org: text(step, 'org') }),
  run: (ctx, s) => stopDeployment(ctx, 'cancel', s.org),
  order: 40,
});
