import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Hash } from 'viem';
import { ROLE } from '../../harness/chain/accounts.js';
import { confirm, expiryOf, isActive, packagePrice, topUp, topUpLogs } from '../../harness/chain/actions.js';
import { startChain, type Chain } from '../../harness/chain/anvil.js';
import {
  testClientFor,
  walletClientFor,
  type TestClient,
  type WalletClient,
} from '../../harness/chain/clients.js';
import { DEFAULT_TERMS, deployAll, type Deployment } from '../../harness/chain/deploy.js';
import { mine, reorg, revertTo, snapshot } from '../../harness/chain/mining.js';
import { ethProviderAbi } from '../../contracts/index.js';

const ORG = '0x00000000000000000000000000000000000f00d1';

let chain: Chain;
let test: TestClient;
let user: WalletClient;
let d: Deployment;
let snap: Hash;

beforeAll(async () => {
  chain = await startChain();
  test = testClientFor(chain);
  user = walletClientFor(chain, ROLE.user);
  d = await deployAll(chain);
});
afterAll(async () => {
  await chain?.stop();
});
beforeEach(async () => {
  snap = await snapshot(test);
});
afterEach(async () => {
  await revertTo(test, snap);
});

describe('reorgs', () => {
  it('a top-up reorged out of the chain is gone from expiryOf and from fresh getLogs queries', async () => {
    const receipt = await confirm(test, await topUp(user, d.ethProvider, ORG, 1));
    await mine(test, 2);
    const head = await test.getBlockNumber({ cacheTime: 0 });
    const oldHash = (await test.getBlock({ blockNumber: receipt.blockNumber })).hash;
    expect(await expiryOf(test, d.ethProvider, ORG)).toBe(
      receipt.blockNumber + DEFAULT_TERMS.eth.packageBlocks,
    );
    expect(await topUpLogs(test, d.ethProvider, { fromBlock: d.deployedAtBlock })).toHaveLength(1);

    await reorg(test, Number(head - receipt.blockNumber + 1n));

    expect(await test.getBlockNumber({ cacheTime: 0 })).toBe(head);
    expect((await test.getBlock({ blockNumber: receipt.blockNumber })).hash).not.toBe(oldHash);
    expect(await expiryOf(test, d.ethProvider, ORG)).toBe(0n);
    expect(await isActive(test, d.ethProvider, ORG)).toBe(false);
    expect(await topUpLogs(test, d.ethProvider, { fromBlock: d.deployedAtBlock })).toEqual([]);
    const raw = await test.getLogs({ address: d.ethProvider, fromBlock: receipt.blockNumber, toBlock: head });
    expect(raw).toEqual([]);
    await expect(test.getTransactionReceipt({ hash: receipt.transactionHash })).rejects.toThrow();
    // The chain goes on normally after the reorg.
    const again = await confirm(test, await topUp(user, d.ethProvider, ORG, 1));
    expect(again.blockNumber).toBe(head + 1n);
  });

  it('a reorg shallower than the top-up keeps it; one that re-includes it moves it to a later block', async () => {
    const receipt = await confirm(test, await topUp(user, d.ethProvider, ORG, 1));
    await mine(test, 3);
    await reorg(test, 2);
    expect(await expiryOf(test, d.ethProvider, ORG)).toBe(
      receipt.blockNumber + DEFAULT_TERMS.eth.packageBlocks,
    );
    expect(await topUpLogs(test, d.ethProvider, { org: ORG })).toHaveLength(1);

    // Drop the block with the top-up and re-include the same signed transaction one block later.
    const tx = await test.getTransaction({ hash: receipt.transactionHash });
    const head = await test.getBlockNumber({ cacheTime: 0 });
    const depth = Number(head - receipt.blockNumber + 1n);
    const signed = await user.signTransaction({
      to: d.ethProvider,
      data: tx.input,
      value: await packagePrice(test, d.ethProvider),
      nonce: tx.nonce,
      gas: tx.gas,
      maxFeePerGas: tx.maxFeePerGas!,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
    });
    await reorg(test, depth, [[signed, 1]]);
    const logs = await topUpLogs(test, d.ethProvider, { org: ORG });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.blockNumber).toBe(receipt.blockNumber + 1n);
    expect(await expiryOf(test, d.ethProvider, ORG)).toBe(
      receipt.blockNumber + 1n + DEFAULT_TERMS.eth.packageBlocks,
    );
    expect(logs[0]!.expiry).toBe(receipt.blockNumber + 1n + DEFAULT_TERMS.eth.packageBlocks);
    const events = await test.getContractEvents({
      abi: ethProviderAbi,
      address: d.ethProvider,
      eventName: 'NewTopUp',
      fromBlock: 0n,
    });
    expect(events).toHaveLength(1);
  });
});
