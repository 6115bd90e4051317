import { afterAll, describe, expect, it } from 'vitest';
import { zeroAddress } from 'viem';
import { uniswapV2PairAbi } from '../../contracts/index.js';
import { ROLE, accountAt } from '../../harness/chain/accounts.js';
import {
  confirm,
  listedProviders,
  packageBlocks,
  packagePrice,
  providerOwner,
  tokenBalance,
  topUp,
  topUpWithEth,
} from '../../harness/chain/actions.js';
import { startChain, type Chain, type ChainOptions } from '../../harness/chain/anvil.js';
import { testClientFor, walletClientFor } from '../../harness/chain/clients.js';
import {
  DEFAULT_LIQUIDITY,
  deployAll,
  uniswapPairAddress,
  type DeployOptions,
  type Deployment,
} from '../../harness/chain/deploy.js';
import { useAutomine } from '../../harness/chain/mining.js';

const chains: Chain[] = [];
afterAll(async () => {
  await Promise.all(chains.map((c) => c.stop()));
});

async function deployOn(
  options: ChainOptions,
  deploy?: DeployOptions,
): Promise<{ chain: Chain; d: Deployment }> {
  const chain = await startChain(options);
  chains.push(chain);
  return { chain, d: await deployAll(chain, deploy) };
}

async function expectWorkingDeployment(chain: Chain, d: Deployment) {
  const test = testClientFor(chain);
  for (const [name, address] of Object.entries(d)) {
    if (name === 'deployedAtBlock') continue;
    expect(await test.getCode({ address: address as `0x${string}` }), name).toMatch(/^0x[0-9a-f]{20,}/);
  }
  expect(d.pair).toBe(uniswapPairAddress(d.uniswapFactory, d.stablecoin, d.weth));
  const [reserve0, reserve1] = await test.readContract({
    address: d.pair,
    abi: uniswapV2PairAbi,
    functionName: 'getReserves',
  });
  const stableIsToken0 = BigInt(d.stablecoin) < BigInt(d.weth);
  expect(stableIsToken0 ? [reserve0, reserve1] : [reserve1, reserve0]).toEqual([
    DEFAULT_LIQUIDITY.tokens,
    DEFAULT_LIQUIDITY.eth,
  ]);
  expect((await listedProviders(test, d.entrance)).map((p) => p.provider)).toEqual([
    d.ethProvider,
    d.tokenProvider,
  ]);
  const owner = accountAt(chain.mnemonic, ROLE.providerOwner).address;
  expect(await providerOwner(test, d.ethProvider)).toBe(owner);
  expect(await providerOwner(test, d.tokenProvider)).toBe(owner);
  expect(
    await tokenBalance(test, d.stablecoin, accountAt(chain.mnemonic, ROLE.user).address),
  ).toBeGreaterThan(0n);
  expect(d.deployedAtBlock).toBeGreaterThan(0n);
}

describe('deployAll', () => {
  it('deploys and wires everything on an automining chain; the swap path works end to end', async () => {
    const { chain, d } = await deployOn(
      {},
      { eth: { pricePerBlock: 7n, packageBlocks: 3n }, token: { packageBlocks: 4n } },
    );
    await expectWorkingDeployment(chain, d);
    const test = testClientFor(chain);
    expect(await packagePrice(test, d.ethProvider)).toBe(21n);
    expect(await packageBlocks(test, d.tokenProvider)).toBe(4n);
    const user = walletClientFor(chain, ROLE.user);
    const org = accountAt(chain.mnemonic, 9).address;
    await confirm(test, await topUp(user, d.ethProvider, org, 1));
    await confirm(test, await topUpWithEth(user, d.tokenProvider, org, 2));
    expect(await tokenBalance(test, d.stablecoin, d.tokenProvider)).toBe(
      2n * (await packagePrice(test, d.tokenProvider)),
    );
  });

  it('works without automine: interval mining (blockTime) and no mining at all', async () => {
    const [interval, manual] = await Promise.all([deployOn({ blockTime: 2 }), deployOn({ noMining: true })]);
    await expectWorkingDeployment(interval.chain, interval.d);
    await expectWorkingDeployment(manual.chain, manual.d);
    expect(await testClientFor(manual.chain).getAutomine()).toBe(false);
  });

  it('two deployments on one chain are independent', async () => {
    const chain = await startChain({ noMining: true });
    chains.push(chain);
    await useAutomine(testClientFor(chain));
    const [first, second] = [await deployAll(chain), await deployAll(chain)];
    expect(second.entrance).not.toBe(first.entrance);
    expect(second.deployedAtBlock).toBeGreaterThan(first.deployedAtBlock);
    await expectWorkingDeployment(chain, second);
    expect(first.ethProvider).not.toBe(zeroAddress);
  });
});
