import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { createAnvil } from '@viem/anvil';
import { freePort } from '../util/ports.js';
import { mnemonicForSeed } from './accounts.js';

export interface ChainOptions {
  /** Chain id reported by eth_chainId. */
  chainId?: number;
  /** Seconds between blocks; omitted = a block per transaction (automine). */
  blockTime?: number;
  /** Start with mining off entirely; blocks come only from `mine()`. */
  noMining?: boolean;
  /** Derives the funded accounts; the same seed gives the same accounts. */
  seed?: number;
  /** Interface to listen on; 0.0.0.0 lets containers reach the chain. */
  host?: string;
  port?: number;
  accounts?: number;
  /** The block gas limit (anvil's default 30 M holds 150 top-ups sent with 200 k gas each). */
  gasLimit?: bigint;
}

export interface Chain {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly chainId: number;
  readonly host: string;
  readonly port: number;
  readonly mnemonic: string;
  stop(): Promise<void>;
}

export const DEFAULT_CHAIN_ID = 31337;

/** Where the Anvil binary of the platform package lives; a clear error when this platform has none. */
export function anvilBinaryPath(): string {
  const override = process.env.ONECLICK_ANVIL_BINARY;
  if (override) {
    if (!existsSync(override)) throw new Error(`ONECLICK_ANVIL_BINARY=${override} does not exist`);
    return override;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `No bundled Anvil binary for ${process.platform}/${process.arch}: @foundry-rs/anvil-linux-amd64 covers linux/x64 only. ` +
        'Install Foundry (anvil) yourself and set ONECLICK_ANVIL_BINARY to its path.',
    );
  }
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
  } catch {
    throw new Error('@foundry-rs/anvil-linux-amd64 is not installed: run `npm ci` in the oneclick folder.');
  }
  return pkg.replace(/package\.json$/, 'bin/anvil');
}

/** Boots a fresh Anvil on a free port. Several may run at once in one process. */
export async function startChain(options: ChainOptions = {}): Promise<Chain> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const mnemonic = mnemonicForSeed(options.seed);
  const anvil = createAnvil({
    anvilBinary: anvilBinaryPath(),
    host,
    port,
    chainId,
    mnemonic,
    accounts: options.accounts ?? 20,
    blockTime: options.blockTime,
    noMining: options.noMining,
    ...(options.gasLimit !== undefined && { gasLimit: options.gasLimit }),
    // No `silent`: it becomes `anvil --silent`, which also drops the "Listening on" line that
    // @viem/anvil waits for. Anvil's output (keys included) goes only to @viem/anvil's in-memory
    // streams; nothing of it leaves this module.
    startTimeout: 20_000,
  });
  try {
    await anvil.start();
  } catch (error) {
    throw new Error(`Anvil did not start on ${host}:${port}: ${(error as Error).message}`);
  }
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    rpcUrl: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}`,
    chainId,
    host,
    port,
    mnemonic,
    stop: () => anvil.stop(),
  };
}
