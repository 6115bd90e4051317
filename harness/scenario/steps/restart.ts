/** `restart`: Restarts the provider (`controller`) or an org's org-node (`node:<org>`). */
import type { Target } from '../model.js';
import { defineStep } from './define.js';
import { targetStep } from './support/targets.js';

declare module '../model.js' {
  interface StepForms {
    restart: { target: Target };
  }
}

export const restartStep = defineStep({ order: 160, kind: 'restart', ...targetStep('restart', 'Restart') });
