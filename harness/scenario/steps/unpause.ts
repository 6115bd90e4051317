/** `unpause`: Unpauses the provider (`controller`) or an org's org-node (`node:<org>`). */
import type { Target } from '../model.js';
import { defineStep } from './define.js';
import { targetStep } from './support/targets.js';

declare module '../model.js' {
  interface StepForms {
    unpause: { target: Target };
  }
}

export const unpauseStep = defineStep({ order: 180, kind: 'unpause', ...targetStep('unpause', 'Unpause') });
