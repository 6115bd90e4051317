import pLimit, { type LimitFunction } from 'p-limit';
import { randomBytes } from 'node:crypto';
import type { StartedContainer } from '../docker/container.js';

export type FaultKind =
  'kill' | 'stop' | 'pause' | 'disconnect' | 'partition' | 'loss' | 'bandwidth' | 'latency';

/** An injected fault. `heal()` undoes exactly what was injected; calling it again is a no-op. */
export interface Fault<K extends FaultKind = FaultKind> {
  readonly kind: K;
  /** A short tag, unique per fault: iptables comments and tc/ifb names carry it. */
  readonly id: string;
  /** The container the fault was injected into (its name). */
  readonly target: string;
  /** One line for reports, e.g. `loss 50% on router-1 eth1 (ingress)`. */
  readonly description: string;
  readonly injectedAt: Date;
  /** Set when heal() has finished. */
  readonly healedAt: Date | undefined;
  /** Undoes the fault. Idempotent: later calls share the first call's promise. */
  heal(): Promise<void>;
}

export function faultId(): string {
  return randomBytes(4).toString('hex');
}

/** Builds a fault handle whose heal runs once. `extra` adds the kind's own read-only fields. */
export function makeFault<K extends FaultKind, E extends object>(
  base: { kind: K; id?: string; target: string; description: string },
  undo: () => Promise<void>,
  extra: E,
): Fault<K> & Readonly<E> {
  let healing: Promise<void> | undefined;
  const handle = {
    ...extra,
    kind: base.kind,
    id: base.id ?? faultId(),
    target: base.target,
    description: base.description,
    injectedAt: new Date(),
    healedAt: undefined as Date | undefined,
    heal(): Promise<void> {
      healing ??= undo().then(() => {
        handle.healedAt = new Date();
      });
      return healing;
    },
  };
  return handle;
}

/**
 * Heals faults last-injected first and reports every failure together (one failed heal does not
 * stop the others).
 */
export async function healAll(faults: ReadonlyArray<Pick<Fault, 'heal' | 'description'>>): Promise<void> {
  const errors: string[] = [];
  for (const fault of [...faults].reverse()) {
    try {
      await fault.heal();
    } catch (error) {
      errors.push(`${fault.description}: ${(error as Error).message}`);
    }
  }
  if (errors.length) throw new Error(`could not heal ${errors.length} fault(s):\n  ${errors.join('\n  ')}`);
}

// One limiter per container, kept for the process: a few hundred containers at most.
const queues = new Map<string, LimitFunction>();

/**
 * Runs network changes of one container one at a time (queue numbers, ifb names and rule order are
 * read then written). Different containers proceed in parallel.
 */
export function serialized<T>(target: StartedContainer, step: () => Promise<T>): Promise<T> {
  let queue = queues.get(target.id);
  if (!queue) queues.set(target.id, (queue = pLimit(1)));
  return queue(step);
}

export type ContainerState = 'running' | 'paused' | 'stopped' | 'gone';

export async function containerState(target: StartedContainer): Promise<ContainerState> {
  try {
    const { State } = await target.inspect();
    if (State.Paused) return 'paused';
    return State.Running ? 'running' : 'stopped';
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return 'gone';
    throw error;
  }
}

/**
 * Before undoing changes inside a container's network namespace: false when there is nothing left to
 * undo (a stopped or removed container lost its namespace, and every rule with it).
 */
export async function netnsStillThere(target: StartedContainer, what: string): Promise<boolean> {
  const state = await containerState(target);
  if (state === 'paused') throw new Error(`cannot heal ${what}: ${target.name} is paused (unpause it first)`);
  return state === 'running';
}
