/**
 * oneclick's own mutant providers (fixtures/providers/faulty/<name>): each is the reference
 * deployer constructed with a policy that makes one realistic bug, breaking one requirement, so
 * the conformance suite can show it catches it (the package's `mustFail`). Built from outside the
 * reference: a mutant is one file here and one line below, and never edits harness/deployer.
 */
import { withPolicy, type Policy } from '../deployer/index.js';
import { amnesia } from './amnesia.js';
import { anyEmitter } from './any-emitter.js';
import { apiOnlyEdge } from './api-only-edge.js';
import { earlyByOne } from './early-by-one.js';
import { earlyTeardown } from './early-teardown.js';
import { ephemeralStorage } from './ephemeral-storage.js';
import { ethOnly } from './eth-only.js';
import { headFinal } from './head-final.js';
import { idleLimits } from './idle-limits.js';
import { ignoreAnchors } from './ignore-anchors.js';
import { ignoreConfirmations } from './ignore-confirmations.js';
import { lastUpstream } from './last-upstream.js';
import type { Mutant } from './mutant.js';
import { neverTeardown } from './never-teardown.js';
import { nextP2pNode } from './next-p2p-node.js';
import { noBrowsePtr } from './no-browse-ptr.js';
import { onePerAddress } from './one-per-address.js';
import { restartInGrace } from './restart-in-grace.js';
import { reorgFinal } from './reorg-final.js';
import { restartOnExtend } from './restart-on-extend.js';
import { sharedPort } from './shared-port.js';
import { smallBuffers } from './small-buffers.js';
import { wrongNid } from './wrong-nid.js';

export type { Mutant } from './mutant.js';

/** name (= the package's folder) → the mutant. */
export const MUTANTS = {
  'restart-on-extend': restartOnExtend,
  'never-teardown': neverTeardown,
  'wrong-nid': wrongNid,
  'ephemeral-storage': ephemeralStorage,
  'ignore-confirmations': ignoreConfirmations,
  'shared-port': sharedPort,
  'early-teardown': earlyTeardown,
  amnesia,
  'ignore-anchors': ignoreAnchors,
  'restart-in-grace': restartInGrace,
  'api-only-edge': apiOnlyEdge,
  'early-by-one': earlyByOne,
  'reorg-final': reorgFinal,
  'any-emitter': anyEmitter,
  'eth-only': ethOnly,
  'head-final': headFinal,
  'no-browse-ptr': noBrowsePtr,
  'idle-limits': idleLimits,
  'last-upstream': lastUpstream,
  'next-p2p-node': nextP2pNode,
  'one-per-address': onePerAddress,
  'small-buffers': smallBuffers,
} as const satisfies Record<string, Mutant>;

export type MutantName = keyof typeof MUTANTS;
export const MUTANT_NAMES = Object.keys(MUTANTS) as MutantName[];
/** Which mutant the mutants' entry runs. */
export const MUTANT_VARIABLE = 'MUTANT';

export function isMutant(name: string): name is MutantName {
  return Object.hasOwn(MUTANTS, name);
}

/** The mutant `env` names, or the problem (naming the variable and the known names). */
export function mutantOf(
  env: Readonly<Record<string, string | undefined>>,
): MutantName | { problem: string } {
  const value = env[MUTANT_VARIABLE]?.trim() ?? '';
  if (isMutant(value)) return value;
  const expected = `${MUTANT_VARIABLE}: expected one of ${MUTANT_NAMES.join(', ')} (the deliberate bugs of oneclick's mutant providers)`;
  return {
    problem: value === '' ? `${expected} (it is not set)` : `${expected}, got ${JSON.stringify(value)}`,
  };
}

/** The deployer's policy for mutant `name`; it says at start that it is deliberately faulty. */
export function mutantPolicy(name: MutantName): Policy {
  const mutant: Mutant = MUTANTS[name];
  const policy = withPolicy(mutant.policy());
  return {
    ...policy,
    start(config, context) {
      context.log.warn('deliberately faulty (a oneclick mutant provider)', { mutant: name, bug: mutant.bug });
      return policy.start(config, context);
    },
  };
}
