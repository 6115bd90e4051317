import type { StartedContainer } from '../docker/container.js';
import { DELAYER_PATH, delayerRules, freeQueueNum, parseRoutes, startDelayer } from './delayer.js';
import { faultId, makeFault, serialized, type Fault } from './fault.js';
import { insertRules } from './iptables.js';
import {
  describeLink,
  resolveInterface,
  type AddressSet,
  type Direction,
  type LinkSelector,
} from './links.js';
import { shapeLink } from './tc.js';

export type LatencyBackend = 'netem' | 'delayer';

/** Forces a backend for every latency fault of this process: `netem`, `delayer` or `auto`. */
export const LATENCY_BACKEND_ENV = 'ONECLICK_LATENCY_BACKEND';

export interface LatencyOptions {
  /** Added to each packet, once per direction it is delayed in (`both` adds it twice to a round trip). */
  delayMs: number;
  /** Uniform ± jitter around the delay. netem may reorder packets with jitter; the delayer never does. */
  jitterMs?: number;
  /** Omit for every link (delayer only). */
  link?: LinkSelector;
  /** Defaults to `both`. */
  direction?: Direction;
  /** Only packets from / to these addresses or CIDRs (delayer only). */
  from?: AddressSet;
  to?: AddressSet;
  /** `auto` (the default): netem when the kernel has it and the fault is a whole link, else the delayer. */
  backend?: 'auto' | LatencyBackend;
  delayer?: {
    /** Path of the delayer inside the container; defaults to DELAYER_PATH. */
    path?: string;
    /** The NFQUEUE number; defaults to the lowest free one from 100 on. */
    queueNum?: number;
    /** Most packets held at once; the delayer drops (and counts) the rest. */
    maxQueue?: number;
  };
}

export type LatencyFault = Fault<'latency'> & {
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly interface: string | undefined;
  readonly direction: Direction;
  /** Which mechanism delays the packets; reports show it. */
  readonly backend: LatencyBackend;
  /** The NFQUEUE number (delayer backend). */
  readonly queueNum: number | undefined;
  /** The delayer's counters as it printed them on exit (delayer backend, once healed). */
  readonly delayerStats: Readonly<Record<string, number>> | undefined;
};

const netemCache = new Map<string, Promise<boolean>>();

/**
 * Whether the kernel under the container has sch_netem: adds (then removes) a zero-delay netem
 * qdisc on the container's loopback. Needs tc and NET_ADMIN. Cached per container.
 */
export function detectNetem(target: StartedContainer): Promise<boolean> {
  let cached = netemCache.get(target.id);
  if (!cached) {
    cached = probeNetem(target);
    cached.catch(() => netemCache.delete(target.id));
    netemCache.set(target.id, cached);
  }
  return cached;
}

async function probeNetem(target: StartedContainer): Promise<boolean> {
  const add = await target.exec(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '0ms']);
  if (add.exitCode === 0) {
    await target.run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    return true;
  }
  if (/kind is unknown|unknown qdisc/i.test(add.stderr)) return false;
  const show = await target.exec(['tc', 'qdisc', 'show', 'dev', 'lo']);
  if (show.exitCode === 0 && /\bnetem\b/.test(show.stdout)) return true;
  throw new Error(
    `${target.name}: could not probe for sch_netem (tc and NET_ADMIN needed): ${add.stderr.trim()}`,
  );
}

/**
 * Adds latency (and jitter) to a container's link or traffic. With sch_netem in the kernel it is a
 * netem qdisc (ingress through an ifb device); without, the NFQUEUE delayer: started in the container,
 * fed by raw-table `-j NFQUEUE --queue-num N --queue-bypass` rules (see `delayerRules` for why raw,
 * not FORWARD: conntrack would drop a new flow's packets queued behind its first). A released packet
 * goes on through conntrack, the router's own filter and NAT as usual; if the delayer dies,
 * --queue-bypass lets traffic pass undelayed. Heal removes the qdisc or the rules, then stops the
 * delayer, which first releases what it holds.
 */
export async function injectLatency(
  target: StartedContainer,
  options: LatencyOptions,
): Promise<LatencyFault> {
  const delayMs = options.delayMs;
  const jitterMs = options.jitterMs ?? 0;
  if (!(delayMs >= 0 && jitterMs >= 0 && Number.isFinite(delayMs + jitterMs))) {
    throw new Error(
      `latency: delayMs and jitterMs must be non-negative numbers (got ${delayMs}, ${jitterMs})`,
    );
  }
  const direction = options.direction ?? 'both';
  const narrowed = options.from !== undefined || options.to !== undefined;
  const wanted = options.backend ?? backendFromEnv();
  let backend: LatencyBackend;
  if (wanted === 'auto') {
    backend = options.link && !narrowed && (await detectNetem(target)) ? 'netem' : 'delayer';
  } else {
    backend = wanted;
    if (backend === 'netem') {
      if (!options.link || narrowed)
        throw new Error('latency: the netem backend works on a whole link (give link, not from/to)');
      if (!(await detectNetem(target))) {
        throw new Error(`latency: the kernel under ${target.name} has no sch_netem; use the delayer backend`);
      }
    }
  }
  const id = faultId();
  return serialized(target, async () => {
    const iface = options.link ? await resolveInterface(target, options.link) : undefined;
    const jitter = jitterMs ? ` ±${jitterMs} ms` : '';
    const scope = narrowed ? ` ${options.from ?? '*'} -> ${options.to ?? '*'}` : '';
    const description = `latency ${delayMs} ms${jitter} on ${target.name} ${describeLink(iface, direction)}${scope} via ${backend}`;
    const extra = {
      delayMs,
      jitterMs,
      interface: iface,
      direction,
      backend,
      queueNum: undefined as number | undefined,
      delayerStats: undefined as Readonly<Record<string, number>> | undefined,
    };
    if (backend === 'netem') {
      const qdisc = [
        'netem',
        'delay',
        `${delayMs}ms`,
        ...(jitterMs ? [`${jitterMs}ms`] : []),
        'limit',
        '10000',
      ];
      const remove = await shapeLink(target, iface!, direction, qdisc, id, description);
      return makeFault(
        { kind: 'latency', id, target: target.name, description },
        () => serialized(target, remove),
        extra,
      );
    }
    const queueNum = options.delayer?.queueNum ?? (await freeQueueNum(target));
    extra.queueNum = queueNum;
    const delayer = await startDelayer(target, {
      path: options.delayer?.path ?? DELAYER_PATH,
      queueNum,
      delayMs,
      jitterMs,
      maxQueue: options.delayer?.maxQueue,
      logFile: `/tmp/oneclick-delayer-${id}.log`,
    });
    let removeRules: () => Promise<void>;
    try {
      const needsRoutes = iface !== undefined && direction !== 'ingress';
      const { rules, chains } = delayerRules({
        iface,
        direction,
        queueNum,
        match: options,
        chainName: `OCF-${id}`,
        routes: needsRoutes
          ? parseRoutes(await target.run(['ip', '-4', 'route', 'show', 'table', 'main']))
          : [],
      });
      removeRules = await insertRules(target, rules, id, chains);
    } catch (error) {
      await delayer.stop().catch(() => undefined);
      throw error;
    }
    const fault: LatencyFault = makeFault(
      { kind: 'latency', id, target: target.name, description },
      () =>
        serialized(target, async () => {
          await removeRules();
          const stats = await delayer.stop();
          (fault as { delayerStats: LatencyFault['delayerStats'] }).delayerStats = stats;
        }),
      extra,
    );
    return fault;
  });
}

function backendFromEnv(): 'auto' | LatencyBackend {
  const value = process.env[LATENCY_BACKEND_ENV]?.trim();
  if (!value) return 'auto';
  if (value === 'auto' || value === 'netem' || value === 'delayer') return value;
  throw new Error(`${LATENCY_BACKEND_ENV} must be auto, netem or delayer (got "${value}")`);
}
