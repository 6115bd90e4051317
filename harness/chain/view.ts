/**
 * The two shapes almost every contract call of the harness has, written once: a view read at a block
 * and a write returning its hash. `view(abi, 'owner')` is `(client, address, at?) => Promise<owner>`;
 * `viewOf(abi, 'expiryOf')` takes the one argument too; `writeOf(abi, 'cancel')` and `write(abi, 'list')` likewise for writes.
 */
import type {
  Abi,
  Address,
  BlockNumber,
  BlockTag,
  Client,
  ContractFunctionArgs,
  ContractFunctionName,
  Hash,
  ReadContractReturnType,
  Transport,
  Chain as ViemChain,
} from 'viem';
import { readContract } from 'viem/actions';
import type { WalletClient } from './clients.js';

/** Any viem client that can read the chain (public, test or wallet client). */
export type Reader = Client<Transport, ViemChain | undefined>;

export interface ReadOptions {
  blockTag?: BlockTag;
  blockNumber?: BlockNumber;
}

/** Optional overrides for writes: a fixed gas limit skips estimation (the tx is sent even if it reverts). */
export interface TxOverrides {
  gas?: bigint;
  nonce?: number;
}

/** A read at `at`: viem takes a block tag or a block number, not both. */
export function blockOf({ blockTag, blockNumber }: ReadOptions) {
  return blockNumber === undefined ? { blockTag } : { blockNumber };
}

type Views<A extends Abi> = ContractFunctionName<A, 'view' | 'pure'>;
type ViewArgs<A extends Abi, F extends Views<A>> = ContractFunctionArgs<A, 'view' | 'pure', F>;
type Result<A extends Abi, F extends Views<A>> = Promise<ReadContractReturnType<A, F, ViewArgs<A, F>>>;
type First<T> = T extends readonly [infer X, ...unknown[]] ? X : never;
type Writes<A extends Abi> = ContractFunctionName<A, 'nonpayable' | 'payable'>;
type WriteArgs<A extends Abi, F extends Writes<A>> = ContractFunctionArgs<A, 'nonpayable' | 'payable', F>;

function read(
  client: Reader,
  address: Address,
  abi: Abi,
  functionName: string,
  args: unknown[],
  at: ReadOptions,
) {
  return readContract(client, { address, abi, functionName, args, ...blockOf(at) } as never);
}

/** A view without arguments. */
export function view<const A extends Abi, F extends Views<A>>(abi: A, functionName: F) {
  return (client: Reader, address: Address, at: ReadOptions = {}): Result<A, F> =>
    read(client, address, abi, functionName, [], at) as Result<A, F>;
}

/** A view of one argument. */
export function viewOf<const A extends Abi, F extends Views<A>>(abi: A, functionName: F) {
  return (client: Reader, address: Address, arg: First<ViewArgs<A, F>>, at: ReadOptions = {}): Result<A, F> =>
    read(client, address, abi, functionName, [arg], at) as Result<A, F>;
}

/** A write; `tx.value` pays ether to a payable function. */
export function write<const A extends Abi, F extends Writes<A>>(abi: A, functionName: F) {
  return (
    wallet: WalletClient,
    address: Address,
    args: WriteArgs<A, F>,
    tx: TxOverrides & { value?: bigint } = {},
  ): Promise<Hash> => wallet.writeContract({ address, abi, functionName, args, ...tx } as never);
}

/** A write of one argument. */
export function writeOf<const A extends Abi, F extends Writes<A>>(abi: A, functionName: F) {
  return (
    wallet: WalletClient,
    address: Address,
    arg: First<WriteArgs<A, F>>,
    tx: TxOverrides = {},
  ): Promise<Hash> => write(abi, functionName)(wallet, address, [arg] as WriteArgs<A, F>, tx);
}
