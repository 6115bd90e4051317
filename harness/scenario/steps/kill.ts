/** `kill`: SIGKILLs the provider (`controller`) or an org's org-node (`node:<org>`). */
import type { Target } from '../model.js';
import { defineStep } from './define.js';
import { targetStep } from './support/targets.js';

declare module '../model.js' {
  interface StepForms {
    kill: { target: Target };
  }
}

export const killStep = defineStep({ order: 140, kind: 'kill', ...targetStep('kill', 'Kill') });
