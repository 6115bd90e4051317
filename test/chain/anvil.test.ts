import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEther, type Hash } from 'viem';
import { ROLE, accountAt } from '../../harness/chain/accounts.js';
import { startChain, type Chain } from '../../harness/chain/anvil.js';
import { testClientFor, walletClientFor, type TestClient } from '../../harness/chain/clients.js';
import {
  mine,
  revertTo,
  snapshot,
  useAutomine,
  useIntervalMining,
  useManualMining,
  waitForBlock,
} from '../../harness/chain/mining.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 1-wei transfer from the user to the stranger; returns its hash without waiting. */
function transfer(chain: Chain): Promise<Hash> {
  const wallet = walletClientFor(chain, ROLE.user);
  return wallet.sendTransaction({ to: accountAt(chain.mnemonic, ROLE.stranger).address, value: 1n });
}

describe('two chains at once', () => {
  let a: Chain;
  let b: Chain;
  beforeAll(async () => {
    [a, b] = await Promise.all([startChain(), startChain({ chainId: 1337, seed: 42 })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('run on different free ports with their own chain id, accounts and state', async () => {
    expect(a.port).not.toBe(b.port);
    const [ta, tb] = [testClientFor(a), testClientFor(b)];
    expect(await ta.getChainId()).toBe(31337);
    expect(await tb.getChainId()).toBe(1337);
    expect(accountAt(a.mnemonic, 0).address).not.toBe(accountAt(b.mnemonic, 0).address);
    expect(await tb.getBalance({ address: accountAt(b.mnemonic, ROLE.user).address })).toBeGreaterThan(
      parseEther('1000'),
    );
    expect(await mine(ta, 3)).toBe(3n);
    expect(await tb.getBlockNumber({ cacheTime: 0 })).toBe(0n);
  });

  it('a stopped chain no longer answers; the other one keeps going', async () => {
    const c = await startChain();
    await c.stop();
    await expect(testClientFor(c).getBlockNumber({ cacheTime: 0 })).rejects.toThrow();
    expect(await mine(testClientFor(b), 1)).toBe(1n);
  });
});

describe('mining modes, snapshots and waiting', () => {
  let chain: Chain;
  let test: TestClient;
  beforeAll(async () => {
    chain = await startChain();
    test = testClientFor(chain);
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it('automine (default): every transaction is mined at once in its own block', async () => {
    const head = await test.getBlockNumber({ cacheTime: 0 });
    const receipt = await test.waitForTransactionReceipt({ hash: await transfer(chain) });
    expect(receipt.blockNumber).toBe(head + 1n);
  });

  it('manual mining: a transaction waits in the pool until mine()', async () => {
    await useManualMining(test);
    try {
      const head = await test.getBlockNumber({ cacheTime: 0 });
      const hash = await transfer(chain);
      await sleep(300);
      expect(await test.getBlockNumber({ cacheTime: 0 })).toBe(head);
      await expect(test.getTransactionReceipt({ hash })).rejects.toThrow();
      expect((await test.getTxpoolContent()).pending).not.toEqual({});
      expect(await mine(test)).toBe(head + 1n);
      expect((await test.getTransactionReceipt({ hash })).blockNumber).toBe(head + 1n);
    } finally {
      await useAutomine(test);
    }
  });

  it('interval mining: blocks come every interval, with or without transactions', async () => {
    await useIntervalMining(test, 1);
    try {
      const head = await test.getBlockNumber({ cacheTime: 0 });
      expect(await waitForBlock(test, head + 2n, { timeoutMs: 5_000 })).toBeGreaterThanOrEqual(head + 2n);
      const receipt = await test.waitForTransactionReceipt({ hash: await transfer(chain), timeout: 5_000 });
      expect(receipt.status).toBe('success');
    } finally {
      await useAutomine(test);
    }
  });

  it('startChain({ noMining }) starts with no blocks at all until mine(); { blockTime } mines on its own', async () => {
    const [still, ticking] = await Promise.all([
      startChain({ noMining: true }),
      startChain({ blockTime: 1 }),
    ]);
    try {
      const [ts, tt] = [testClientFor(still), testClientFor(ticking)];
      const hash = await transfer(still);
      await waitForBlock(tt, 2n, { timeoutMs: 5_000 });
      expect(await ts.getBlockNumber({ cacheTime: 0 })).toBe(0n);
      expect(await mine(ts)).toBe(1n);
      expect((await ts.getTransactionReceipt({ hash })).blockNumber).toBe(1n);
    } finally {
      await Promise.all([still.stop(), ticking.stop()]);
    }
  });

  it('revertTo restores balances and block number; a snapshot is used up by reverting to it', async () => {
    const stranger = accountAt(chain.mnemonic, ROLE.stranger).address;
    const head = await test.getBlockNumber({ cacheTime: 0 });
    const balance = await test.getBalance({ address: stranger });
    const id = await snapshot(test);
    await test.waitForTransactionReceipt({ hash: await transfer(chain) });
    await mine(test, 5);
    expect(await test.getBalance({ address: stranger })).toBe(balance + 1n);
    await revertTo(test, id);
    expect(await test.getBlockNumber({ cacheTime: 0 })).toBe(head);
    expect(await test.getBalance({ address: stranger })).toBe(balance);
    await expect(revertTo(test, id)).rejects.toThrow(/already used/);
  });

  it('waitForBlock resolves at or after the target and times out with the current height', async () => {
    const head = await test.getBlockNumber({ cacheTime: 0 });
    expect(await waitForBlock(test, head)).toBe(head);
    setTimeout(() => void mine(test, 2), 150);
    expect(await waitForBlock(test, head + 2n, { timeoutMs: 5_000, pollMs: 20 })).toBe(head + 2n);
    await expect(waitForBlock(test, head + 100n, { timeoutMs: 200, pollMs: 20 })).rejects.toThrow(
      `waiting for block ${head + 100n}; chain is at ${head + 2n}`,
    );
  });
});
