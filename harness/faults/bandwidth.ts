import type { StartedContainer } from '../docker/container.js';
import { faultId, makeFault, serialized, type Fault } from './fault.js';
import { describeLink, resolveInterface, type Direction, type LinkSelector } from './links.js';
import { shapeLink } from './tc.js';

export interface BandwidthOptions {
  /** Bits per second, or tc's notation: `512kbit`, `1mbit`, `1.5mbit`, `1gbit`. */
  rate: number | string;
  link: LinkSelector;
  /** Defaults to `egress`. Ingress goes through an ifb device. */
  direction?: Direction;
  /** Token bucket size; defaults to 10 ms worth of the rate, at least 4 KiB. */
  burstBytes?: number;
  /** Longest a packet may wait in the shaper before it is dropped; defaults to 100 ms. */
  queueMs?: number;
}

export type BandwidthFault = Fault<'bandwidth'> & {
  readonly rateBitsPerSecond: number;
  readonly interface: string;
  readonly direction: Direction;
  readonly backend: 'tbf';
};

/** Caps a link's throughput with a token bucket filter (tc tbf). Heal removes the qdisc(s). */
export async function capBandwidth(
  target: StartedContainer,
  options: BandwidthOptions,
): Promise<BandwidthFault> {
  const bps = parseRate(options.rate);
  const direction = options.direction ?? 'egress';
  const burst = Math.max(4096, Math.ceil(options.burstBytes ?? bps / 8 / 100));
  const queueMs = options.queueMs ?? 100;
  const id = faultId();
  return serialized(target, async () => {
    const iface = await resolveInterface(target, options.link);
    const description = `bandwidth ${formatRate(bps)} on ${target.name} ${describeLink(iface, direction)}`;
    const qdisc = ['tbf', 'rate', `${bps}bit`, 'burst', String(burst), 'latency', `${queueMs}ms`];
    const remove = await shapeLink(target, iface, direction, qdisc, id, description);
    return makeFault(
      { kind: 'bandwidth', id, target: target.name, description },
      () => serialized(target, remove),
      { rateBitsPerSecond: bps, interface: iface, direction, backend: 'tbf' as const },
    );
  });
}

const UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };

/** Bits per second from a number or `<n>bit|kbit|mbit|gbit`. */
export function parseRate(rate: number | string): number {
  if (typeof rate === 'number') {
    if (!(rate >= 8 && Number.isFinite(rate)))
      throw new Error(`bandwidth rate must be at least 8 bit/s (got ${rate})`);
    return Math.round(rate);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit)\s*$/i.exec(rate);
  if (!match) throw new Error(`bandwidth rate "${rate}": use bits per second or e.g. 512kbit, 1mbit, 1gbit`);
  return parseRate(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
}

export function formatRate(bps: number): string {
  for (const [unit, size] of [
    ['gbit', 1e9],
    ['mbit', 1e6],
    ['kbit', 1e3],
  ] as const) {
    if (bps >= size) return `${+(bps / size).toFixed(2)}${unit}`;
  }
  return `${bps}bit`;
}
