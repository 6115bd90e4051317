import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedContainer } from '../docker/container.js';
import { containerState, makeFault, type Fault } from './fault.js';

export type KillFault = Fault<'kill'> & { readonly signal: string };
export type StopFault = Fault<'stop'>;
export type PauseFault = Fault<'pause'>;

/**
 * Kills the container's main process (SIGKILL unless told otherwise) and, for SIGKILL, waits until
 * the engine reports it down. Heal starts it again (a no-op if a restart policy already did).
 */
export async function killContainer(
  target: StartedContainer,
  options: { signal?: string } = {},
): Promise<KillFault> {
  const signal = options.signal ?? 'SIGKILL';
  const before = await target.inspect();
  await target.kill(signal);
  if (signal === 'SIGKILL' || signal === 'KILL' || signal === '9')
    await waitDown(target, before.State.StartedAt);
  return makeFault(
    { kind: 'kill', target: target.name, description: `kill ${target.name} (${signal})` },
    () => target.start(),
    { signal },
  );
}

/** Stops the container (SIGTERM, then SIGKILL after the timeout). Heal starts it again. */
export async function stopContainer(
  target: StartedContainer,
  options: { timeoutSeconds?: number } = {},
): Promise<StopFault> {
  await target.stop(options.timeoutSeconds ?? 10);
  return makeFault(
    { kind: 'stop', target: target.name, description: `stop ${target.name}` },
    () => target.start(),
    {},
  );
}

/** Freezes every process of the container (cgroup freezer): it stops answering but keeps its state. */
export async function pauseContainer(target: StartedContainer): Promise<PauseFault> {
  await freeze(target);
  return makeFault(
    { kind: 'pause', target: target.name, description: `pause ${target.name}` },
    async () => {
      if ((await containerState(target)) === 'paused') await target.unpause();
    },
    {},
  );
}

/**
 * runc gives up freezing a cgroup whose processes are still forking (a service that just started,
 * or one spawning a child per connection) and reports "unable to freeze"; a later attempt succeeds.
 */
async function freeze(target: StartedContainer, attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await target.pause();
      return;
    } catch (error) {
      const transient = /unable to freeze/i.test(String(error));
      if (!transient || attempt >= attempts) throw error;
      if ((await containerState(target)) === 'paused') return;
      await sleep(100 * attempt);
    }
  }
}

/** Restarts the container (stop then start). Nothing to heal: it is up again when this resolves. */
export async function restartContainer(
  target: StartedContainer,
  options: { timeoutSeconds?: number } = {},
): Promise<void> {
  await target.restart(options.timeoutSeconds ?? 10);
}

/** Until the container is down, or was brought back by its restart policy (a new StartedAt). */
async function waitDown(target: StartedContainer, startedAt: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { State } = await target.inspect();
    if (!State.Running || State.Restarting || State.StartedAt !== startedAt) return;
    if (Date.now() > deadline) throw new Error(`${target.name} still running ${timeoutMs} ms after SIGKILL`);
    await sleep(50);
  }
}
