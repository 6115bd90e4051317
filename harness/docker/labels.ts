import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Every container, network and volume oneclick creates carries this label. */
export const RUN_LABEL = 'oneclick.run';
/** The pid and host of the process that owns the run, so a sweep can tell a crashed run from a live one. */
export const OWNER_LABEL = 'oneclick.owner';

export function newRunId(prefix = 'oc'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function ownerTag(): string {
  return `${hostname()}:${process.pid}`;
}

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [RUN_LABEL]: runId, [OWNER_LABEL]: ownerTag(), ...extra };
}
