/** `loss`: Drops a share of the packets a peer sends through its LAN's uplink. */
import { injectLoss } from '../../faults/index.js';
import { count, defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';
import { lanOf } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    loss: { peer: string; percent: number };
  }
}

export const lossStep = defineStep({
  kind: 'loss',
  schema: mapping(
    "Drop `percent` % of the peer's packets: `{ peer, percent }`.",
    { peer: ref('name'), percent: { type: 'number', minimum: 0, maximum: 100 } },
    ['peer', 'percent'],
  ),
  fields: ['peer', 'percent'],
  build: (step) => ({ peer: text(step, 'peer'), percent: count(step, 'percent')! }),
  run: async (ctx, s) => {
    const lan = lanOf(ctx, s.peer);
    ctx.faults.push(
      await injectLoss(lan.router.container, {
        probability: s.percent / 100,
        link: { network: lan.network.name },
        from: ctx.peer(s.peer).address,
      }),
    );
    return { summary: `${s.percent}% loss on ${s.peer}'s uplink` };
  },
});
