import { Command } from 'commander';
import { loadProviderOrUsage, UsageError } from '../errors.js';
import { parseIntFlag } from '../flags.js';

interface UpFlags {
  provider: string;
  orgs: string;
  peers: string;
  nat: string;
  blockTime: string;
  port: string;
  profile: string;
  seed?: string;
  currency?: string;
}

export function upCommand(): Command {
  return new Command('up')
    .description(
      'Boot a world that stays up (chain, DNS, the provider, peers behind NAT) with a live dashboard and ' +
        'an API on 127.0.0.1: prints the dashboard URL and a JSON summary; `oneclick world` acts on it. ' +
        'Ctrl-C removes everything.',
    )
    .option('--provider <dir>', 'the provider folder', 'fixtures/providers/reference')
    .option('--orgs <n>', 'orgs to create and fund with one package each (org1..orgN)', '0')
    .option('--peers <n>', 'peers, each in a LAN of its own behind NAT (peer1..peerN)', '1')
    .option('--nat <presets>', 'NAT presets of the LANs in turn, comma separated', 'port-restricted')
    .option('--block-time <s>', 'seconds between blocks (0: a block per transaction)', '1')
    .option('--port <p>', 'the API and dashboard port on 127.0.0.1 (0: any free one)', '0')
    .option(
      '--currency <eth|token>',
      "the provider contract the provider serves: EthProvider or TokenProvider (default: the manifest's first)",
    )
    .option('--profile <name>', 'the scenario profile (confirmations, grace, deadlines)', 'default')
    .option('--seed <n>', 'decides accounts, org addresses and peer keys (default: random, printed)')
    .action(async (flags: UpFlags) => {
      const orgs = parseIntFlag('--orgs', flags.orgs, { min: 0, max: 50 })!;
      const peers = parseIntFlag('--peers', flags.peers, { min: 0, max: 12 })!;
      const blockTime = parseIntFlag('--block-time', flags.blockTime, { min: 0, max: 60 })!;
      const port = parseIntFlag('--port', flags.port, { min: 0, max: 65535 })!;
      const { NAT_PRESETS } = await import('../../net/router.js');
      const nat = flags.nat.split(',').map((s) => s.trim());
      for (const n of nat)
        if (!(NAT_PRESETS as readonly string[]).includes(n))
          throw new UsageError(`--nat: unknown preset "${n}" (${NAT_PRESETS.join(', ')})`);
      const { newSeed } = await import('../../scenario/seed.js');
      const seed = parseIntFlag('--seed', flags.seed, { min: 0, max: 2 ** 31 - 1 }) ?? newSeed();
      const { loadProfile } = await import('../../scenario/profile.js');
      let profile;
      try {
        profile = loadProfile(flags.profile);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const provider = await loadProviderOrUsage(flags.provider);
      const served = provider.manifest.currencies ?? ['eth', 'token'];
      const currency = flags.currency ?? served[0]!;
      if (currency !== 'eth' && currency !== 'token')
        throw new UsageError(`--currency: expected eth or token, got "${currency}"`);
      if (!served.includes(currency))
        throw new UsageError(
          `--currency ${currency}: ${provider.displayFile} serves ${served.join(', ')} only (its currencies)`,
        );
      const { startPlayground } = await import('../../playground/index.js');
      const { keepUp } = await import('../../world/index.js');
      await keepUp('up', async (run) => {
        const pg = await startPlayground(run, {
          provider,
          profile,
          seed,
          orgs,
          peers,
          nat: nat as Array<(typeof NAT_PRESETS)[number]>,
          blockTime,
          currency,
          port,
          onProgress: (line) => console.error(line),
        });
        console.log(`dashboard: ${pg.dashboardUrl()} (world ${pg.runId}, up in ${pg.readySeconds} s)`);
        console.log(JSON.stringify({ ...pg.summary, readySeconds: pg.readySeconds }, null, 2));
        console.error('the world is up; `oneclick world --help` acts on it; Ctrl-C removes everything');
        return undefined;
      });
    });
}
