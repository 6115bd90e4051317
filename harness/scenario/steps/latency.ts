/** `latency`: Delays the packets on a peer's LAN. */
import { injectLatency } from '../../faults/index.js';
import { count, defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';
import { lanOf } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    latency: { peer: string; ms: number };
  }
}

export const latencyStep = defineStep({
  kind: 'latency',
  schema: mapping(
    "Delay the peer's packets by `ms`: `{ peer, ms }`.",
    { peer: ref('name'), ms: { type: 'number', minimum: 0 } },
    ['peer', 'ms'],
  ),
  fields: ['peer', 'ms'],
  build: (step) => ({ peer: text(step, 'peer'), ms: count(step, 'ms')! }),
  run: async (ctx, s) => {
    const lan = lanOf(ctx, s.peer);
    ctx.faults.push(
      await injectLatency(lan.router.container, { delayMs: s.ms, link: { network: lan.network.name } }),
    );
    return { summary: `${s.ms} ms latency on ${s.peer}'s LAN` };
  },
});
