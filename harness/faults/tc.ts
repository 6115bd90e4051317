import type { StartedContainer } from '../docker/container.js';
import { netnsStillThere } from './fault.js';

/**
 * A root qdisc on one device; the returned function deletes it. Adding fails (rather than replacing)
 * when the device already has one, e.g. from another fault on the same link.
 */
export async function addRootQdisc(
  target: StartedContainer,
  dev: string,
  qdisc: string[],
  what: string,
): Promise<() => Promise<void>> {
  const result = await target.exec(['tc', 'qdisc', 'add', 'dev', dev, 'root', ...qdisc]);
  if (result.exitCode !== 0) {
    const busy = /exclusivity|file exists/i.test(result.stderr)
      ? ' (it already has a root qdisc: another fault?)'
      : '';
    throw new Error(`${target.name}: tc could not add ${qdisc[0]} on ${dev}${busy}: ${result.stderr.trim()}`);
  }
  return async () => {
    if (!(await netnsStillThere(target, what))) return;
    const del = await target.exec(['tc', 'qdisc', 'del', 'dev', dev, 'root']);
    if (
      del.exitCode !== 0 &&
      !/cannot find device|no such|invalid handle|cannot delete qdisc with handle of zero/i.test(del.stderr)
    ) {
      throw new Error(`${target.name}: could not remove the qdisc of ${dev}: ${del.stderr.trim()}`);
    }
  };
}

/**
 * Egress shaping cannot touch arriving packets, so ingress faults redirect a device's arriving
 * packets to an ifb device (`ocifb-<fault id>`) and shape that device's egress. The returned
 * function removes the redirect and the ifb device.
 */
export async function ingressToIfb(
  target: StartedContainer,
  dev: string,
  faultId: string,
  what: string,
): Promise<{ ifb: string; remove: () => Promise<void> }> {
  const ifb = `ocifb-${faultId}`.slice(0, 15);
  const undo: string[][] = [];
  const remove = async () => {
    if (!(await netnsStillThere(target, what))) return;
    for (const cmd of [...undo].reverse()) await target.exec(cmd);
  };
  try {
    await target.run(['ip', 'link', 'add', ifb, 'type', 'ifb']);
    undo.push(['ip', 'link', 'del', ifb]);
    await target.run(['ip', 'link', 'set', ifb, 'up']);
    const ingress = await target.exec(['tc', 'qdisc', 'add', 'dev', dev, 'handle', 'ffff:', 'ingress']);
    if (ingress.exitCode !== 0) {
      throw new Error(
        `tc could not add an ingress qdisc on ${dev} (another ingress fault on it?): ${ingress.stderr.trim()}`,
      );
    }
    undo.push(['tc', 'qdisc', 'del', 'dev', dev, 'handle', 'ffff:', 'ingress']);
    await target.run([
      'tc',
      'filter',
      'add',
      'dev',
      dev,
      'parent',
      'ffff:',
      'protocol',
      'all',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      ifb,
    ]);
  } catch (error) {
    await remove().catch(() => undefined);
    throw new Error(`${target.name}: ${(error as Error).message}`);
  }
  return { ifb, remove };
}

/**
 * Puts a qdisc on a link's direction: egress as the device's root qdisc, ingress on an ifb device
 * fed by the link; `both` does the two. Returns the function that removes everything it added.
 */
export async function shapeLink(
  target: StartedContainer,
  dev: string,
  direction: 'ingress' | 'egress' | 'both',
  qdisc: string[],
  faultId: string,
  what: string,
): Promise<() => Promise<void>> {
  const undo: Array<() => Promise<void>> = [];
  const remove = async () => {
    for (const step of [...undo].reverse()) await step();
  };
  try {
    if (direction !== 'ingress') undo.push(await addRootQdisc(target, dev, qdisc, what));
    if (direction !== 'egress') {
      const { ifb, remove: unredirect } = await ingressToIfb(target, dev, faultId, what);
      undo.push(unredirect);
      undo.push(await addRootQdisc(target, ifb, qdisc, what));
    }
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  return remove;
}
