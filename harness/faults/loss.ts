import type { StartedContainer } from '../docker/container.js';
import { faultId, makeFault, serialized, type Fault } from './fault.js';
import { directionRules, insertRules } from './iptables.js';
import {
  describeLink,
  resolveInterface,
  type AddressSet,
  type Direction,
  type LinkSelector,
} from './links.js';

export interface LossOptions {
  /** Chance that a packet is dropped, 0..1. */
  probability: number;
  /** Omit for every link of the container. */
  link?: LinkSelector;
  /** Defaults to `both`. */
  direction?: Direction;
  /** Only packets from / to these addresses or CIDRs. */
  from?: AddressSet;
  to?: AddressSet;
}

export type LossFault = Fault<'loss'> & {
  readonly probability: number;
  readonly interface: string | undefined;
  readonly direction: Direction;
  readonly backend: 'iptables-statistic';
};

/**
 * Random packet loss: `-m statistic --mode random --probability p -j DROP`, first in the filter
 * table's chains (see `Direction`). Each packet is judged once: with `both` on a router's link, a
 * round trip loses its request or its answer, each with chance p.
 */
export async function injectLoss(target: StartedContainer, options: LossOptions): Promise<LossFault> {
  const p = options.probability;
  if (!(p >= 0 && p <= 1)) throw new Error(`loss probability must be within 0..1 (got ${p})`);
  const direction = options.direction ?? 'both';
  const id = faultId();
  return serialized(target, async () => {
    const iface = options.link ? await resolveInterface(target, options.link) : undefined;
    const rules = directionRules(
      'filter',
      iface,
      direction,
      ['-m', 'statistic', '--mode', 'random', '--probability', p.toFixed(6), '-j', 'DROP'],
      options,
    );
    const remove = await insertRules(target, rules, id);
    return makeFault(
      {
        kind: 'loss',
        id,
        target: target.name,
        description: `loss ${+(p * 100).toFixed(2)}% on ${target.name} ${describeLink(iface, direction)}`,
      },
      () => serialized(target, remove),
      { probability: p, interface: iface, direction, backend: 'iptables-statistic' as const },
    );
  });
}
