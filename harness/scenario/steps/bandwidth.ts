/** `bandwidth`: Caps the bandwidth of a peer's LAN. */
import { capBandwidth } from '../../faults/index.js';
import { defineStep } from './define.js';
import { lanFaultStep } from './support/lans.js';

declare module '../model.js' {
  interface StepForms {
    bandwidth: { peer: string; kbit: number };
  }
}

export const bandwidthStep = defineStep({
  kind: 'bandwidth',
  ...lanFaultStep(
    'kbit',
    "Cap the peer's link at `kbit` kbit/s: `{ peer, kbit }`.",
    { type: 'number', exclusiveMinimum: 0 },
    (lan, s) =>
      capBandwidth(lan.router.container, { rate: `${s.kbit}kbit`, link: { network: lan.network.name } }),
    (s) => `${s.kbit} kbit/s on ${s.peer}'s LAN`,
  ),
  order: 230,
});
