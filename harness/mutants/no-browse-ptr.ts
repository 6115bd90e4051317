import type { Mutant } from './mutant.js';

/**
 * Publishes A, SRV and TXT but never lists the org's instance in the DNS-SD browse PTR RRset (as a
 * provider still writing oneclick/v1's names would): the records are there, nothing points to them.
 */
export const noBrowsePtr: Mutant = {
  bug: "publishes A, SRV and TXT but never lists the org's instance in the DNS-SD browse PTR",
  policy: () => ({ browsePtr: false }),
};
