import { describe, expect, it } from 'vitest';
import { expiryOf } from '../../harness/chain/actions.js';
import { mine } from '../../harness/chain/mining.js';
import { ADDRESS_BATCH } from '../../harness/deployer/watcher/index.js';
import { rpcChainReader, type ChainReader, type LogFilter } from '../../harness/deployer/rpc.js';
import { useWorld } from '../contracts/fixture.js';
import { org, topUpMany, watch } from './fixture.js';

const world = useWorld();

/** Records every eth_getLogs range. */
function recording(reader: ChainReader) {
  const ranges: LogFilter[] = [];
  return {
    ranges,
    reader: { ...reader, logs: (f: LogFilter) => (ranges.push(f), reader.logs(f)) } satisfies ChainReader,
  };
}

describe('watcher: catch-up', () => {
  it('catches up hundreds of orgs in bounded ranges; a second start resumes from the cursor', async () => {
    const w = world();
    // More orgs than one anchor query takes, so anchor queries are split too.
    const orgs = Array.from({ length: ADDRESS_BATCH + 20 }, (_, i) => org(1000 + i));
    await topUpMany(w, w.d.ethProvider, orgs, { perBlock: 40 });
    // Extensions of some, in later blocks: the last top-up of an org wins.
    const extended = orgs.slice(0, 30);
    await topUpMany(w, w.d.ethProvider, extended, { perBlock: 15 });
    await mine(w.test, 3);

    const range = 4n;
    const first = recording(rpcChainReader(w.chain.rpcUrl));
    const t = watch(w, { confirmations: 2n, logRangeBlocks: range }, { reader: first.reader });
    const steps = await t.watcher.sync();
    expect(steps.length).toBeGreaterThan(4);
    for (const f of first.ranges) expect(f.toBlock - f.fromBlock + 1n).toBeLessThanOrEqual(range);
    expect(first.ranges.some((f) => Array.isArray(f.address) && f.address.length === ADDRESS_BATCH)).toBe(
      true,
    );
    expect(t.store.counts()).toMatchObject({ orgs: orgs.length, logs: orgs.length + extended.length });

    const cursor = t.store.cursor()!;
    const expiries = await Promise.all(
      orgs.map((o) => expiryOf(w.test, w.d.ethProvider, o, { blockNumber: cursor.number })),
    );
    const rows = new Map(t.store.desiredOrgs().map((d) => [d.org, d]));
    orgs.forEach((o, i) => expect(rows.get(o), o).toMatchObject({ expiry: expiries[i], active: true }));
    const changed = t.changes.flatMap((c) => c.changed);
    expect(new Set(changed.map((c) => c.org)).size).toBe(orgs.length);

    // A second start on the same state: nothing before the cursor is read or applied again.
    t.store.close();
    const second = recording(rpcChainReader(w.chain.rpcUrl));
    const again = watch(
      w,
      { confirmations: 2n, logRangeBlocks: range },
      { dir: t.dir, reader: second.reader },
    );
    const before = again.store.counts();
    await mine(w.test, 1);
    const resumed = await again.watcher.sync();
    expect(resumed[0]!.from).toBe(cursor.number + 1n);
    expect(resumed.reduce((n, s) => n + s.applied, 0)).toBe(0);
    expect(second.ranges.every((f) => f.fromBlock > cursor.number)).toBe(true);
    expect(again.store.counts()).toEqual({ ...before, blocks: again.store.counts().blocks });
    expect(again.changes).toEqual([]);
  });
});
