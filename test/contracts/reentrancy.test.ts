import { describe, expect, it } from 'vitest';
import { encodeErrorResult, encodeFunctionData, type Address, type Hex } from 'viem';
import { ethProviderAbi, reentrantOwnerAbi, reentrantOwnerBytecode } from '../../contracts/index.js';
import {
  createOrg,
  createdOrg,
  realizedRevenue,
  suspend,
  topUp,
  withdrawable,
} from '../../harness/chain/actions.js';
import { deployEthProvider } from '../../harness/chain/deploy.js';
import { ethBalance, expectRevert, mineTo, orgAddress, useWorld, type World } from './fixture.js';

const PRICE = 1_000_003n;
const BLOCKS = 10n;
const PACKAGE = PRICE * BLOCKS;
const REENTRANCY = encodeErrorResult({ abi: ethProviderAbi, errorName: 'Reentrancy' });

const world = useWorld();

/** An attacker contract (commanded by `user`) that owns a fresh EthProvider. */
async function attackerOwningProvider(w: World): Promise<{ attacker: Address; provider: Address }> {
  const receipt = await w.send(
    w.user.deployContract({ abi: reentrantOwnerAbi, bytecode: reentrantOwnerBytecode }),
  );
  const attacker = receipt.contractAddress!;
  const provider = await deployEthProvider(w.send, w.providerOwner, attacker, {
    pricePerBlock: PRICE,
    packageBlocks: BLOCKS,
  });
  return { attacker, provider };
}

const call = {
  cancel: (org: Address) => encodeFunctionData({ abi: ethProviderAbi, functionName: 'cancel', args: [org] }),
  suspend: (org: Address) =>
    encodeFunctionData({ abi: ethProviderAbi, functionName: 'suspend', args: [org] }),
  withdraw: () => encodeFunctionData({ abi: ethProviderAbi, functionName: 'withdraw' }),
  topUp: (org: Address) => encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [org] }),
};

async function arm(w: World, attacker: Address, provider: Address, data: Hex) {
  await w.send(
    w.user.writeContract({
      address: attacker,
      abi: reentrantOwnerAbi,
      functionName: 'arm',
      args: [provider, data],
    }),
  );
}

function execute(w: World, attacker: Address, to: Address, data: Hex, value = 0n) {
  return w.send(
    w.user.writeContract({
      address: attacker,
      abi: reentrantOwnerAbi,
      functionName: 'execute',
      args: [to, data],
      value,
    }),
  );
}

async function attackOutcome(w: World, attacker: Address) {
  const read = <F extends 'reentryAttempts' | 'lastReentrySucceeded' | 'lastReentryResult' | 'received'>(
    f: F,
  ) => w.test.readContract({ address: attacker, abi: reentrantOwnerAbi, functionName: f });
  return {
    attempts: await read('reentryAttempts'),
    succeeded: await read('lastReentrySucceeded'),
    result: await read('lastReentryResult'),
    received: await read('received'),
  };
}

describe('reentrancy', () => {
  for (const [label, reenter] of [
    ['a second cancel', call.cancel],
    ['withdraw', () => call.withdraw()],
    ['suspend', call.suspend],
  ] as const) {
    it(`re-entering ${label} from the cancel refund fails with Reentrancy; the attacker gets exactly its refund`, async () => {
      const w = world();
      const { attacker, provider } = await attackerOwningProvider(w);
      const org = orgAddress(1);
      const paid = await execute(w, attacker, provider, call.topUp(org), 3n * PACKAGE);
      await w.test.mine({ blocks: 4 });
      await arm(w, attacker, provider, reenter(org));
      const stop = await execute(w, attacker, provider, call.cancel(org));
      const refund = (paid.blockNumber + 3n * BLOCKS - stop.blockNumber) * PRICE;
      expect(await attackOutcome(w, attacker)).toEqual({
        attempts: 1n,
        succeeded: false,
        result: REENTRANCY,
        received: refund,
      });
      expect(await ethBalance(w, attacker)).toBe(refund);
      expect(await ethBalance(w, provider)).toBe(3n * PACKAGE - refund);
      expect(await realizedRevenue(w.test, provider)).toBe(3n * PACKAGE - refund);
    });
  }

  for (const [label, reenter] of [
    ['withdraw', () => call.withdraw()],
    ['suspend', call.suspend],
  ] as const) {
    it(`re-entering ${label} from a withdrawal fails with Reentrancy; the owner gets only realized revenue`, async () => {
      const w = world();
      const { attacker, provider } = await attackerOwningProvider(w);
      const org = orgAddress(2);
      const paid = await w.send(topUp(w.user, provider, org, 2));
      await w.test.mine({ blocks: 5 });
      await arm(w, attacker, provider, reenter(org));
      const receipt = await execute(w, attacker, provider, call.withdraw());
      const realized = (receipt.blockNumber - paid.blockNumber) * PRICE;
      expect(await attackOutcome(w, attacker)).toEqual({
        attempts: 1n,
        succeeded: false,
        result: REENTRANCY,
        received: realized,
      });
      expect(await ethBalance(w, provider)).toBe(2n * PACKAGE - realized);
      expect(await withdrawable(w.test, provider)).toBe(0n);
    });
  }

  it('without re-entry the attacker contract is an ordinary owner (control for the tests above)', async () => {
    const w = world();
    const { attacker, provider } = await attackerOwningProvider(w);
    await expectRevert(
      w.stranger.writeContract({
        address: attacker,
        abi: reentrantOwnerAbi,
        functionName: 'execute',
        args: [provider, call.withdraw()],
      }),
      'NotCommander',
    );
    const paid = await w.send(topUp(w.user, provider, orgAddress(3), 1));
    await mineTo(w.test, paid.blockNumber + BLOCKS);
    await execute(w, attacker, provider, call.withdraw());
    expect(await attackOutcome(w, attacker)).toMatchObject({ attempts: 0n, received: PACKAGE });
  });

  it('a deployment owner that refuses ether blocks its own refund: suspend reverts TransferFailed', async () => {
    const w = world();
    // An Org contract has no receive function; make it the owner of a deployment via topUpFor.
    const refuser = createdOrg(await w.send(createOrg(w.user, w.d.orgFactory)));
    const org = orgAddress(4);
    await w.send(
      w.user.writeContract({
        address: w.d.ethProvider,
        abi: ethProviderAbi,
        functionName: 'topUpFor',
        args: [org, refuser],
        value: await w.test.readContract({
          address: w.d.ethProvider,
          abi: ethProviderAbi,
          functionName: 'packagePrice',
        }),
      }),
    );
    await expectRevert(suspend(w.providerOwner, w.d.ethProvider, org), 'TransferFailed');
  });
});
