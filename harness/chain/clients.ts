import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  publicActions,
  type Account,
} from 'viem';
import type { Chain } from './anvil.js';
import { accountAt } from './accounts.js';

/** Local chain: poll receipts and blocks often (viem's default is 4 s). */
const POLLING_MS = 100;

export function viemChain(chain: Pick<Chain, 'chainId' | 'rpcUrl' | 'wsUrl'>) {
  return defineChain({
    id: chain.chainId,
    name: `oneclick-anvil-${chain.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl], webSocket: [chain.wsUrl] } },
  });
}

/** Read-only access plus Anvil's test actions (mine, snapshot, revert, ...). */
export function publicClientFor(chain: Chain) {
  return createPublicClient({
    chain: viemChain(chain),
    transport: http(chain.rpcUrl),
    pollingInterval: POLLING_MS,
  });
}

export function testClientFor(chain: Chain) {
  return createTestClient({
    chain: viemChain(chain),
    mode: 'anvil',
    transport: http(chain.rpcUrl),
    pollingInterval: POLLING_MS,
  }).extend(publicActions);
}

/** A wallet for one of the chain's funded accounts (by index) or any given account. */
export function walletClientFor(chain: Chain, who: number | Account) {
  const account = typeof who === 'number' ? accountAt(chain.mnemonic, who) : who;
  return createWalletClient({
    chain: viemChain(chain),
    account,
    transport: http(chain.rpcUrl),
    pollingInterval: POLLING_MS,
  }).extend(publicActions);
}
export type TestClient = ReturnType<typeof testClientFor>;
export type WalletClient = ReturnType<typeof walletClientFor>;
