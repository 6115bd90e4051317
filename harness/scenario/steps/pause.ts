/** `pause`: Pauses the provider (`controller`) or an org's org-node (`node:<org>`). */
import type { Target } from '../model.js';
import { defineStep } from './define.js';
import { targetStep } from './support/targets.js';

declare module '../model.js' {
  interface StepForms {
    pause: { target: Target };
  }
}

export const pauseStep = defineStep({ order: 170, kind: 'pause', ...targetStep('pause', 'Pause') });
