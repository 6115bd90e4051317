import type { OrgRow, Policy } from '../deployer/index.js';

/**
 * A `recreate` decision that remembers, per org, the expiry it last served with and recreates the
 * org-node when the expiry moves and `also(row, before)` agrees: the shared shape of the mutants
 * whose bug is restarting a node a top-up should only have extended.
 */
export function recreateOnExpiryChange(
  also: (row: OrgRow, before: bigint) => boolean = () => true,
): Pick<Policy, 'recreate'> {
  const served = new Map<string, bigint>();
  return {
    recreate(row) {
      const before = served.get(row.org);
      served.set(row.org, row.expiry);
      return before !== undefined && before !== row.expiry && also(row, before);
    },
  };
}
