import { describe, expect, it } from 'vitest';
import {
  hashDomain,
  hexToBigInt,
  numberToHex,
  parseEther,
  parseEventLogs,
  zeroAddress,
  type Address,
} from 'viem';
import { testStablecoinAbi, tokenProviderAbi } from '../../contracts/index.js';
import {
  approve,
  cancel,
  defaultDeadline,
  deploymentOf,
  expiryOf,
  mintStablecoin,
  quoteEthForPackages,
  signPermit,
  suspend,
  tokenBalance,
  topUpWithEth,
  topUpWithPermit,
  topUpWithToken,
  withdraw,
} from '../../harness/chain/actions.js';
import { deployTokenProvider } from '../../harness/chain/deploy.js';
import { ethBalance, expectRevert, gasCost, mineTo, orgAddress, useWorld, type World } from './fixture.js';

const PRICE = 1003n;
const BLOCKS = 10n;
const PACKAGE = PRICE * BLOCKS;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const world = useWorld({ deploy: { token: { pricePerBlock: PRICE, packageBlocks: BLOCKS } } });

const balance = (w: World, who: Address) => tokenBalance(w.test, w.d.stablecoin, who);

describe('TokenProvider top-ups', () => {
  it('topUp pulls exactly k packages of tokens (with an allowance) and sets the expiry', async () => {
    const w = world();
    const { d, user, send, test } = w;
    const org = orgAddress(1);
    expect(
      await test.readContract({
        address: d.tokenProvider,
        abi: tokenProviderAbi,
        functionName: 'packagePrice',
      }),
    ).toBe(PACKAGE);
    expect(
      await test.readContract({ address: d.tokenProvider, abi: tokenProviderAbi, functionName: 'currency' }),
    ).toBe(d.stablecoin);
    const before = await balance(w, user.account.address);
    await send(approve(user, d.stablecoin, d.tokenProvider, 10n * PACKAGE));
    const receipt = await send(topUpWithToken(user, d.tokenProvider, org, 2));
    expect(await balance(w, user.account.address)).toBe(before - 2n * PACKAGE);
    expect(await balance(w, d.tokenProvider)).toBe(2n * PACKAGE);
    expect(await expiryOf(test, d.tokenProvider, org)).toBe(receipt.blockNumber + 2n * BLOCKS);
    const events = parseEventLogs({ abi: tokenProviderAbi, logs: receipt.logs, eventName: 'NewTopUp' });
    expect(events.map((e) => e.args)).toEqual([{ org, expiry: receipt.blockNumber + 2n * BLOCKS }]);
    const allowance = await test.readContract({
      address: d.stablecoin,
      abi: testStablecoinAbi,
      functionName: 'allowance',
      args: [user.account.address, d.tokenProvider],
    });
    expect(allowance).toBe(8n * PACKAGE);
  });

  it('rejects partial packages with InvalidAmount and a missing allowance with the token InsufficientAllowance', async () => {
    const { d, user, send } = world();
    const org = orgAddress(2);
    const write = (amount: bigint) =>
      user.writeContract({
        address: d.tokenProvider,
        abi: tokenProviderAbi,
        functionName: 'topUp',
        args: [org, amount],
      });
    await expectRevert(write(PACKAGE), 'InsufficientAllowance', [0n, PACKAGE]);
    await send(approve(user, d.stablecoin, d.tokenProvider, 10n * PACKAGE));
    for (const amount of [0n, 1n, PACKAGE - 1n, PACKAGE + PRICE])
      await expectRevert(write(amount), 'InvalidAmount');
  });

  it('topUpWithPermit needs no prior approval, uses the permit nonce and leaves no allowance', async () => {
    const w = world();
    const { d, user, send, test } = w;
    const org = orgAddress(3);
    const before = await balance(w, user.account.address);
    const receipt = await send(topUpWithPermit(user, d.tokenProvider, org, 3));
    expect(await balance(w, user.account.address)).toBe(before - 3n * PACKAGE);
    expect(await expiryOf(test, d.tokenProvider, org)).toBe(receipt.blockNumber + 3n * BLOCKS);
    const read = (functionName: 'nonces') =>
      test.readContract({
        address: d.stablecoin,
        abi: testStablecoinAbi,
        functionName,
        args: [user.account.address],
      });
    expect(await read('nonces')).toBe(1n);
    const allowance = await test.readContract({
      address: d.stablecoin,
      abi: testStablecoinAbi,
      functionName: 'allowance',
      args: [user.account.address, d.tokenProvider],
    });
    expect(allowance).toBe(0n);
  });

  it('topUpWithPermit reverts PermitFailed for a signature of another account or an expired deadline', async () => {
    const { d, user, stranger, test } = world();
    const org = orgAddress(4);
    const deadline = await defaultDeadline(test);
    const theirs = await signPermit(stranger, d.stablecoin, d.tokenProvider, PACKAGE, deadline);
    const write = (sig: { v: number; r: `0x${string}`; s: `0x${string}` }, until: bigint) =>
      user.writeContract({
        address: d.tokenProvider,
        abi: tokenProviderAbi,
        functionName: 'topUpWithPermit',
        args: [org, PACKAGE, until, sig.v, sig.r, sig.s],
      });
    await expectRevert(write(theirs, deadline), 'PermitFailed');
    const past = (await test.getBlock()).timestamp - 1n;
    const expired = await signPermit(user, d.stablecoin, d.tokenProvider, PACKAGE, past);
    await expectRevert(write(expired, past), 'PermitFailed');
  });

  it('topUpWithPermit still succeeds when someone front-ran the permit (the allowance is there)', async () => {
    const w = world();
    const { d, user, stranger, send } = w;
    const org = orgAddress(5);
    const deadline = await defaultDeadline(w.test);
    const sig = await signPermit(user, d.stablecoin, d.tokenProvider, PACKAGE, deadline);
    await send(
      stranger.writeContract({
        address: d.stablecoin,
        abi: testStablecoinAbi,
        functionName: 'permit',
        args: [user.account.address, d.tokenProvider, PACKAGE, deadline, sig.v, sig.r, sig.s],
      }),
    );
    const before = await balance(w, user.account.address);
    await send(
      user.writeContract({
        address: d.tokenProvider,
        abi: tokenProviderAbi,
        functionName: 'topUpWithPermit',
        args: [org, PACKAGE, deadline, sig.v, sig.r, sig.s],
      }),
    );
    expect(await balance(w, user.account.address)).toBe(before - PACKAGE);
  });

  it('topUpWithEth buys exactly the needed tokens on Uniswap and refunds the leftover ether to the wei', async () => {
    const w = world();
    const { d, user, send, test } = w;
    const org = orgAddress(6);
    const needed = await quoteEthForPackages(test, d.tokenProvider, 4);
    expect(needed).toBeGreaterThan(0n);
    const extra = parseEther('1');
    const ethBefore = await ethBalance(w, user.account.address);
    const tokensBefore = await balance(w, user.account.address);
    const pairWethBefore = await tokenBalance(test, d.weth, d.pair);
    const pairTokensBefore = await balance(w, d.pair);
    const receipt = await send(topUpWithEth(user, d.tokenProvider, org, 4, { value: needed + extra }));
    expect(await ethBalance(w, user.account.address)).toBe(ethBefore - needed - gasCost(receipt));
    expect(await balance(w, user.account.address)).toBe(tokensBefore); // paid in ether only
    expect(await balance(w, d.tokenProvider)).toBe(4n * PACKAGE);
    expect(await ethBalance(w, d.tokenProvider)).toBe(0n);
    expect(await tokenBalance(test, d.weth, d.pair)).toBe(pairWethBefore + needed);
    expect(await balance(w, d.pair)).toBe(pairTokensBefore - 4n * PACKAGE);
    expect(await deploymentOf(test, d.tokenProvider, org)).toEqual({
      owner: user.account.address,
      start: receipt.blockNumber,
      expiry: receipt.blockNumber + 4n * BLOCKS,
    });
    const events = parseEventLogs({ abi: tokenProviderAbi, logs: receipt.logs, eventName: 'NewTopUp' });
    expect(events.map((e) => e.args)).toEqual([{ org, expiry: receipt.blockNumber + 4n * BLOCKS }]);
  });

  it('topUpWithEth with the exact quote leaves nothing over', async () => {
    const w = world();
    const { d, user, send } = w;
    const needed = await quoteEthForPackages(w.test, d.tokenProvider, 1);
    const before = await ethBalance(w, user.account.address);
    const receipt = await send(topUpWithEth(user, d.tokenProvider, orgAddress(7), 1));
    expect(await ethBalance(w, user.account.address)).toBe(before - needed - gasCost(receipt));
  });

  it('topUpWithEth without a value still pays when another swap lands first in the same block', async () => {
    const { d, user, stranger, test } = world();
    // Both quotes read the latest block; the stranger's swap, mined first, moves the pool.
    await test.setAutomine(false);
    try {
      const first = await topUpWithEth(stranger, d.tokenProvider, orgAddress(10), 3);
      const second = await topUpWithEth(user, d.tokenProvider, orgAddress(11), 1);
      await test.mine({ blocks: 1 });
      const receipts = await Promise.all(
        [first, second].map((hash) => test.waitForTransactionReceipt({ hash })),
      );
      expect(receipts.map((r) => r.status)).toEqual(['success', 'success']);
      expect(receipts[0]?.blockNumber).toBe(receipts[1]?.blockNumber);
    } finally {
      await test.setAutomine(true);
    }
  });

  it('topUpWithEth without a gas limit still pays when mined seconds after its estimate', async () => {
    const { d, user, test, send } = world();
    await send(topUpWithEth(user, d.tokenProvider, orgAddress(12), 1));
    // Estimated right after a swap, mined 10 s later: the pair now writes its price accumulators.
    await test.setAutomine(false);
    try {
      const hash = await topUpWithEth(user, d.tokenProvider, orgAddress(13), 2);
      await test.increaseTime({ seconds: 10 });
      await test.mine({ blocks: 1 });
      expect((await test.waitForTransactionReceipt({ hash })).status).toBe('success');
    } finally {
      await test.setAutomine(true);
    }
  });

  it('topUpWithEth reverts InsufficientEth(needed, sent), InvalidAmount for 0 packages, DeadlinePassed(deadline)', async () => {
    const { d, user, test } = world();
    const org = orgAddress(8);
    const needed = await quoteEthForPackages(test, d.tokenProvider, 2);
    await expectRevert(
      topUpWithEth(user, d.tokenProvider, org, 2, { value: needed - 1n }),
      'InsufficientEth',
      [needed, needed - 1n],
    );
    await expectRevert(topUpWithEth(user, d.tokenProvider, org, 0, { value: needed }), 'InvalidAmount');
    const past = (await test.getBlock()).timestamp - 1n;
    await expectRevert(
      topUpWithEth(user, d.tokenProvider, org, 1, { value: needed, deadline: past }),
      'DeadlinePassed',
      [past],
    );
  });

  it('a TokenProvider without a router reverts SwapUnavailable; one without a token InvalidConfig', async () => {
    const { d, providerOwner, user, send } = world();
    const owner = providerOwner.account.address;
    const terms = { pricePerBlock: PRICE, packageBlocks: BLOCKS };
    const noSwap = await deployTokenProvider(send, providerOwner, owner, d.stablecoin, terms);
    await expectRevert(
      topUpWithEth(user, noSwap, orgAddress(9), 1, { value: parseEther('1'), deadline: 2n ** 64n }),
      'SwapUnavailable',
    );
    await expectRevert(deployTokenProvider(send, providerOwner, owner, zeroAddress, terms), 'InvalidConfig');
  });
});

describe('TokenProvider refunds and revenue', () => {
  it('cancel and suspend refund unused blocks in tokens to the deployment owner; withdraw pays realized tokens to the wei', async () => {
    const w = world();
    const { d, user, stranger, providerOwner, send, test } = w;
    const [a, b] = [orgAddress(10), orgAddress(11)];
    await send(approve(user, d.stablecoin, d.tokenProvider, 2n ** 256n - 1n));
    await send(approve(stranger, d.stablecoin, d.tokenProvider, 2n ** 256n - 1n));
    const ta = await send(topUpWithToken(user, d.tokenProvider, a, 2));
    const tb = await send(topUpWithToken(stranger, d.tokenProvider, b, 1));
    await test.mine({ blocks: 3 });

    const userBefore = await balance(w, user.account.address);
    const ca = await send(cancel(user, d.tokenProvider, a));
    expect(await balance(w, user.account.address)).toBe(
      userBefore + (ta.blockNumber + 2n * BLOCKS - ca.blockNumber) * PRICE,
    );

    const strangerBefore = await balance(w, stranger.account.address);
    const sb = await send(suspend(providerOwner, d.tokenProvider, b));
    expect(await balance(w, stranger.account.address)).toBe(
      strangerBefore + (tb.blockNumber + BLOCKS - sb.blockNumber) * PRICE,
    );

    const ownerBefore = await balance(w, providerOwner.account.address);
    await send(withdraw(providerOwner, d.tokenProvider));
    const realized = (ca.blockNumber - ta.blockNumber + sb.blockNumber - tb.blockNumber) * PRICE;
    expect(await balance(w, providerOwner.account.address)).toBe(ownerBefore + realized);
    expect(await balance(w, d.tokenProvider)).toBe(0n);
    await mineTo(test, sb.blockNumber + 2n * BLOCKS);
    await expectRevert(withdraw(providerOwner, d.tokenProvider), 'NothingToWithdraw');
  });
});

describe('TestStablecoin', () => {
  it('has 6 decimals and an EIP-712 domain separator for (name, "1", chainId, address)', async () => {
    const { d, test, chain } = world();
    const at = { address: d.stablecoin, abi: testStablecoinAbi } as const;
    expect(await test.readContract({ ...at, functionName: 'decimals' })).toBe(6);
    const name = await test.readContract({ ...at, functionName: 'name' });
    expect(await test.readContract({ ...at, functionName: 'DOMAIN_SEPARATOR' })).toBe(
      hashDomain({
        domain: { name, version: '1', chainId: BigInt(chain.chainId), verifyingContract: d.stablecoin },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
    );
  });

  it('only the owner mints (NotOwner); transfers beyond the balance revert InsufficientBalance; the zero address ZeroAddress', async () => {
    const { d, deployer, user, stranger, send } = world();
    await expectRevert(mintStablecoin(user, d.stablecoin, user.account.address, 1n), 'NotOwner');
    await expectRevert(mintStablecoin(deployer, d.stablecoin, zeroAddress, 1n), 'ZeroAddress');
    await expectRevert(
      user.writeContract({
        address: d.stablecoin,
        abi: testStablecoinAbi,
        functionName: 'transfer',
        args: [zeroAddress, 1n],
      }),
      'ZeroAddress',
    );
    await expectRevert(approve(user, d.stablecoin, zeroAddress, 1n), 'ZeroAddress');
    await send(mintStablecoin(deployer, d.stablecoin, stranger.account.address, 5n));
    const have = await tokenBalance(user, d.stablecoin, user.account.address);
    await expectRevert(
      user.writeContract({
        address: d.stablecoin,
        abi: testStablecoinAbi,
        functionName: 'transfer',
        args: [stranger.account.address, have + 1n],
      }),
      'InsufficientBalance',
      [have, have + 1n],
    );
  });

  it('permit rejects replays, tampered values, malleable signatures (InvalidSignature) and expired deadlines (PermitExpired)', async () => {
    const { d, user, stranger, send, test } = world();
    const owner = user.account.address;
    const spender = stranger.account.address;
    const deadline = await defaultDeadline(test);
    const sig = await signPermit(user, d.stablecoin, spender, 100n, deadline);
    const permit = (value: bigint, v: number, s: `0x${string}`, until = deadline) =>
      stranger.writeContract({
        address: d.stablecoin,
        abi: testStablecoinAbi,
        functionName: 'permit',
        args: [owner, spender, value, until, v, sig.r, s],
      });
    await expectRevert(permit(101n, sig.v, sig.s), 'InvalidSignature');
    const highS = numberToHex(SECP256K1_N - hexToBigInt(sig.s), { size: 32 });
    await expectRevert(permit(100n, sig.v === 27 ? 28 : 27, highS), 'InvalidSignature');
    await expectRevert(permit(100n, sig.v, sig.s, 1n), 'PermitExpired', [1n]);
    await send(permit(100n, sig.v, sig.s));
    await expectRevert(permit(100n, sig.v, sig.s), 'InvalidSignature');
  });
});
