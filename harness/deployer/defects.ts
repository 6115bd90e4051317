/**
 * Deliberate defects, for oneclick's own mutant providers (fixtures/providers/faulty/<name>): each
 * is a realistic bug that breaks one requirement, switched on by DEPLOYER_DEFECT=<name>. Without
 * the variable the deployer is the reference and none of this acts. Kept here, with one tiny hook
 * at each place a defect acts (main.ts for the start, reconcile.ts for the rest), so the reference
 * stays readable. A mutant proves the conformance suite catches the bug (its `mustFail`).
 */
import { rm } from 'node:fs/promises';
import type { DeployerConfig } from './config.js';
import type { Desired } from './desired.js';
import type { Logger } from './log.js';

/** name → the bug. */
export const DEFECTS = {
  'restart-on-extend':
    'recreates the org-node container when the expiry changes (same volume and NID, but the node restarts)',
  'never-teardown': 'never tears down: ended deployments keep their node and records',
  'wrong-nid': 'publishes a wrong NID in TXT (the node NID with its last character changed)',
  'ephemeral-storage': 'org-node data on a tmpfs, not a volume: a node restart or a renewal gets a new NID',
  'ignore-confirmations': 'acts on logs at depth 0 (ignores ONECLICK_CONFIRMATIONS)',
  'shared-port': 'hands the same public p2p port to every org',
  'early-teardown': 'ignores the grace: tears down at expiry, not expiry + grace',
  amnesia: 'forgets its state on every start and watches from the head: earlier deployments are strays',
  'ignore-anchors': 'never seeds anchored repositories',
} as const;

export type Defect = keyof typeof DEFECTS;
export const DEFECT_VARIABLE = 'DEPLOYER_DEFECT';
export const DEFECT_NAMES = Object.keys(DEFECTS) as Defect[];

export function isDefect(name: string): name is Defect {
  return Object.hasOwn(DEFECTS, name);
}

/**
 * The configuration the deployer acts on, at start: ignore-confirmations reads logs at depth 0,
 * early-teardown has no grace, amnesia deletes its state and watches from the current head.
 */
export async function startDefect(
  config: DeployerConfig,
  { stateFile, head, log }: { stateFile: string; head: () => Promise<bigint>; log: Logger },
): Promise<DeployerConfig> {
  const defect = config.defect;
  if (!defect) return config;
  log.warn('deliberately faulty (a oneclick mutant provider)', { defect, bug: DEFECTS[defect] });
  if (defect === 'ignore-confirmations') return { ...config, confirmations: 0n };
  if (defect === 'early-teardown') return { ...config, graceBlocks: 0n };
  if (defect === 'amnesia') {
    for (const suffix of ['', '-wal', '-shm']) await rm(`${stateFile}${suffix}`, { force: true });
    return { ...config, startBlock: await retried(head) };
  }
  return config;
}

async function retried<T>(fn: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The reconciler's hooks; each is the identity (the reference's behaviour) unless its defect is on. */
export function reconcilerDefects(defect: Defect | undefined, portRange: { min: number }) {
  const servedExpiry = new Map<string, bigint>();
  return {
    /** never-teardown: an ended deployment (not one reorged away: expiry 0) is still wanted. */
    wanted: (row: { desired: Desired; expiry: bigint }): boolean =>
      row.desired === 'run' || (defect === 'never-teardown' && row.expiry > 0n),
    /** shared-port: the port every org gets (else undefined: the store allocates one each). */
    sharedPort: defect === 'shared-port' ? portRange.min : undefined,
    /** ephemeral-storage: /radicle on a tmpfs (emptied on every stop) instead of the org's volume. */
    dataMount: (volume: string) =>
      defect === 'ephemeral-storage'
        ? { Type: 'tmpfs' as const, Source: '', Target: '/radicle' }
        : { Type: 'volume' as const, Source: volume, Target: '/radicle' },
    /** wrong-nid: what TXT says the NID is (the last base58 character changed: still z6Mk…). */
    publishedNid: (nid: string): string =>
      defect === 'wrong-nid'
        ? nid.slice(0, -1) + BASE58[(BASE58.indexOf(nid.slice(-1)) + 1) % BASE58.length]
        : nid,
    /** restart-on-extend: true when the org's expiry changed since the last pass wanting it. */
    recreate(org: string, expiry: bigint): boolean {
      if (defect !== 'restart-on-extend') return false;
      const before = servedExpiry.get(org);
      servedExpiry.set(org, expiry);
      return before !== undefined && before !== expiry;
    },
    /** ignore-anchors: anchored repositories are not seeded. */
    seeds: defect !== 'ignore-anchors',
  };
}
