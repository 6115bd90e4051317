/** `bandwidth`: Caps the bandwidth of a peer's LAN. */
import { capBandwidth } from '../../faults/index.js';
import { count, defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';
import { lanOf } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    bandwidth: { peer: string; kbit: number };
  }
}

export const bandwidthStep = defineStep({
  kind: 'bandwidth',
  schema: mapping(
    "Cap the peer's link at `kbit` kbit/s: `{ peer, kbit }`.",
    { peer: ref('name'), kbit: { type: 'number', exclusiveMinimum: 0 } },
    ['peer', 'kbit'],
  ),
  fields: ['peer', 'kbit'],
  build: (step) => ({ peer: text(step, 'peer'), kbit: count(step, 'kbit')! }),
  run: async (ctx, s) => {
    const lan = lanOf(ctx, s.peer);
    ctx.faults.push(
      await capBandwidth(lan.router.container, {
        rate: `${s.kbit}kbit`,
        link: { network: lan.network.name },
      }),
    );
    return { summary: `${s.kbit} kbit/s on ${s.peer}'s LAN` };
  },
});
