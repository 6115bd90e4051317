import { describe, expect, it } from 'vitest';
import { concatHex, padHex, type Address, type Hex } from 'viem';
import {
  anchor,
  cancel,
  createdOrg,
  createOrg,
  expiryOf,
  isActive,
  packagePrice,
  suspend,
  topUp,
} from '../../harness/chain/actions.js';
import { DEFAULT_TERMS, deployEthProvider, sender } from '../../harness/chain/deploy.js';
import { mine, reorg } from '../../harness/chain/mining.js';
import { TOPICS } from '../../harness/deployer/events.js';
import { mineTo, useWorld, type World } from '../contracts/fixture.js';
import { org, watch, type Watching } from './fixture.js';

const world = useWorld();
const PACKAGE = DEFAULT_TERMS.eth.packageBlocks;
const ORG = org(1);

async function head(w: World): Promise<bigint> {
  return w.test.getBlockNumber({ cacheTime: 0 });
}

/** The store agrees with the contract about `o` at the watcher's cursor. */
async function expectMatchesContract(w: World, t: Watching, o: Address) {
  const cursor = t.store.cursor()!.number;
  const expiry = await expiryOf(w.test, w.d.ethProvider, o, { blockNumber: cursor });
  const row = t.store.org(o);
  if (expiry === 0n) return expect(row).toBeUndefined();
  expect(row).toMatchObject({
    expiry,
    active: await isActive(w.test, w.d.ethProvider, o, { blockNumber: cursor }),
  });
}

describe('watcher: top-ups and confirmations', () => {
  it('acts on a top-up only once it is ONECLICK_CONFIRMATIONS deep', async () => {
    const w = world();
    const t = watch(w, { confirmations: 3n });
    await t.watcher.sync();
    const receipt = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));

    await mine(w.test, 2); // N − 1 blocks on top
    await t.watcher.sync();
    expect(t.store.org(ORG)).toBeUndefined();
    expect(t.changes).toEqual([]);

    await mine(w.test, 1);
    const [last] = (await t.watcher.sync()).slice(-1);
    expect(last!.to).toBe(receipt.blockNumber);
    const expiry = await expiryOf(w.test, w.d.ethProvider, ORG);
    expect(expiry).toBe(receipt.blockNumber + PACKAGE);
    expect(t.store.org(ORG)).toMatchObject({ expiry, active: true, desired: 'run', status: 'pending' });
    expect(t.store.org(ORG)?.stoppedAt).toBeUndefined();
    expect(t.changes.flatMap((c) => c.changed)).toEqual([
      { org: ORG, expiry, active: true, desired: 'run', block: receipt.blockNumber },
    ]);
  });

  it('an extension moves expiry; cancel and suspend stop the deployment at their block', async () => {
    const w = world();
    const t = watch(w, { confirmations: 1n });
    const first = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    const second = await w.send(topUp(w.orgOwner, w.d.ethProvider, ORG, 2));
    await mine(w.test, 1);
    await t.watcher.sync();
    expect(second.blockNumber).toBe(first.blockNumber + 1n);
    expect(t.store.org(ORG)).toMatchObject({ expiry: first.blockNumber + 3n * PACKAGE, active: true });
    await expectMatchesContract(w, t, ORG);

    const stop = await w.send(cancel(w.user, w.d.ethProvider, ORG));
    await mine(w.test, 1);
    t.changes.length = 0;
    await t.watcher.sync();
    const stopped = { expiry: stop.blockNumber, stoppedAt: stop.blockNumber, active: false, desired: 'stop' };
    expect(t.store.org(ORG)).toMatchObject(stopped);
    expect(t.changes.flatMap((c) => c.changed)).toEqual([{ org: ORG, ...stopped, block: stop.blockNumber }]);
    await expectMatchesContract(w, t, ORG);

    // A renewal after the stop runs again, the stop forgotten; the provider owner suspends it.
    const renewal = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await mine(w.test, 1);
    await t.watcher.sync();
    expect(t.store.org(ORG)).toMatchObject({ expiry: renewal.blockNumber + PACKAGE, desired: 'run' });
    expect(t.store.org(ORG)?.stoppedAt).toBeUndefined();
    const suspended = await w.send(suspend(w.providerOwner, w.d.ethProvider, ORG));
    await mine(w.test, 1);
    await t.watcher.sync();
    expect(t.store.org(ORG)).toMatchObject({
      stoppedAt: suspended.blockNumber,
      desired: 'stop',
      active: false,
    });
    await expectMatchesContract(w, t, ORG);
  });

  it('honours expiry at the exact block (expiry == block is inactive), then grace, then retention', async () => {
    const w = world();
    const t = watch(w, { confirmations: 2n, graceBlocks: 5n, retentionBlocks: 10n });
    const receipt = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    const expiry = receipt.blockNumber + PACKAGE;
    const at = async (safe: bigint) => {
      await mineTo(w.test, safe + 2n);
      await t.watcher.sync();
      expect(t.store.cursor()!.number).toBe(safe);
      expect(t.store.org(ORG)!.active).toBe(
        await isActive(w.test, w.d.ethProvider, ORG, { blockNumber: safe }),
      );
      return t.store.org(ORG)!;
    };
    expect(await at(expiry - 1n)).toMatchObject({ active: true, desired: 'run' });
    t.changes.length = 0;
    expect(await at(expiry)).toMatchObject({ active: false, desired: 'run', block: expiry });
    expect(t.changes.flatMap((c) => c.changed)).toEqual([
      { org: ORG, expiry, active: false, desired: 'run', block: expiry },
    ]);
    expect(await at(expiry + 4n)).toMatchObject({ active: false, desired: 'run' });
    expect(await at(expiry + 5n)).toMatchObject({ active: false, desired: 'stop', block: expiry + 5n });
    expect(await at(expiry + 14n)).toMatchObject({ desired: 'stop' });
    expect(await at(expiry + 15n)).toMatchObject({ desired: 'purge', block: expiry + 15n });
    expect(t.store.org(ORG)!.changesAt).toBeUndefined();
    // One change per transition, each at its exact block.
    expect(t.changes.flatMap((c) => c.changed).map((c) => [c.block, c.desired])).toEqual([
      [expiry, 'run'],
      [expiry + 5n, 'stop'],
      [expiry + 15n, 'purge'],
    ]);
  });
});

describe('watcher: reorgs', () => {
  it('a reorg of a top-up not yet confirmed leaves nothing behind', async () => {
    const w = world();
    const t = watch(w, { confirmations: 3n });
    await t.watcher.sync();
    await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await mine(w.test, 1);
    await t.watcher.sync();
    await reorg(w.test, 2); // deeper than the top-up, shallower than the confirmations
    await mine(w.test, 4);
    const steps = await t.watcher.sync();
    expect(steps.some((s) => s.reorg)).toBe(false);
    expect(await expiryOf(w.test, w.d.ethProvider, ORG)).toBe(0n);
    expect(t.store.org(ORG)).toBeUndefined();
    expect(t.store.counts()).toMatchObject({ orgs: 0, logs: 0 });
    expect(t.changes).toEqual([]);
  });

  it('a reorg deeper than the confirmations removes a confirmed top-up, recomputed from the contract', async () => {
    const w = world();
    const t = watch(w, { confirmations: 2n });
    await mine(w.test, 3); // the reorg must stay above the test's snapshot block
    await t.watcher.sync();
    const receipt = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await mine(w.test, 2);
    await t.watcher.sync();
    expect(t.store.org(ORG)).toMatchObject({ active: true });
    t.changes.length = 0;

    await reorg(w.test, Number((await head(w)) - receipt.blockNumber + 2n));
    const steps = await t.watcher.sync();
    expect(steps[0]!.reorg).toMatchObject({ from: receipt.blockNumber, rebuilt: false });
    expect(steps[0]!.reorg!.fork).toBeLessThan(receipt.blockNumber);
    expect(t.store.org(ORG)).toBeUndefined();
    expect(t.store.counts()).toMatchObject({ orgs: 0, logs: 0 });
    expect(t.changes.flatMap((c) => c.changed)).toEqual([
      { org: ORG, expiry: 0n, active: false, desired: 'purge', block: steps[0]!.to },
    ]);
    await mine(w.test, 3);
    await t.watcher.sync();
    await expectMatchesContract(w, t, ORG);
    expect(t.store.counts().orgs).toBe(0);
  });

  it('a reorg that re-includes a confirmed top-up one block later moves its expiry', async () => {
    const w = world();
    const t = watch(w, { confirmations: 1n });
    await t.watcher.sync();
    const receipt = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await mine(w.test, 2);
    await t.watcher.sync();
    const tx = await w.test.getTransaction({ hash: receipt.transactionHash });
    const signed = await w.user.signTransaction({
      to: w.d.ethProvider,
      data: tx.input,
      value: await packagePrice(w.test, w.d.ethProvider),
      nonce: tx.nonce,
      gas: tx.gas,
      maxFeePerGas: tx.maxFeePerGas!,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
    });
    await reorg(w.test, Number((await head(w)) - receipt.blockNumber + 1n), [[signed, 1]]);
    await mine(w.test, 1);
    const steps = await t.watcher.sync();
    expect(steps.some((s) => s.reorg)).toBe(true);
    expect(t.store.org(ORG)).toMatchObject({ expiry: receipt.blockNumber + 1n + PACKAGE, active: true });
    expect(t.store.counts().logs).toBe(1);
    await expectMatchesContract(w, t, ORG);
  });

  it('a cancel reorged away restores the deployment as the contract has it', async () => {
    const w = world();
    const t = watch(w, { confirmations: 1n });
    const receipt = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await mine(w.test, 3);
    await t.watcher.sync();
    const stop = await w.send(cancel(w.user, w.d.ethProvider, ORG));
    await mine(w.test, 2);
    await t.watcher.sync();
    expect(t.store.org(ORG)).toMatchObject({ stoppedAt: stop.blockNumber, desired: 'stop' });
    t.changes.length = 0;

    await reorg(w.test, Number((await head(w)) - stop.blockNumber + 1n));
    await mine(w.test, 1);
    await t.watcher.sync();
    const expected = { expiry: receipt.blockNumber + PACKAGE, active: true, desired: 'run' };
    expect(t.store.org(ORG)).toMatchObject(expected);
    expect(t.store.org(ORG)!.stoppedAt).toBeUndefined();
    expect(t.changes.flatMap((c) => c.changed)).toMatchObject([{ org: ORG, ...expected }]);
    expect(t.store.counts().logs).toBe(1);
    await expectMatchesContract(w, t, ORG);
  });

  it('a reorg deeper than the walk-back bound rebuilds the state from the start block', async () => {
    const w = world();
    const t = watch(w, { confirmations: 1n, maxReorgDepth: 3n });
    await w.send(topUp(w.user, w.d.ethProvider, org(2), 1));
    await mine(w.test, 6);
    await t.watcher.sync();
    const receipt = await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await mine(w.test, 6);
    await t.watcher.sync();
    expect(t.store.counts().orgs).toBe(2);
    await reorg(w.test, Number((await head(w)) - receipt.blockNumber + 1n));
    const steps = await t.watcher.sync();
    expect(steps.some((s) => s.reorg)).toBe(true);
    expect(t.store.org(ORG)).toBeUndefined();
    await expectMatchesContract(w, t, org(2));
    expect(t.store.counts()).toMatchObject({ orgs: 1, logs: 1 });
  });
});

describe('watcher: what it ignores', () => {
  it('ignores a foreign provider emitting the same events', async () => {
    const w = world();
    const t = watch(w, { confirmations: 0n });
    const foreign = await deployEthProvider(
      sender(w.test, false),
      w.providerOwner,
      w.providerOwner.account.address,
      DEFAULT_TERMS.eth,
    );
    await w.send(topUp(w.user, foreign, org(7), 1));
    await w.send(topUp(w.user, w.d.ethProvider, ORG, 1));
    await w.send(cancel(w.user, foreign, org(7)));
    await t.watcher.sync();
    expect(t.store.orgAddresses()).toEqual([ORG]);
    expect(t.store.counts().logs).toBe(1);
  });

  it('skips a malformed log at the provider address with a warning and goes on', async () => {
    const w = world();
    const t = watch(w, { confirmations: 0n });
    const provider = w.d.ethProvider;
    const code = (await w.test.getCode({ address: provider }))!;
    // LOG1(NewTopUp) with no org topic and no data; LOG2(NewTopUp, org 1) with 5 bytes of data.
    const push32 = (word: Hex) => concatHex(['0x7f', word]);
    const evil = concatHex([
      push32(TOPICS.newTopUp),
      '0x60006000a1',
      '0x6001',
      push32(TOPICS.newTopUp),
      '0x60056000a200',
    ]);
    await w.test.setCode({ address: provider, bytecode: evil });
    await w.send(w.user.sendTransaction({ to: provider, data: '0x', gas: 100_000n }));
    await w.test.setCode({ address: provider, bytecode: code });
    await w.send(topUp(w.user, provider, ORG, 1));
    await t.watcher.sync();

    const warnings = t.log.entries().filter((e) => e.level === 'warn' && e.msg === 'skipped log');
    expect(warnings).toHaveLength(2);
    expect(String(warnings[0]!.reason)).toMatch(/undecodable/);
    expect(t.store.orgAddresses()).toEqual([ORG]);
    expect(t.store.counts().logs).toBe(1);
  });
});

describe('watcher: anchors', () => {
  const repo = (n: number): Hex =>
    padHex(`0x${n.toString(16).padStart(40, 'a')}`, { size: 32, dir: 'right' });

  it('keeps the anchors of served orgs, older ones found by a backfill scan', async () => {
    const w = world();
    const t = watch(w, { confirmations: 1n, logRangeBlocks: 3n });
    const served = createdOrg(await w.send(createOrg(w.orgOwner, w.d.orgFactory)));
    const other = createdOrg(await w.send(createOrg(w.orgOwner, w.d.orgFactory)));
    await w.send(anchor(w.orgOwner, served, repo(1), 0, '0x1220aa'));
    await w.send(anchor(w.orgOwner, other, repo(2), 0, '0x1220bb'));
    await mine(w.test, 8);
    await t.watcher.sync();
    expect(t.store.counts().anchors).toBe(0);

    await w.send(topUp(w.user, w.d.ethProvider, served, 1));
    await w.send(anchor(w.orgOwner, served, repo(3), 0, '0x1220cc'));
    // Not a radicle repository id (the 12 bytes after the oid are not zero): skipped.
    await w.send(anchor(w.orgOwner, served, padHex('0x01', { size: 32 }), 0, '0x1220dd'));
    await mine(w.test, 1);
    await t.watcher.sync();

    const anchors = t.store.anchorsOf(served);
    expect(anchors.map((a) => a.multihash)).toEqual(['0x1220aa', '0x1220cc']);
    expect(anchors[0]!.repo).toMatch(/^rad:z[1-9A-HJ-NP-Za-km-z]{26,28}$/);
    expect(t.store.anchorsOf(other)).toEqual([]);
    expect(t.store.counts().scans).toBe(0);
    expect(t.changes.flatMap((c) => c.anchored)).toContain(served.toLowerCase());
    expect(t.log.entries().filter((e) => e.msg === 'skipped log')).toHaveLength(1);
  });
});
