import { Command } from 'commander';
import { parseIntFlag } from '../flags.js';

interface UpOptions {
  host: string;
  port?: string;
  blockTime?: string;
  seed?: string;
  chainId: string;
}

export function chainCommand(): Command {
  const chain = new Command('chain').description('Local chain (Anvil) with the 1-click contracts.');
  chain
    .command('up')
    .description(
      'Boot Anvil, deploy all contracts, print RPC URL and addresses as JSON; stays up until Ctrl-C.',
    )
    .option('--host <ip>', 'interface to listen on (0.0.0.0 lets containers reach it)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (default: a free port)')
    .option('--block-time <s>', 'seconds between blocks (default: a block per transaction)')
    .option('--seed <n>', 'derive the funded accounts from this seed')
    .option('--chain-id <n>', 'chain id', '31337')
    .action(async (opts: UpOptions) => {
      const options = {
        host: opts.host,
        port: parseIntFlag('--port', opts.port, { min: 1, max: 65535 }),
        blockTime: parseIntFlag('--block-time', opts.blockTime, { min: 1 }),
        seed: parseIntFlag('--seed', opts.seed, { min: 0 }),
        chainId: parseIntFlag('--chain-id', opts.chainId, { min: 1 }),
      };
      // Loaded on use: viem and the contract artifacts are heavy for `--help` and other commands.
      const { startChain } = await import('../../chain/anvil.js');
      const { deployAll } = await import('../../chain/deploy.js');
      const { accountAt, ROLE } = await import('../../chain/accounts.js');
      const started = await startChain(options);
      try {
        const contracts = await deployAll(started);
        const roles = Object.fromEntries(
          Object.entries(ROLE).map(([role, index]) => [role, accountAt(started.mnemonic, index).address]),
        );
        console.log(
          JSON.stringify(
            {
              rpcUrl: started.rpcUrl,
              wsUrl: started.wsUrl,
              chainId: started.chainId,
              contracts,
              accounts: roles,
            },
            (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
            2,
          ),
        );
      } catch (error) {
        await started.stop();
        throw error;
      }
      console.error('chain is up; Ctrl-C stops it');
      await new Promise<void>((resolve) => {
        const stop = () => void started.stop().finally(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  return chain;
}
