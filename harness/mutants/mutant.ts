import type { Policy } from '../deployer/index.js';

/** A deliberately faulty deployer: the reference with some of its decisions made otherwise. */
export interface Mutant {
  /** The bug, as the start log and the docs say it. */
  bug: string;
  /** Its decisions (made per process: a mutant may remember what it saw). */
  policy(): Partial<Policy>;
}
