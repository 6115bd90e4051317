import { Command } from 'commander';
import { loadProviderOrUsage, UsageError } from '../errors.js';
import { parseIntFlag } from '../flags.js';
import { providerNewCommand } from './provider-new.js';

interface StartOptions {
  blockTime: string;
  confirmations?: string;
  graceBlocks?: string;
  currency: string;
  timeout?: string;
  seed?: string;
  chainId: string;
  follow: boolean;
}

export function providerCommand(): Command {
  const provider = new Command('provider').description(
    'A provider under test: a folder with a provider.yaml (SPEC.md §2).',
  );
  provider.addCommand(providerNewCommand());

  provider
    .command('check')
    .description(
      'Validate <dir>/provider.yaml (and compile its own provider contracts, if any); print every problem (exit 2) or "ok" (exit 0).',
    )
    .argument('<dir>', 'the provider folder')
    .action(async (dir: string) => {
      // Loaded on use, like every heavy module of the CLI.
      const { loadProvider, ManifestError, formatProblem } = await import('../../provider/manifest.js');
      try {
        const loaded = await loadProvider(dir);
        const { manifest } = loaded;
        // solc only for a provider that ships contracts of its own.
        const own = loaded.contracts
          ? await (await import('../../provider/contracts.js')).providerContracts(loaded)
          : undefined;
        const source = manifest.image ? `image ${manifest.image}` : `build ${manifest.build?.context ?? '.'}`;
        const contracts = own
          ? `, contracts ${Object.entries(own)
              .map(([currency, c]) => `${currency}: ${c.name}`)
              .join(', ')}`
          : '';
        console.log(
          `ok: ${manifest.name} ${manifest.version} (${loaded.displayFile}, ${source}${contracts})`,
        );
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
        for (const problem of error.problems) console.log(formatProblem(problem));
        console.error(`${error.problems.length} problem(s)`);
        process.exitCode = 2;
      }
    });

  provider
    .command('start')
    .description(
      'Boot a world (Anvil + contracts, internet network, DNS), start the provider in <dir>, print a JSON ' +
        'summary, follow its logs until Ctrl-C, then remove everything.',
    )
    .argument('<dir>', 'the provider folder')
    .option('--block-time <s>', 'seconds between blocks (0: a block per transaction)', '1')
    .option('--confirmations <n>', 'ONECLICK_CONFIRMATIONS (default 2)')
    .option('--grace-blocks <n>', 'ONECLICK_GRACE_BLOCKS (default 10)')
    .option('--currency <eth|token>', 'which provider contract it serves', 'eth')
    .option('--timeout <s>', "readiness timeout (default: the manifest's)")
    .option('--seed <n>', 'derive the funded accounts from this seed')
    .option('--chain-id <n>', 'chain id', '31337')
    .option('--no-follow', 'print the summary and stay up without printing the provider logs')
    .action(async (dir: string, opts: StartOptions) => {
      if (opts.currency !== 'eth' && opts.currency !== 'token') {
        throw new UsageError(`--currency must be eth or token, got "${opts.currency}"`);
      }
      const currency = opts.currency;
      const blockTime = parseIntFlag('--block-time', opts.blockTime, { min: 0 });
      const confirmations = parseIntFlag('--confirmations', opts.confirmations, { min: 0 });
      const graceBlocks = parseIntFlag('--grace-blocks', opts.graceBlocks, { min: 0 });
      const timeout = parseIntFlag('--timeout', opts.timeout, { min: 1, max: 3600 });
      const seed = parseIntFlag('--seed', opts.seed, { min: 0 });
      const chainId = parseIntFlag('--chain-id', opts.chainId, { min: 1 });

      const loaded = await loadProviderOrUsage(dir);
      const { worldSummary } = await import('../../provider/world.js');
      const { keepUp, startWorld } = await import('../../world/index.js');

      await keepUp('provider', async (run) => {
        const {
          booted,
          provider: handle,
          redact,
        } = await startWorld(run, {
          chain: { ...(blockTime ? { blockTime } : {}), ...(seed !== undefined ? { seed } : {}), chainId },
          currency,
          ...(confirmations !== undefined ? { confirmations } : {}),
          ...(graceBlocks !== undefined ? { graceBlocks } : {}),
          provider: {
            manifest: loaded,
            ...(timeout !== undefined ? { readinessTimeoutSeconds: timeout } : {}),
            onProgress: (line) => console.error(line),
          },
        });
        const summary = {
          ...worldSummary(booted.world),
          contracts: { ...booted.deployment, provider: booted.world.contracts.provider },
          hostRpcUrl: booted.chain.rpcUrl,
          network: { ...booted.topology.internet },
          provider: {
            name: handle.manifest.name,
            version: handle.manifest.version,
            manifest: loaded.displayFile,
            image: handle.image.tag,
            container: handle.name,
            address: handle.address,
            readyAfterMs: handle.readyAfterMs,
          },
        };
        console.log(
          redact(JSON.stringify(summary, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)),
        );
        console.error('provider is up; Ctrl-C stops it and removes everything this run created');
        return opts.follow ? await followLogs(handle.container.id, redact) : undefined;
      });
    });
  return provider;
}

/** Streams the container's output to stderr (secrets redacted) until the returned function is called. */
async function followLogs(id: string, redact: (text: string) => string): Promise<() => void> {
  const { followLines } = await import('../../docker/logs.js');
  return followLines(id, (line) => process.stderr.write(`[provider] ${redact(line)}\n`), 50);
}
