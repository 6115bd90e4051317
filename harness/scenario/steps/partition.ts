/** `partition`: Cuts a peer's LAN off from an org's edge address (healed by heal). */
import { partition } from '../../faults/index.js';
import { defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';
import { edgeAddress, lanOf } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    partition: { peer: string; org: string };
  }
}

export const partitionStep = defineStep({
  kind: 'partition',
  schema: mapping(
    "Cut the peer off from the org's node: `{ peer, org }`.",
    { peer: ref('name'), org: ref('name') },
    ['peer', 'org'],
  ),
  fields: ['peer', 'org'],
  build: (step) => ({ peer: text(step, 'peer'), org: text(step, 'org') }),
  run: async (ctx, s) => {
    const lan = lanOf(ctx, s.peer);
    const fault = await partition(lan.router.container, {
      between: [ctx.peer(s.peer).address, await edgeAddress(ctx, s.org)],
    });
    ctx.faults.push(fault);
    return { summary: `partition ${s.peer} from ${s.org}'s edge` };
  },
  order: 190,
});
