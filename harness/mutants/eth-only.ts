import { createPublicClient, http, parseAbi, zeroAddress, type Address } from 'viem';
import type { Mutant } from './mutant.js';

const CURRENCY_ABI = parseAbi(['function currency() view returns (address)']);

/** The provider contract's `currency()`: `address(0)` is ether; undefined when it cannot be read. */
async function currencyOf(rpcUrl: string, provider: Address): Promise<Address | undefined> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 5_000 }) });
  try {
    return await client.readContract({ address: provider, abi: CURRENCY_ABI, functionName: 'currency' });
  } catch {
    return undefined;
  }
}

/**
 * Bills in ether only: at start it reads the contract's `currency()` and, for a `TokenProvider`,
 * serves no org at all, though its manifest (serving both currencies by default) says it does.
 */
export const ethOnly: Mutant = {
  bug: 'serves an EthProvider only: for a TokenProvider (currency() is a token) it serves no org',
  policy: () => {
    let token = false;
    return {
      async start(config, { log }) {
        const currency = await currencyOf(config.rpcUrl, config.providerAddress);
        token = currency !== undefined && currency !== zeroAddress;
        if (token) log.warn('not an ether provider: serving nothing', { currency });
        return config;
      },
      wanted: (row) => !token && row.desired === 'run',
    };
  },
};
