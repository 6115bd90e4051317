/** `loss`: Drops a share of the packets a peer sends through its LAN's uplink. */
import { injectLoss } from '../../faults/index.js';
import { defineStep } from './define.js';
import { lanFaultStep } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    loss: { peer: string; percent: number };
  }
}

export const lossStep = defineStep({
  kind: 'loss',
  ...lanFaultStep(
    'percent',
    "Drop `percent` % of the peer's packets: `{ peer, percent }`.",
    { type: 'number', minimum: 0, maximum: 100 },
    (lan, s, ctx) =>
      injectLoss(lan.router.container, {
        probability: s.percent / 100,
        link: { network: lan.network.name },
        from: ctx.peer(s.peer).address,
      }),
    (s) => `${s.percent}% loss on ${s.peer}'s uplink`,
  ),
  order: 210,
});
