/** Shared set-up for contract tests: one Anvil and one deployment per test file, snapshots per test. */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  getAddress,
  isHex,
  type Abi,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import {
  certificateLibAbi,
  certifierRegistryAbi,
  entranceAbi,
  ethProviderAbi,
  orgAbi,
  orgFactoryAbi,
  reentrantOwnerAbi,
  testStablecoinAbi,
  tokenProviderAbi,
} from '../../contracts/index.js';
import { ROLE } from '../../harness/chain/accounts.js';
import { confirm } from '../../harness/chain/actions.js';
import { startChain, type Chain, type ChainOptions } from '../../harness/chain/anvil.js';
import {
  testClientFor,
  walletClientFor,
  type TestClient,
  type WalletClient,
} from '../../harness/chain/clients.js';
import { deployAll, sender, type DeployOptions, type Deployment } from '../../harness/chain/deploy.js';
import { revertTo, snapshot } from '../../harness/chain/mining.js';

export interface World {
  chain: Chain;
  test: TestClient;
  d: Deployment;
  deployer: WalletClient;
  providerOwner: WalletClient;
  orgOwner: WalletClient;
  user: WalletClient;
  stranger: WalletClient;
  /** Waits for a sent transaction's receipt; throws if it reverted. */
  send: (hash: Promise<Hash>) => Promise<TransactionReceipt>;
}

/**
 * Starts a chain and deploys everything once for the file (beforeAll); every test runs against a
 * snapshot taken before it and reverted after it. Read the world inside tests/hooks only.
 */
export function useWorld(options: { chain?: ChainOptions; deploy?: DeployOptions } = {}): () => World {
  let world: World | undefined;
  let snap: Hash | undefined;
  beforeAll(async () => {
    const chain = await startChain(options.chain);
    try {
      const test = testClientFor(chain);
      const d = await deployAll(chain, options.deploy);
      world = {
        chain,
        test,
        d,
        deployer: walletClientFor(chain, ROLE.deployer),
        providerOwner: walletClientFor(chain, ROLE.providerOwner),
        orgOwner: walletClientFor(chain, ROLE.orgOwner),
        user: walletClientFor(chain, ROLE.user),
        stranger: walletClientFor(chain, ROLE.stranger),
        send: sender(test, false),
      };
    } catch (error) {
      await chain.stop();
      throw error;
    }
  });
  afterAll(async () => {
    await world?.chain.stop();
  });
  beforeEach(async () => {
    if (world) snap = await snapshot(world.test);
  });
  afterEach(async () => {
    if (world && snap) await revertTo(world.test, snap);
  });
  return () => {
    if (!world) throw new Error('world not set up (use it inside tests or hooks)');
    return world;
  };
}

/** Every custom error of the oneclick contracts, so reverts bubbled from another contract decode too. */
const ERRORS_ABI = [
  ...ethProviderAbi,
  ...tokenProviderAbi,
  ...entranceAbi,
  ...certifierRegistryAbi,
  ...certificateLibAbi,
  ...orgAbi,
  ...orgFactoryAbi,
  ...testStablecoinAbi,
  ...reentrantOwnerAbi,
].filter((item) => item.type === 'error') as Abi;

/** The custom error (name and args) a viem error carries, if any. */
export function revertOf(error: unknown): { name: string; args: readonly unknown[] } | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (revert instanceof ContractFunctionRevertedError) {
    if (revert.data) return { name: revert.data.errorName, args: revert.data.args ?? [] };
    if (revert.raw && revert.raw !== '0x') return decodeRevert(revert.raw);
    return revert.reason ? { name: `reason: ${revert.reason}`, args: [] } : undefined;
  }
  // Not a contract function call (e.g. a deployment): the node's error carries the revert data.
  const raw = error.walk((e) => isHex((e as { data?: unknown }).data));
  const data = (raw as { data?: unknown } | null)?.data;
  return isHex(data) && data !== '0x' ? decodeRevert(data) : undefined;
}

function decodeRevert(data: Hex): { name: string; args: readonly unknown[] } {
  try {
    const decoded = decodeErrorResult({ abi: ERRORS_ABI, data });
    return { name: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return { name: `unknown ${data.slice(0, 10)}`, args: [] };
  }
}

/** Asserts that `promise` rejects with custom error `name` (and `args`, when given). */
export async function expectRevert(
  promise: Promise<unknown>,
  name: string,
  args?: readonly unknown[],
): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected revert ${name}, but it succeeded`).toBeDefined();
  const revert = revertOf(error);
  expect(revert?.name, `expected ${name}, got: ${String((error as Error).message).slice(0, 400)}`).toBe(name);
  if (args) expect(revert?.args).toEqual(args);
}

/** Wei spent on gas by a transaction. */
export function gasCost(receipt: TransactionReceipt): bigint {
  return receipt.gasUsed * receipt.effectiveGasPrice;
}

export async function ethBalance(world: World, who: Address): Promise<bigint> {
  return world.test.getBalance({ address: who });
}

/** Mines until the chain head is `target` (no-op when already there). */
export async function mineTo(test: TestClient, target: bigint): Promise<void> {
  const head = await test.getBlockNumber({ cacheTime: 0 });
  if (target > head) await test.mine({ blocks: Number(target - head) });
}

/** Fresh, never-used org addresses (providers accept any address as org). */
export function orgAddress(n: number): Address {
  return getAddress(`0x${(0x0c0ffee000 + n).toString(16).padStart(40, '0')}`);
}

export { confirm };
