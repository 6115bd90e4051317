/**
 * Deploys the whole oneclick contract world on a chain: orgs, the certifier registry (owned by the
 * deployer, no certifiers yet), the Entrance, a stablecoin with a
 * seeded Uniswap V2 pool against WETH, and one listed provider per currency. Works with automine,
 * interval and manual mining (it mines its own blocks when automine is off).
 */
import {
  encodePacked,
  getAddress,
  getContractAddress,
  keccak256,
  zeroAddress,
  type Abi,
  type Address,
  type Hash,
  type Hex,
} from 'viem';
import {
  certifierRegistryAbi,
  certifierRegistryBytecode,
  entranceAbi,
  entranceBytecode,
  ethProviderAbi,
  ethProviderBytecode,
  orgFactoryAbi,
  orgFactoryBytecode,
  testStablecoinAbi,
  testStablecoinBytecode,
  tokenProviderAbi,
  tokenProviderBytecode,
  uniswapV2FactoryAbi,
  uniswapV2FactoryBytecode,
  uniswapV2PairInitCodeHash,
  uniswapV2Router02Abi,
  uniswapV2Router02Bytecode,
  weth9Abi,
  weth9Bytecode,
} from '../../contracts/index.js';
import { ROLE } from './accounts.js';
import { approve, confirm, defaultDeadline, listProvider, mintStablecoin } from './actions.js';
import type { Chain } from './anvil.js';
import { testClientFor, walletClientFor, type TestClient, type WalletClient } from './clients.js';

export interface ProviderTerms {
  pricePerBlock: bigint;
  packageBlocks: bigint;
  /** Name and endpoint listed on the Entrance. */
  name: string;
  endpoint: string;
}

export interface DeployOptions {
  eth?: Partial<ProviderTerms>;
  token?: Partial<ProviderTerms>;
  stablecoin?: { name?: string; symbol?: string; decimals?: number };
  /** Seed of the stablecoin/WETH pool (token units, wei). */
  liquidity?: { tokens?: bigint; eth?: bigint };
  /** Stablecoins minted to each of these account indexes (default: orgOwner, user, stranger). */
  fund?: { accounts?: readonly number[]; tokens?: bigint };
  /** Mine a block after each transaction; default: when the chain does not automine. */
  mineEachTx?: boolean;
  /**
   * Provider contracts deployed in place of oneclick's EthProvider / TokenProvider (a provider's
   * own, manifest `contracts`), with the same constructor arguments.
   */
  providerContracts?: Partial<Record<'eth' | 'token', ProviderCode>>;
}

/** A provider contract's creation code and ABI. */
export interface ProviderCode {
  abi: Abi;
  bytecode: Hex;
}

export interface Deployment {
  entrance: Address;
  orgFactory: Address;
  /** The CertifierRegistry the Entrance trusts; owned by the deployer role account. */
  certifierRegistry: Address;
  ethProvider: Address;
  tokenProvider: Address;
  stablecoin: Address;
  weth: Address;
  uniswapFactory: Address;
  uniswapRouter: Address;
  pair: Address;
  /** Block of the first deployment transaction: the `fromBlock` for log queries. */
  deployedAtBlock: bigint;
}

export const STABLECOIN_DECIMALS = 6;
const USD = 10n ** BigInt(STABLECOIN_DECIMALS);

export const DEFAULT_TERMS = {
  // 1 szabo a block, 100-block packages: 0.0001 ETH a package.
  eth: {
    pricePerBlock: 10n ** 12n,
    packageBlocks: 100n,
    name: 'oneclick ether',
    endpoint: 'http://127.0.0.1:8545',
  },
  // 0.001 TUSD a block, 100-block packages: 0.1 TUSD a package.
  token: {
    pricePerBlock: USD / 1000n,
    packageBlocks: 100n,
    name: 'oneclick stable',
    endpoint: 'http://127.0.0.1:8546',
  },
} as const satisfies Record<string, ProviderTerms>;

/** 1,000,000 TUSD against 500 ETH: 2,000 TUSD per ETH. */
export const DEFAULT_LIQUIDITY = { tokens: 1_000_000n * USD, eth: 500n * 10n ** 18n } as const;

/** Sends through `send`, mines if asked, waits for the receipt; throws if the transaction reverted. */
export function sender(test: TestClient, mineEachTx: boolean) {
  return async (hash: Promise<Hash>) => {
    const sent = await hash;
    if (mineEachTx) await test.mine({ blocks: 1 });
    return confirm(test, sent);
  };
}

type Send = ReturnType<typeof sender>;

function deployedAddress(receipt: { contractAddress?: Address | null; transactionHash: Hash }): Address {
  if (!receipt.contractAddress) throw new Error(`transaction ${receipt.transactionHash} created no contract`);
  return getAddress(receipt.contractAddress);
}

export async function deployEthProvider(
  send: Send,
  wallet: WalletClient,
  owner: Address,
  terms: Pick<ProviderTerms, 'pricePerBlock' | 'packageBlocks'>,
  code: ProviderCode = { abi: ethProviderAbi, bytecode: ethProviderBytecode },
): Promise<Address> {
  const receipt = await send(
    wallet.deployContract({
      ...code,
      args: [owner, terms.pricePerBlock, terms.packageBlocks],
    }),
  );
  return deployedAddress(receipt);
}

export async function deployTokenProvider(
  send: Send,
  wallet: WalletClient,
  owner: Address,
  token: Address,
  terms: Pick<ProviderTerms, 'pricePerBlock' | 'packageBlocks'>,
  swapRouter: Address = zeroAddress,
  code: ProviderCode = { abi: tokenProviderAbi, bytecode: tokenProviderBytecode },
): Promise<Address> {
  const receipt = await send(
    wallet.deployContract({
      ...code,
      args: [owner, token, terms.pricePerBlock, terms.packageBlocks, swapRouter],
    }),
  );
  return deployedAddress(receipt);
}

/** Address the Uniswap V2 factory gives the pair of two tokens (what the router computes too). */
export function uniswapPairAddress(factory: Address, tokenA: Address, tokenB: Address): Address {
  const [token0, token1] = BigInt(tokenA) < BigInt(tokenB) ? [tokenA, tokenB] : [tokenB, tokenA];
  return getContractAddress({
    opcode: 'CREATE2',
    from: factory,
    salt: keccak256(encodePacked(['address', 'address'], [token0, token1])),
    bytecodeHash: uniswapV2PairInitCodeHash,
  });
}

export async function deployAll(chain: Chain, opts: DeployOptions = {}): Promise<Deployment> {
  const test = testClientFor(chain);
  const send = sender(test, opts.mineEachTx ?? !(await test.getAutomine()));
  const deployer = walletClientFor(chain, ROLE.deployer);
  const providerOwner = walletClientFor(chain, ROLE.providerOwner);
  const ethTerms = { ...DEFAULT_TERMS.eth, ...opts.eth };
  const tokenTerms = { ...DEFAULT_TERMS.token, ...opts.token };
  const liquidity = { ...DEFAULT_LIQUIDITY, ...opts.liquidity };

  const first = await send(deployer.deployContract({ abi: orgFactoryAbi, bytecode: orgFactoryBytecode }));
  const orgFactory = deployedAddress(first);
  const certifierRegistry = deployedAddress(
    await send(
      deployer.deployContract({
        abi: certifierRegistryAbi,
        bytecode: certifierRegistryBytecode,
        args: [deployer.account.address],
      }),
    ),
  );
  const entrance = deployedAddress(
    await send(
      deployer.deployContract({
        abi: entranceAbi,
        bytecode: entranceBytecode,
        args: [orgFactory, certifierRegistry],
      }),
    ),
  );
  const stablecoin = deployedAddress(
    await send(
      deployer.deployContract({
        abi: testStablecoinAbi,
        bytecode: testStablecoinBytecode,
        args: [
          opts.stablecoin?.name ?? 'Test USD',
          opts.stablecoin?.symbol ?? 'TUSD',
          opts.stablecoin?.decimals ?? STABLECOIN_DECIMALS,
        ],
      }),
    ),
  );
  const weth = deployedAddress(
    await send(deployer.deployContract({ abi: weth9Abi, bytecode: weth9Bytecode })),
  );
  const uniswapFactory = deployedAddress(
    await send(
      deployer.deployContract({
        abi: uniswapV2FactoryAbi,
        bytecode: uniswapV2FactoryBytecode,
        args: [deployer.account.address],
      }),
    ),
  );
  const uniswapRouter = deployedAddress(
    await send(
      deployer.deployContract({
        abi: uniswapV2Router02Abi,
        bytecode: uniswapV2Router02Bytecode,
        args: [uniswapFactory, weth],
      }),
    ),
  );

  const pair = await seedPool(send, deployer, { stablecoin, weth, uniswapFactory, uniswapRouter }, liquidity);
  for (const index of opts.fund?.accounts ?? [ROLE.orgOwner, ROLE.user, ROLE.stranger]) {
    const to = walletClientFor(chain, index).account.address;
    await send(mintStablecoin(deployer, stablecoin, to, opts.fund?.tokens ?? 10_000n * USD));
  }

  const owner = providerOwner.account.address;
  const ethProvider = await deployEthProvider(
    send,
    providerOwner,
    owner,
    ethTerms,
    opts.providerContracts?.eth,
  );
  const tokenProvider = await deployTokenProvider(
    send,
    providerOwner,
    owner,
    stablecoin,
    tokenTerms,
    uniswapRouter,
    opts.providerContracts?.token,
  );
  await send(listProvider(providerOwner, entrance, ethProvider, ethTerms.name, ethTerms.endpoint));
  await send(listProvider(providerOwner, entrance, tokenProvider, tokenTerms.name, tokenTerms.endpoint));

  return {
    entrance,
    orgFactory,
    certifierRegistry,
    ethProvider,
    tokenProvider,
    stablecoin,
    weth,
    uniswapFactory,
    uniswapRouter,
    pair,
    deployedAtBlock: first.blockNumber,
  };
}

/** Creates the stablecoin/WETH pair through the router and checks it sits where the router looks for it. */
async function seedPool(
  send: Send,
  deployer: WalletClient,
  at: { stablecoin: Address; weth: Address; uniswapFactory: Address; uniswapRouter: Address },
  liquidity: { tokens: bigint; eth: bigint },
): Promise<Address> {
  const owner = deployer.account.address;
  await send(mintStablecoin(deployer, at.stablecoin, owner, liquidity.tokens));
  await send(approve(deployer, at.stablecoin, at.uniswapRouter, liquidity.tokens));
  await send(
    deployer.writeContract({
      address: at.uniswapRouter,
      abi: uniswapV2Router02Abi,
      functionName: 'addLiquidityETH',
      args: [
        at.stablecoin,
        liquidity.tokens,
        liquidity.tokens,
        liquidity.eth,
        owner,
        await defaultDeadline(deployer),
      ],
      value: liquidity.eth,
    }),
  );
  const pair = await deployer.readContract({
    address: at.uniswapFactory,
    abi: uniswapV2FactoryAbi,
    functionName: 'getPair',
    args: [at.stablecoin, at.weth],
  });
  const expected = uniswapPairAddress(at.uniswapFactory, at.stablecoin, at.weth);
  if (pair !== expected) {
    throw new Error(
      `Uniswap pair is at ${pair} but the router computes ${expected}: init code hash mismatch (${uniswapV2PairInitCodeHash})`,
    );
  }
  return pair;
}
