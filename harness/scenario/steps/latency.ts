/** `latency`: Delays the packets on a peer's LAN. */
import { injectLatency } from '../../faults/index.js';
import { defineStep } from './define.js';
import { lanFaultStep } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    latency: { peer: string; ms: number };
  }
}

export const latencyStep = defineStep({
  kind: 'latency',
  ...lanFaultStep(
    'ms',
    "Delay the peer's packets by `ms`: `{ peer, ms }`.",
    { type: 'number', minimum: 0 },
    (lan, s) => injectLatency(lan.router.container, { delayMs: s.ms, link: { network: lan.network.name } }),
    (s) => `${s.ms} ms latency on ${s.peer}'s LAN`,
  ),
  order: 220,
});
