/** `suspend`: The provider owner ends a deployment; proves it ends in that block with DeploymentStopped. */
import { defineStep, text } from './define.js';
import { stopDeployment } from './support/chain.js';
import { orgStep } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    suspend: { org: string };
  }
}

export const suspendStep = defineStep({
  kind: 'suspend',
  schema: orgStep('The provider owner suspends the deployment.'),
  fields: ['org'],
  scalar: 'org',
  build: (step) => ({ org: text(step, 'org') }),
  run: (ctx, s) => stopDeployment(ctx, 'suspend', s.org),
  order: 50,
});
