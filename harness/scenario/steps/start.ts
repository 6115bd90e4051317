/** `start`: Starts the provider (`controller`) or an org's org-node (`node:<org>`). */
import type { Target } from '../model.js';
import { defineStep } from './define.js';
import { targetStep } from './support/targets.js';

declare module '../model.js' {
  interface StepForms {
    start: { target: Target };
  }
}

export const startStep = defineStep({ order: 150, kind: 'start', ...targetStep('start', 'Start') });
