import { describe, expect, it } from 'vitest';
import { parseEventLogs, zeroAddress } from 'viem';
import { ethProviderAbi } from '../../contracts/index.js';
import {
  activeSubscribers,
  cancel,
  deploymentOf,
  expiryOf,
  isActive,
  realizedRevenue,
  suspend,
  topUp,
  topUpWithValue,
  withdraw,
  withdrawable,
} from '../../harness/chain/actions.js';
import { deployEthProvider } from '../../harness/chain/deploy.js';
import { ethBalance, expectRevert, gasCost, mineTo, orgAddress, useWorld } from './fixture.js';

// An odd price per block catches any rounding in the refund/revenue arithmetic.
const PRICE = 1_000_000_007n;
const BLOCKS = 10n;
const PACKAGE = PRICE * BLOCKS;

const world = useWorld({ deploy: { eth: { pricePerBlock: PRICE, packageBlocks: BLOCKS } } });

describe('EthProvider pricing and expiry', () => {
  it('reports its terms: packagePrice = pricePerBlock × packageBlocks, owner, currency = ether', async () => {
    const { test, d, providerOwner } = world();
    const read = <F extends 'packagePrice' | 'pricePerBlock' | 'packageBlocks' | 'owner' | 'currency'>(
      f: F,
    ) => test.readContract({ address: d.ethProvider, abi: ethProviderAbi, functionName: f });
    expect(await read('packagePrice')).toBe(PACKAGE);
    expect(await read('pricePerBlock')).toBe(PRICE);
    expect(await read('packageBlocks')).toBe(BLOCKS);
    expect(await read('owner')).toBe(providerOwner.account.address);
    expect(await read('currency')).toBe(zeroAddress);
  });

  it('a first top-up starts at its block: expiry = block + k × packageBlocks, the payer owns it, NewTopUp(org, expiry)', async () => {
    const { d, user, send, test } = world();
    const org = orgAddress(1);
    const receipt = await send(topUp(user, d.ethProvider, org, 3));
    const expiry = receipt.blockNumber + 3n * BLOCKS;
    expect(await expiryOf(test, d.ethProvider, org)).toBe(expiry);
    expect(await deploymentOf(test, d.ethProvider, org)).toEqual({
      owner: user.account.address,
      start: receipt.blockNumber,
      expiry,
    });
    const events = parseEventLogs({ abi: ethProviderAbi, logs: receipt.logs, eventName: 'NewTopUp' });
    expect(events.map((e) => e.args)).toEqual([{ org, expiry }]);
    expect(events[0]?.address.toLowerCase()).toBe(d.ethProvider.toLowerCase());
  });

  it('topping up an active deployment extends expiry by k × packageBlocks, keeping start and owner', async () => {
    const { d, user, stranger, send, test } = world();
    const org = orgAddress(2);
    const first = await send(topUp(user, d.ethProvider, org, 1));
    await test.mine({ blocks: 4 });
    const second = await send(topUp(stranger, d.ethProvider, org, 2));
    const expiry = first.blockNumber + 3n * BLOCKS;
    expect(await deploymentOf(test, d.ethProvider, org)).toEqual({
      owner: user.account.address,
      start: first.blockNumber,
      expiry,
    });
    const events = parseEventLogs({ abi: ethProviderAbi, logs: second.logs, eventName: 'NewTopUp' });
    expect(events.map((e) => e.args)).toEqual([{ org, expiry }]);
  });

  it('is active through block expiry - 1 and expired at block == expiry', async () => {
    const { d, user, send, test } = world();
    const org = orgAddress(3);
    const receipt = await send(topUp(user, d.ethProvider, org, 1));
    const expiry = receipt.blockNumber + BLOCKS;
    await mineTo(test, expiry + 1n);
    const at = (blockNumber: bigint) => isActive(test, d.ethProvider, org, { blockNumber });
    expect(await at(receipt.blockNumber - 1n)).toBe(false);
    expect(await at(receipt.blockNumber)).toBe(true);
    expect(await at(expiry - 1n)).toBe(true);
    expect(await at(expiry)).toBe(false);
    expect(await at(expiry + 1n)).toBe(false);
    expect(await activeSubscribers(test, d.ethProvider, { blockNumber: expiry - 1n })).toBe(1n);
    expect(await activeSubscribers(test, d.ethProvider, { blockNumber: expiry })).toBe(0n);
  });

  it('a top-up mined exactly at block == expiry starts a new period owned by the new payer', async () => {
    const { d, user, stranger, send, test } = world();
    const org = orgAddress(4);
    const first = await send(topUp(user, d.ethProvider, org, 1));
    const expiry = first.blockNumber + BLOCKS;
    await mineTo(test, expiry - 1n); // the next transaction lands in block `expiry`
    const second = await send(topUp(stranger, d.ethProvider, org, 2));
    expect(second.blockNumber).toBe(expiry);
    expect(await deploymentOf(test, d.ethProvider, org)).toEqual({
      owner: stranger.account.address,
      start: expiry,
      expiry: expiry + 2n * BLOCKS,
    });
  });

  it('a top-up mined at block expiry - 1 still extends the old period', async () => {
    const { d, user, stranger, send, test } = world();
    const org = orgAddress(5);
    const first = await send(topUp(user, d.ethProvider, org, 1));
    const expiry = first.blockNumber + BLOCKS;
    await mineTo(test, expiry - 2n);
    const second = await send(topUp(stranger, d.ethProvider, org, 1));
    expect(second.blockNumber).toBe(expiry - 1n);
    expect(await deploymentOf(test, d.ethProvider, org)).toEqual({
      owner: user.account.address,
      start: first.blockNumber,
      expiry: expiry + BLOCKS,
    });
  });

  it('topping up long after expiry starts from the current block, not from the old expiry', async () => {
    const { d, user, send, test } = world();
    const org = orgAddress(6);
    const first = await send(topUp(user, d.ethProvider, org, 1));
    await mineTo(test, first.blockNumber + 3n * BLOCKS);
    const second = await send(topUp(user, d.ethProvider, org, 1));
    expect(await expiryOf(test, d.ethProvider, org)).toBe(second.blockNumber + BLOCKS);
    expect((await deploymentOf(test, d.ethProvider, org)).start).toBe(second.blockNumber);
  });

  it('topUpFor makes the named account the owner of a new period, but not of an extension', async () => {
    const { d, user, stranger, orgOwner, send, test } = world();
    const org = orgAddress(7);
    const write = (who: typeof user, owner: `0x${string}`) =>
      who.writeContract({
        address: d.ethProvider,
        abi: ethProviderAbi,
        functionName: 'topUpFor',
        args: [org, owner],
        value: PACKAGE,
      });
    await send(write(user, orgOwner.account.address));
    expect((await deploymentOf(test, d.ethProvider, org)).owner).toBe(orgOwner.account.address);
    await send(write(user, stranger.account.address));
    expect((await deploymentOf(test, d.ethProvider, org)).owner).toBe(orgOwner.account.address);
    await expectRevert(write(user, zeroAddress), 'ZeroAddress');
  });

  it('rejects amounts that are zero or not whole packages with InvalidAmount, and the zero org with ZeroAddress', async () => {
    const { d, user } = world();
    const org = orgAddress(8);
    for (const value of [0n, 1n, PACKAGE - 1n, PACKAGE + 1n, PACKAGE + PACKAGE / 2n, PRICE]) {
      await expectRevert(topUpWithValue(user, d.ethProvider, org, value), 'InvalidAmount');
    }
    await expectRevert(topUpWithValue(user, d.ethProvider, zeroAddress, PACKAGE), 'ZeroAddress');
  });

  it('rejects plain ether transfers (no receive function)', async () => {
    const { d, user } = world();
    await expect(user.sendTransaction({ to: d.ethProvider, value: PACKAGE })).rejects.toThrow();
  });

  it('the constructor rejects a zero owner, price or package length with InvalidConfig', async () => {
    const { providerOwner, send } = world();
    const owner = providerOwner.account.address;
    await expectRevert(
      deployEthProvider(send, providerOwner, zeroAddress, { pricePerBlock: 1n, packageBlocks: 1n }),
      'InvalidConfig',
    );
    await expectRevert(
      deployEthProvider(send, providerOwner, owner, { pricePerBlock: 0n, packageBlocks: 1n }),
      'InvalidConfig',
    );
    await expectRevert(
      deployEthProvider(send, providerOwner, owner, { pricePerBlock: 1n, packageBlocks: 0n }),
      'InvalidConfig',
    );
  });
});

describe('EthProvider cancel and suspend', () => {
  it('cancel refunds unused blocks × pricePerBlock to the deployment owner, to the wei, and emits DeploymentStopped', async () => {
    const world_ = world();
    const { d, user, send, test } = world_;
    const org = orgAddress(10);
    const paid = await send(topUp(user, d.ethProvider, org, 2));
    await test.mine({ blocks: 7 });
    const before = await ethBalance(world_, user.account.address);
    const providerBefore = await ethBalance(world_, d.ethProvider);
    const receipt = await send(cancel(user, d.ethProvider, org));
    const stoppedAt = receipt.blockNumber;
    const refund = (paid.blockNumber + 2n * BLOCKS - stoppedAt) * PRICE;
    expect(refund).toBe((2n * BLOCKS - 8n) * PRICE);
    expect(await ethBalance(world_, user.account.address)).toBe(before + refund - gasCost(receipt));
    expect(await ethBalance(world_, d.ethProvider)).toBe(providerBefore - refund);
    expect(await expiryOf(test, d.ethProvider, org)).toBe(stoppedAt);
    expect(await isActive(test, d.ethProvider, org)).toBe(false);
    const events = parseEventLogs({
      abi: ethProviderAbi,
      logs: receipt.logs,
      eventName: 'DeploymentStopped',
    });
    expect(events.map((e) => e.args)).toEqual([{ org, atBlock: stoppedAt }]);
    // What stays in the contract is exactly the revenue of the blocks that elapsed.
    expect(await realizedRevenue(test, d.ethProvider)).toBe((stoppedAt - paid.blockNumber) * PRICE);
    expect(await ethBalance(world_, d.ethProvider)).toBe((stoppedAt - paid.blockNumber) * PRICE);
  });

  it('suspend by the provider owner refunds the deployment owner, not the provider', async () => {
    const world_ = world();
    const { d, user, providerOwner, send, test } = world_;
    const org = orgAddress(11);
    const paid = await send(topUp(user, d.ethProvider, org, 1));
    await test.mine({ blocks: 2 });
    const userBefore = await ethBalance(world_, user.account.address);
    const ownerBefore = await ethBalance(world_, providerOwner.account.address);
    const receipt = await send(suspend(providerOwner, d.ethProvider, org));
    const refund = (paid.blockNumber + BLOCKS - receipt.blockNumber) * PRICE;
    expect(await ethBalance(world_, user.account.address)).toBe(userBefore + refund);
    expect(await ethBalance(world_, providerOwner.account.address)).toBe(ownerBefore - gasCost(receipt));
    const events = parseEventLogs({
      abi: ethProviderAbi,
      logs: receipt.logs,
      eventName: 'DeploymentStopped',
    });
    expect(events.map((e) => e.args)).toEqual([{ org, atBlock: receipt.blockNumber }]);
  });

  it('after a stop the org can be topped up again as a new period', async () => {
    const { d, user, stranger, send, test } = world();
    const org = orgAddress(12);
    await send(topUp(user, d.ethProvider, org, 1));
    await send(cancel(user, d.ethProvider, org));
    const again = await send(topUp(stranger, d.ethProvider, org, 1));
    expect(await deploymentOf(test, d.ethProvider, org)).toEqual({
      owner: stranger.account.address,
      start: again.blockNumber,
      expiry: again.blockNumber + BLOCKS,
    });
  });

  it('only the deployment owner may cancel (NotDeploymentOwner) and only the provider owner may suspend (NotOwner)', async () => {
    const { d, user, stranger, providerOwner, send } = world();
    const org = orgAddress(13);
    await send(topUp(user, d.ethProvider, org, 1));
    await expectRevert(cancel(stranger, d.ethProvider, org), 'NotDeploymentOwner');
    await expectRevert(cancel(providerOwner, d.ethProvider, org), 'NotDeploymentOwner');
    await expectRevert(suspend(stranger, d.ethProvider, org), 'NotOwner');
    await expectRevert(suspend(user, d.ethProvider, org), 'NotOwner');
  });

  it('cancel and suspend of a deployment that is not active revert NotActive(org)', async () => {
    const { d, user, providerOwner, send, test } = world();
    const never = orgAddress(14);
    await expectRevert(cancel(user, d.ethProvider, never), 'NotActive', [never]);
    await expectRevert(suspend(providerOwner, d.ethProvider, never), 'NotActive', [never]);

    const stopped = orgAddress(15);
    await send(topUp(user, d.ethProvider, stopped, 1));
    await send(cancel(user, d.ethProvider, stopped));
    await expectRevert(cancel(user, d.ethProvider, stopped), 'NotActive', [stopped]);
    await expectRevert(suspend(providerOwner, d.ethProvider, stopped), 'NotActive', [stopped]);

    // A cancel that would be mined at block == expiry finds the deployment expired.
    const boundary = orgAddress(16);
    const paid = await send(topUp(user, d.ethProvider, boundary, 1));
    await mineTo(test, paid.blockNumber + BLOCKS - 1n);
    await expectRevert(cancel(user, d.ethProvider, boundary), 'NotActive', [boundary]);
    await expectRevert(suspend(providerOwner, d.ethProvider, boundary), 'NotActive', [boundary]);
  });

  it('a cancel mined at block expiry - 1 refunds exactly one block', async () => {
    const world_ = world();
    const { d, user, send, test } = world_;
    const org = orgAddress(17);
    const paid = await send(topUp(user, d.ethProvider, org, 1));
    await mineTo(test, paid.blockNumber + BLOCKS - 2n);
    const before = await ethBalance(world_, user.account.address);
    const receipt = await send(cancel(user, d.ethProvider, org));
    expect(receipt.blockNumber).toBe(paid.blockNumber + BLOCKS - 1n);
    expect(await ethBalance(world_, user.account.address)).toBe(before + PRICE - gasCost(receipt));
  });
});

describe('EthProvider withdraw', () => {
  it('pays the provider owner only elapsed blocks × pricePerBlock, to the wei, across extensions, stops and expiries', async () => {
    const world_ = world();
    const { d, user, stranger, providerOwner, send, test } = world_;
    const [a, b, c] = [orgAddress(20), orgAddress(21), orgAddress(22)];
    const ta = await send(topUp(user, d.ethProvider, a, 2)); // runs on
    const tb = await send(topUp(stranger, d.ethProvider, b, 1)); // expires before the withdrawal
    const tc = await send(topUp(user, d.ethProvider, c, 3)); // cancelled
    await test.mine({ blocks: 3 });
    await send(topUp(stranger, d.ethProvider, a, 1)); // extension of a
    const stop = await send(cancel(user, d.ethProvider, c));
    await mineTo(test, tb.blockNumber + BLOCKS + 2n);

    const ownerBefore = await ethBalance(world_, providerOwner.account.address);
    const receipt = await send(withdraw(providerOwner, d.ethProvider));
    const w = receipt.blockNumber;
    expect(w).toBeLessThan(ta.blockNumber + 3n * BLOCKS); // a still active
    const expected =
      (w - ta.blockNumber) * PRICE + // a: elapsed part of its (extended) period
      BLOCKS * PRICE + // b: its whole package
      (stop.blockNumber - tc.blockNumber) * PRICE; // c: until the cancel
    expect(await ethBalance(world_, providerOwner.account.address)).toBe(
      ownerBefore + expected - gasCost(receipt),
    );
    const events = parseEventLogs({ abi: ethProviderAbi, logs: receipt.logs, eventName: 'Withdrawn' });
    expect(events.map((e) => e.args)).toEqual([{ to: providerOwner.account.address, amount: expected }]);

    // Exactly the still refundable rest of a remains in the contract...
    const aExpiry = ta.blockNumber + 3n * BLOCKS;
    expect(await ethBalance(world_, d.ethProvider)).toBe((aExpiry - w) * PRICE);
    expect(await withdrawable(test, d.ethProvider)).toBe(0n);
    // ...and it still refunds in full: one more block elapses before the cancel is mined.
    const userBefore = await ethBalance(world_, user.account.address);
    const cancelA = await send(cancel(user, d.ethProvider, a));
    expect(await ethBalance(world_, user.account.address)).toBe(
      userBefore + (aExpiry - cancelA.blockNumber) * PRICE - gasCost(cancelA),
    );
    expect(await withdrawable(test, d.ethProvider)).toBe((cancelA.blockNumber - w) * PRICE);
    expect(await ethBalance(world_, d.ethProvider)).toBe((cancelA.blockNumber - w) * PRICE);
  });

  it('revenue accrues block by block: withdrawable grows by pricePerBlock per active deployment per block', async () => {
    const { d, user, send, test } = world();
    const paid = await send(topUp(user, d.ethProvider, orgAddress(23), 1));
    await send(topUp(user, d.ethProvider, orgAddress(24), 1));
    const at = (blockNumber: bigint) => withdrawable(test, d.ethProvider, { blockNumber });
    await mineTo(test, paid.blockNumber + 2n * BLOCKS);
    expect(await at(paid.blockNumber)).toBe(0n);
    expect(await at(paid.blockNumber + 1n)).toBe(PRICE); // the second org starts here
    expect(await at(paid.blockNumber + 2n)).toBe(3n * PRICE);
    expect(await at(paid.blockNumber + BLOCKS)).toBe((2n * BLOCKS - 1n) * PRICE);
    expect(await at(paid.blockNumber + BLOCKS + 1n)).toBe(2n * BLOCKS * PRICE); // both expired
    expect(await at(paid.blockNumber + 2n * BLOCKS)).toBe(2n * BLOCKS * PRICE);
  });

  it('a second withdraw in the same state reverts NothingToWithdraw; strangers get NotOwner', async () => {
    const { d, user, stranger, providerOwner, send, test } = world();
    await expectRevert(withdraw(providerOwner, d.ethProvider), 'NothingToWithdraw');
    const paid = await send(topUp(user, d.ethProvider, orgAddress(25), 1));
    await mineTo(test, paid.blockNumber + BLOCKS);
    await expectRevert(withdraw(stranger, d.ethProvider), 'NotOwner');
    await send(withdraw(providerOwner, d.ethProvider));
    await expectRevert(withdraw(providerOwner, d.ethProvider), 'NothingToWithdraw');
  });

  it('withdraw prunes expired periods; a later top-up of a pruned org starts cleanly', async () => {
    const world_ = world();
    const { d, user, providerOwner, send, test } = world_;
    const org = orgAddress(26);
    const first = await send(topUp(user, d.ethProvider, org, 1));
    await mineTo(test, first.blockNumber + BLOCKS + 1n);
    await send(withdraw(providerOwner, d.ethProvider));
    expect(await activeSubscribers(test, d.ethProvider)).toBe(0n);
    const again = await send(topUp(user, d.ethProvider, org, 1));
    expect(await activeSubscribers(test, d.ethProvider)).toBe(1n);
    await test.mine({ blocks: 2 });
    const receipt = await send(withdraw(providerOwner, d.ethProvider));
    expect(await withdrawable(test, d.ethProvider)).toBe(0n);
    expect(await ethBalance(world_, d.ethProvider)).toBe(
      (again.blockNumber + BLOCKS - receipt.blockNumber) * PRICE,
    );
  });
});

describe('EthProvider activeSubscribers', () => {
  it('counts exactly the deployments with expiry > block.number at every block, with lazy expiry', async () => {
    const { d, user, providerOwner, send, test } = world();
    const expiries: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      const receipt = await send(topUp(user, d.ethProvider, orgAddress(30 + i), i + 1));
      expiries.push(receipt.blockNumber + BigInt(i + 1) * BLOCKS);
    }
    const stop = await send(cancel(user, d.ethProvider, orgAddress(33)));
    const start = stop.blockNumber;
    const end = start + 4n * BLOCKS;
    await mineTo(test, end);
    for (let block = start; block <= end; block += 3n) {
      const expected = expiries.slice(0, 3).filter((e) => e > block).length;
      expect(await activeSubscribers(test, d.ethProvider, { blockNumber: block })).toBe(BigInt(expected));
    }
    await send(withdraw(providerOwner, d.ethProvider));
    expect(await activeSubscribers(test, d.ethProvider)).toBe(0n);
  });
});
