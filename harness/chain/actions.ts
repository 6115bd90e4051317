/**
 * Small viem-style actions on the oneclick contracts. Writes return the transaction hash as soon
 * as it is in the pool (so they also work with manual mining); `confirm` waits for the receipt.
 * A write that would revert throws before sending, with the contract's custom error in the message.
 */
import {
  decodeEventLog,
  parseSignature,
  type Address,
  type BlockTag,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import {
  estimateContractGas,
  getBlock,
  getContractEvents,
  readContract,
  waitForTransactionReceipt,
} from 'viem/actions';
import {
  entranceAbi,
  ethProviderAbi,
  orgAbi,
  orgFactoryAbi,
  testStablecoinAbi,
  tokenProviderAbi,
  uniswapV2Router02Abi,
} from '../../contracts/index.js';
import type { WalletClient } from './clients.js';
import { view, viewOf, write, writeOf, type Reader, type TxOverrides } from './view.js';

export { blockOf, type ReadOptions, type Reader, type TxOverrides } from './view.js';
export type Packages = bigint | number;

export class TransactionRevertedError extends Error {
  override name = 'TransactionRevertedError';
  constructor(readonly receipt: TransactionReceipt) {
    super(`transaction ${receipt.transactionHash} reverted in block ${receipt.blockNumber}`);
  }
}

/** Waits for the receipt of `hash`; throws `TransactionRevertedError` if the transaction reverted. */
export async function confirm(
  client: Reader,
  hash: Hash,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<TransactionReceipt> {
  const receipt = await waitForTransactionReceipt(client, { hash, timeout: timeoutMs, pollingInterval: 100 });
  if (receipt.status !== 'success') throw new TransactionRevertedError(receipt);
  return receipt;
}

// ---- provider reads (EthProvider and TokenProvider share these) ----

export const packagePrice = view(ethProviderAbi, 'packagePrice');

export const pricePerBlock = view(ethProviderAbi, 'pricePerBlock');

export const packageBlocks = view(ethProviderAbi, 'packageBlocks');

export const providerOwner = view(ethProviderAbi, 'owner');

export const expiryOf = viewOf(ethProviderAbi, 'expiryOf');

export const isActive = viewOf(ethProviderAbi, 'isActive');

export const deploymentOf = viewOf(ethProviderAbi, 'deploymentOf');

export const activeSubscribers = view(ethProviderAbi, 'activeSubscribers');

/** Revenue earned so far (withdrawn or not). */
export const realizedRevenue = view(ethProviderAbi, 'realizedRevenue');

export const withdrawable = view(ethProviderAbi, 'withdrawable');

/** `NewTopUp` logs of `provider` (optionally of one org), fetched fresh from the node. */
export async function topUpLogs(
  client: Reader,
  provider: Address,
  {
    org,
    fromBlock = 0n,
    toBlock = 'latest',
  }: { org?: Address; fromBlock?: bigint; toBlock?: bigint | BlockTag } = {},
) {
  const logs = await getContractEvents(client, {
    address: provider,
    abi: ethProviderAbi,
    eventName: 'NewTopUp',
    args: org ? { org } : undefined,
    fromBlock,
    toBlock,
    strict: true,
  });
  return logs.map((log) => ({
    org: log.args.org,
    expiry: log.args.expiry,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }));
}

// ---- provider writes ----

/** Pays `packages` packages in ether for `org` (EthProvider). */
export async function topUp(
  wallet: WalletClient,
  provider: Address,
  org: Address,
  packages: Packages,
  tx: TxOverrides = {},
): Promise<Hash> {
  const value = (await packagePrice(wallet, provider)) * BigInt(packages);
  return topUpWithValue(wallet, provider, org, value, tx);
}

/** Pays exactly `value` wei for `org` (EthProvider), whole packages or not. */
export const topUpWithValue = (
  wallet: WalletClient,
  provider: Address,
  org: Address,
  value: bigint,
  tx = {},
) => write(ethProviderAbi, 'topUp')(wallet, provider, [org], { ...tx, value });

/** Pays `packages` packages in tokens for `org` (TokenProvider; needs an allowance, see `approve`). */
export async function topUpWithToken(
  wallet: WalletClient,
  provider: Address,
  org: Address,
  packages: Packages,
  tx: TxOverrides = {},
): Promise<Hash> {
  const amount = (await packagePrice(wallet, provider)) * BigInt(packages);
  return wallet.writeContract({
    address: provider,
    abi: tokenProviderAbi,
    functionName: 'topUp',
    args: [org, amount],
    ...tx,
  });
}

/** The token a TokenProvider is paid in. */
export const tokenOf = (client: Reader, provider: Address) =>
  view(tokenProviderAbi, 'token')(client, provider);

/** Deadline one hour after the latest block (block time, not wall clock). */
export async function defaultDeadline(client: Reader, seconds = 3600n): Promise<bigint> {
  const block = await getBlock(client, { blockTag: 'latest' });
  return block.timestamp + seconds;
}

export interface PermitSignature {
  v: number;
  r: Hex;
  s: Hex;
}

/** Signs an EIP-2612 permit of the wallet's account for `spender` on `token`. */
export async function signPermit(
  wallet: WalletClient,
  token: Address,
  spender: Address,
  value: bigint,
  deadline: bigint,
): Promise<PermitSignature> {
  const owner = wallet.account.address;
  const [name, version, nonce] = await Promise.all([
    readContract(wallet, { address: token, abi: testStablecoinAbi, functionName: 'name' }),
    readContract(wallet, { address: token, abi: testStablecoinAbi, functionName: 'version' }),
    readContract(wallet, { address: token, abi: testStablecoinAbi, functionName: 'nonces', args: [owner] }),
  ]);
  const signature = await wallet.signTypedData({
    domain: { name, version, chainId: wallet.chain.id, verifyingContract: token },
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { r, s, v: Number(v ?? 27n + BigInt(yParity)) };
}

/** Pays `packages` packages in tokens for `org` with a freshly signed permit instead of an approval. */
export async function topUpWithPermit(
  wallet: WalletClient,
  provider: Address,
  org: Address,
  packages: Packages,
  { deadline, ...tx }: TxOverrides & { deadline?: bigint } = {},
): Promise<Hash> {
  const [price, token, until] = await Promise.all([
    packagePrice(wallet, provider),
    tokenOf(wallet, provider),
    deadline ?? defaultDeadline(wallet),
  ]);
  const amount = price * BigInt(packages);
  const { v, r, s } = await signPermit(wallet, token, provider, amount, until);
  return wallet.writeContract({
    address: provider,
    abi: tokenProviderAbi,
    functionName: 'topUpWithPermit',
    args: [org, amount, until, v, r, s],
    ...tx,
  });
}

/** Ether the swap for `packages` packages of a TokenProvider costs right now. */
export async function quoteEthForPackages(
  client: Reader,
  provider: Address,
  packages: Packages,
): Promise<bigint> {
  const [price, token, router] = await Promise.all([
    packagePrice(client, provider),
    tokenOf(client, provider),
    readContract(client, { address: provider, abi: tokenProviderAbi, functionName: 'swapRouter' }),
  ]);
  const weth = await readContract(client, {
    address: router,
    abi: uniswapV2Router02Abi,
    functionName: 'WETH',
  });
  const amounts = await readContract(client, {
    address: router,
    abi: uniswapV2Router02Abi,
    functionName: 'getAmountsIn',
    args: [price * BigInt(packages), [weth, token]],
  });
  const needed = amounts[0];
  if (needed === undefined) throw new Error('router returned no amounts');
  return needed;
}

/**
 * Ether sent when no `value` is given: the quote plus 2%, since another swap landing first in the
 * block moves the pool; the contract refunds what the swap did not spend.
 */
const withSlippage = (quote: bigint): bigint => quote + quote / 50n;

/**
 * Gas sent when no `gas` is given: the estimate plus half. Uniswap's pair writes its price
 * accumulators only in a block later than its last swap, so a swap estimated in the same second as
 * the previous one needs ~45 000 gas more once mined a second later; unused gas is not paid.
 */
const withGasHeadroom = (estimate: bigint): bigint => estimate + estimate / 2n;

/** Buys `packages` packages of tokens with ether (TokenProvider); ether beyond the swap comes back. */
export async function topUpWithEth(
  wallet: WalletClient,
  provider: Address,
  org: Address,
  packages: Packages,
  { value, deadline, gas, ...tx }: TxOverrides & { value?: bigint; deadline?: bigint } = {},
): Promise<Hash> {
  const [paid, until] = await Promise.all([
    value ?? quoteEthForPackages(wallet, provider, packages).then(withSlippage),
    deadline ?? defaultDeadline(wallet),
  ]);
  const call = {
    address: provider,
    abi: tokenProviderAbi,
    functionName: 'topUpWithEth',
    args: [org, BigInt(packages), until],
    value: paid,
    account: wallet.account,
    ...tx,
  } as const;
  return wallet.writeContract({
    ...call,
    gas: gas ?? withGasHeadroom(await estimateContractGas(wallet, call)),
  });
}

/** The deployment owner ends `org`'s deployment now and gets the unused blocks refunded. */
export const cancel = writeOf(ethProviderAbi, 'cancel');

/** The provider owner ends `org`'s deployment now; its owner gets the unused blocks refunded. */
export const suspend = writeOf(ethProviderAbi, 'suspend');

/** The provider owner takes the realized revenue. */
export function withdraw(wallet: WalletClient, provider: Address, tx: TxOverrides = {}): Promise<Hash> {
  return wallet.writeContract({ address: provider, abi: ethProviderAbi, functionName: 'withdraw', ...tx });
}

// ---- orgs ----

export function createOrg(
  wallet: WalletClient,
  orgFactory: Address,
  owner: Address = wallet.account.address,
  tx: TxOverrides = {},
): Promise<Hash> {
  return writeOf(orgFactoryAbi, 'createOrg')(wallet, orgFactory, owner, tx);
}

/** Orgs created in a transaction (from `OrgCreated` logs), e.g. by `createOrg` or `registerOrgThenTopUp`. */
export function createdOrgs(receipt: TransactionReceipt): Array<{ org: Address; owner: Address }> {
  return receipt.logs.flatMap((log) => {
    try {
      const event = decodeEventLog({ abi: orgFactoryAbi, data: log.data, topics: log.topics, strict: true });
      return event.eventName === 'OrgCreated' ? [{ org: event.args.org, owner: event.args.owner }] : [];
    } catch {
      return [];
    }
  });
}

/** The single org a confirmed `createOrg` / `registerOrgThenTopUp` created. */
export function createdOrg(receipt: TransactionReceipt): Address {
  const [first, ...rest] = createdOrgs(receipt);
  if (!first || rest.length > 0) {
    throw new Error(
      `expected one OrgCreated event in ${receipt.transactionHash}, found ${rest.length + (first ? 1 : 0)}`,
    );
  }
  return first.org;
}

export const orgOwner = (client: Reader, org: Address) => view(orgAbi, 'owner')(client, org);

export const setOrgOwner = writeOf(orgAbi, 'setOwner');

/** Anchors project `id` at `multihash` (`tag` = kind of the hash). */
export function anchor(
  wallet: WalletClient,
  org: Address,
  id: Hex,
  tag: number,
  multihash: Hex,
  tx: TxOverrides = {},
): Promise<Hash> {
  return wallet.writeContract({
    address: org,
    abi: orgAbi,
    functionName: 'anchor',
    args: [id, tag, multihash],
    ...tx,
  });
}

// ---- entrance ----

/** Creates an org owned by the wallet and pays `packages` packages for it with an ether provider. */
export async function registerOrgThenTopUp(
  wallet: WalletClient,
  entrance: Address,
  provider: Address,
  packages: Packages,
  tx: TxOverrides = {},
): Promise<Hash> {
  const value = (await packagePrice(wallet, provider)) * BigInt(packages);
  return write(entranceAbi, 'registerOrgThenTopUp')(wallet, entrance, [provider], { ...tx, value });
}

export const listProvider = (
  wallet: WalletClient,
  entrance: Address,
  provider: Address,
  name: string,
  endpoint: string,
  tx: TxOverrides = {},
) => write(entranceAbi, 'list')(wallet, entrance, [provider, name, endpoint], tx);

export const delistProvider = writeOf(entranceAbi, 'delist');

/** Listed providers with their live terms, in listing order. */
export const listedProviders = view(entranceAbi, 'providers');

/** Listed providers paid in `currency` (zero address = ether), cheapest first, then most subscribers. */
export const ranking = viewOf(entranceAbi, 'ranking');

// ---- stablecoin ----

export const tokenBalance = viewOf(testStablecoinAbi, 'balanceOf');

export const approve = (
  wallet: WalletClient,
  token: Address,
  spender: Address,
  amount: bigint,
  tx: TxOverrides = {},
) => write(testStablecoinAbi, 'approve')(wallet, token, [spender, amount], tx);

/** Mints test stablecoins (only the stablecoin's owner, the deployer, may). */
export const mintStablecoin = (
  wallet: WalletClient,
  token: Address,
  to: Address,
  amount: bigint,
  tx: TxOverrides = {},
) => write(testStablecoinAbi, 'mint')(wallet, token, [to, amount], tx);
