import { Command } from 'commander';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProviderOrUsage, UsageError } from '../errors.js';
import { parseIntFlag } from '../flags.js';

/** Where `--profile <name>` profiles live. */
export const PROFILE_DIR = fileURLToPath(new URL('../../../scenarios/load/', import.meta.url));

interface LoadFlags {
  provider?: string;
  orgs?: string;
  peers?: string;
  nat: string;
  lans?: string;
  latency?: string;
  loss?: string;
  duration?: string;
  iterations?: string;
  seed?: string;
  out?: string;
  thresholds?: string;
  profile?: string;
  threshold: string[];
  k6?: boolean | string;
  world?: string;
  httpSeconds: string;
  httpConnections: string;
  maxMinutes: string;
}

interface CheckFlags {
  thresholds?: string;
  profile?: string;
  threshold: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `load --k6 <script>`: the script against a running world, folded into load.json / load.html. */
async function k6OnWorld(script: string, flags: LoadFlags): Promise<void> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(script)) throw new UsageError(`--k6: no script ${script}`);
  const { runWorldK6 } = await import('../../load/k6-world.js');
  const { findK6, k6AbsentMessage } = await import('../../load/k6.js');
  if (!(await findK6())) throw new UsageError(k6AbsentMessage());
  const out = resolve(flags.out ?? `reports/load/${stamp()}-k6`);
  const { report, files } = await runWorldK6({
    script: resolve(script),
    ...(flags.world && { runId: flags.world }),
    outDir: out,
    command: ['oneclick', ...process.argv.slice(2)].join(' '),
    onProgress: (line) => console.error(line),
  });
  for (const [name, m] of Object.entries(report.metrics))
    console.log(`${name}: p50 ${m.p50} ms, p95 ${m.p95} ms, max ${m.max} ms (${m.count})`);
  console.log(`${report.k6.message}; ${files.json}, ${files.html}`);
  process.exitCode = report.passed ? 0 : 1;
}

export function loadCommand(): Command {
  const load = new Command('load')
    .description(
      'Load a provider: fund N orgs in a burst, place M peers behind NAT, and measure peering, replication, ' +
        'provisioning and HTTP latency (HDR percentiles) next to baselines from the same run. Writes ' +
        'load.json, junit.xml and load.html. Exit 0: thresholds met; 1: a threshold failed; 2: bad usage; ' +
        '3: harness error.',
    )
    .option('--provider <dir>', 'the provider folder (e.g. fixtures/providers/reference)')
    .option('--orgs <n>', 'orgs to fund (one burst of top-ups in one block)', '3')
    .option('--peers <n>', 'outside peers, spread over the LANs', '4')
    .option(
      '--nat <presets>',
      'NAT preset(s) of the LANs, comma separated (port-restricted, symmetric)',
      'port-restricted',
    )
    .option('--lans <n>', 'LAN count (default: min(peers, max(2, peers/2), 12))')
    .option('--latency <ms>', "added on each LAN router's internet link, each way")
    .option('--loss <p>', "packet loss on each LAN router's internet link: 0.01 or 1%")
    .option('--duration <s>', 'iterate for this long (instead of --iterations)')
    .option('--iterations <n>', 'iterations of peering + replication + HTTP (default 3)')
    .option(
      '--seed <n>',
      'decides accounts/org addresses, peer placement and the order of actions (default: random, recorded)',
    )
    .option(
      '--out <dir>',
      'where load.json, junit.xml and load.html go (default reports/load/<time>-seed<seed>)',
    )
    .option('--thresholds <file>', 'a threshold profile (YAML: thresholds: [ "p95(replication) < 2s", ... ])')
    .option('--profile <name>', 'a shipped profile: scenarios/load/<name>.yaml (default: default)')
    .option('--threshold <expr>', 'one more threshold, e.g. "p50(peering) < 1ms" (repeatable)', collect, [])
    .option(
      '--k6 [script]',
      'also run scenarios/load/k6/http.js with a k6 found on PATH (never downloaded); with a script ' +
        '(scenarios/load/k6/peering.js, replication.js): run only it against a running `oneclick up` world',
    )
    .option('--world <run>', 'with --k6 <script>: the world (default: the only one up)')
    .option('--http-seconds <s>', 'HTTP load per endpoint per iteration', '3')
    .option('--http-connections <n>', 'concurrent HTTP connections', '10')
    .option('--max-minutes <m>', 'bound on the whole run, boot included', '30')
    // `load check ... --threshold x`: options after the subcommand are the subcommand's.
    .enablePositionalOptions()
    .action(async (flags: LoadFlags, cmd: Command) => {
      if (typeof flags.k6 === 'string') return k6OnWorld(flags.k6, flags);
      if (!flags.provider) throw new UsageError('--provider <dir> is required');
      const orgs = parseIntFlag('--orgs', flags.orgs, { min: 1, max: 2000 })!;
      const peers = parseIntFlag('--peers', flags.peers, { min: 1, max: 60 })!;
      const { NAT_PRESETS } = await import('../../net/router.js');
      const nat = flags.nat.split(',').map((s) => s.trim());
      for (const n of nat) {
        if (!(NAT_PRESETS as readonly string[]).includes(n))
          throw new UsageError(`--nat: unknown preset "${n}" (${NAT_PRESETS.join(', ')})`);
      }
      const lans = parseIntFlag('--lans', flags.lans, { min: 1, max: 12 });
      const latencyMs = parseIntFlag('--latency', flags.latency, { min: 0, max: 10_000 });
      const loss = parseLoss(flags.loss);
      if (flags.duration !== undefined && flags.iterations !== undefined)
        throw new UsageError('give --duration or --iterations, not both');
      const durationSeconds = parseIntFlag('--duration', flags.duration, { min: 1, max: 24 * 3600 });
      const iterations = parseIntFlag('--iterations', flags.iterations, { min: 1, max: 10_000 });
      const seed = parseIntFlag('--seed', flags.seed, { min: 0, max: 2 ** 31 - 1 }) ?? randomSeed();
      const httpSeconds = parseIntFlag('--http-seconds', flags.httpSeconds, { min: 1, max: 600 })!;
      const httpConnections = parseIntFlag('--http-connections', flags.httpConnections, {
        min: 1,
        max: 1000,
      })!;
      const maxMinutes = parseIntFlag('--max-minutes', flags.maxMinutes, { min: 1, max: 24 * 60 })!;
      const thresholds = await thresholdsFrom(flags);
      await loadProviderOrUsage(flags.provider);
      const out = resolve(flags.out ?? `reports/load/${stamp()}-seed${seed}`);
      const { runLoad } = await import('../../load/run.js');
      const command = ['oneclick', ...process.argv.slice(2)].join(' ');
      void cmd;
      const { report, files } = await runLoad({
        providerDir: resolve(flags.provider),
        orgs,
        peers,
        nat: nat as Array<(typeof NAT_PRESETS)[number]>,
        ...(lans !== undefined ? { lans } : {}),
        ...(latencyMs !== undefined ? { latencyMs } : {}),
        ...(loss !== undefined ? { loss } : {}),
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
        ...(iterations !== undefined ? { iterations } : {}),
        seed,
        outDir: out,
        thresholds,
        httpSeconds,
        httpConnections,
        k6: flags.k6 === true,
        maxMinutes,
        command,
        onProgress: (line) => console.error(line),
      });
      const { printSummary } = await import('../../load/summary.js');
      console.log(printSummary(report, files));
      process.exitCode = report.error ? 3 : report.passed ? 0 : 1;
    });

  load
    .command('check')
    .description(
      'Judge an existing load.json against thresholds (no new run): exit 0 all met, 1 one failed, 2 bad usage.',
    )
    .argument('<load.json>', 'a load.json written by oneclick load')
    .option('--thresholds <file>', 'a threshold profile (YAML)')
    .option('--profile <name>', 'a shipped profile: scenarios/load/<name>.yaml')
    .option('--threshold <expr>', 'a threshold expression (repeatable)', collect, [])
    .action(async (file: string, flags: CheckFlags) => {
      const { readFile } = await import('node:fs/promises');
      let report: { metrics?: Record<string, import('../../load/histogram.js').MetricStats> };
      try {
        report = JSON.parse(await readFile(file, 'utf8')) as typeof report;
      } catch (error) {
        throw new UsageError(`${file}: ${(error as Error).message}`);
      }
      if (!report.metrics) throw new UsageError(`${file} is not a load.json (no "metrics")`);
      const thresholds = await thresholdsFrom(flags);
      const { evaluate } = await import('../../load/thresholds.js');
      const results = evaluate(thresholds, report.metrics);
      for (const r of results)
        console.log(`${r.pass ? 'ok  ' : 'FAIL'} ${r.message} [${r.threshold.origin}]`);
      const failed = results.filter((r) => !r.pass).length;
      console.log(`${results.length - failed} passed, ${failed} failed`);
      process.exitCode = failed ? 1 : 0;
    });
  return load;
}

/** --thresholds file, or --profile name (default `default` when neither nor --threshold is given), plus --threshold. */
async function thresholdsFrom(flags: { thresholds?: string; profile?: string; threshold: string[] }) {
  const { loadProfile, parseCliThresholds, ThresholdError } = await import('../../load/thresholds.js');
  if (flags.thresholds && flags.profile) throw new UsageError('give --thresholds or --profile, not both');
  const file =
    flags.thresholds ??
    (flags.profile || flags.threshold.length === 0
      ? resolve(PROFILE_DIR, `${flags.profile ?? 'default'}.yaml`)
      : undefined);
  if (flags.profile && !/^[a-z0-9][a-z0-9-]*$/.test(flags.profile))
    throw new UsageError(`--profile must be a name such as ci or default, got "${flags.profile}"`);
  try {
    return [...(file ? await loadProfile(file) : []), ...parseCliThresholds(flags.threshold)];
  } catch (error) {
    if (error instanceof ThresholdError) throw new UsageError(`invalid thresholds:\n${error.message}`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`no such threshold profile: ${file}`);
    throw error;
  }
}

function parseLoss(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const p = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(p >= 0 && p <= 1))
    throw new UsageError(`--loss takes a probability 0..1 or a percentage, got "${value}"`);
  return p;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}
