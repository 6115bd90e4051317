/**
 * The k6 bridge: `oneclick load --k6` runs the shipped script (scenarios/load/k6/http.js) with a `k6`
 * found on PATH, passes it the endpoints, and folds its `--summary-export` into the report as the
 * metric `k6_http`. oneclick never downloads k6 and works without it.
 */
import { spawn } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricStats } from './histogram.js';

export const K6_SCRIPT = fileURLToPath(new URL('../../scenarios/load/k6/http.js', import.meta.url));

/** The first executable `k6` on `path` (default $PATH), or undefined. */
export async function findK6(path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What `--k6` says when no k6 is on PATH. */
export function k6AbsentMessage(path = process.env.PATH ?? ''): string {
  return (
    `k6 was not found on PATH (${path || 'empty'}): --k6 needs a k6 binary you installed yourself ` +
    '(oneclick never downloads it). The HTTP figures come from the embedded driver (autocannon) only; ' +
    `the script is ${K6_SCRIPT}.`
  );
}

export interface K6Target {
  address: string;
  host: string;
}

export interface K6RunOptions {
  binary: string;
  targets: readonly K6Target[];
  durationSeconds: number;
  vus: number;
  /** Where k6 writes its summary export. */
  summaryFile: string;
  script?: string;
  /** Lines of k6's output (stderr/stdout). */
  onLine?: (line: string) => void;
  /** Kill k6 after this long (default duration + 60 s). */
  timeoutMs?: number;
}

export interface K6Outcome {
  exitCode: number | null;
  stats: MetricStats;
  /** The last lines k6 printed. */
  tail: string;
}

/**
 * Runs `k6 run --summary-export <file> -e ONECLICK_TARGETS=... <script>` and reads the export.
 * Exit code 99 (k6's own thresholds failed) still yields figures; k6 sets none in the shipped script.
 */
export async function runK6(o: K6RunOptions): Promise<K6Outcome> {
  const args = [
    'run',
    '--quiet',
    '--no-usage-report',
    '--summary-export',
    o.summaryFile,
    '-e',
    `ONECLICK_TARGETS=${JSON.stringify(o.targets)}`,
    '-e',
    `ONECLICK_DURATION=${o.durationSeconds}s`,
    '-e',
    `ONECLICK_VUS=${o.vus}`,
    o.script ?? K6_SCRIPT,
  ];
  const { exitCode, lines } = await spawnK6(o.binary, args, {
    ...(o.onLine && { onLine: o.onLine }),
    timeoutMs: o.timeoutMs ?? o.durationSeconds * 1000 + 60_000,
  });
  const tail = lines.slice(-20).join('\n');
  let text: string;
  try {
    text = await readFile(o.summaryFile, 'utf8');
  } catch {
    throw new Error(`k6 exited ${exitCode} without writing ${o.summaryFile}:\n${tail}`);
  }
  return { exitCode, stats: foldK6Summary(JSON.parse(text), o.durationSeconds), tail };
}

/**
 * Runs k6 with `args` (and `env` added to its environment, where secrets stay out of `ps`); its last
 * 50 lines of output come back with the exit code.
 */
export function spawnK6(
  binary: string,
  args: readonly string[],
  o: { env?: Record<string, string>; onLine?: (line: string) => void; timeoutMs: number },
): Promise<{ exitCode: number | null; lines: string[] }> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.env && { env: { ...process.env, ...o.env } }),
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    const onData = (d: Buffer) => {
      for (const line of d.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 50) lines.shift();
        o.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, lines });
    });
  });
}

type K6Metric = Record<string, number | undefined>;

/** k6's own trends besides http_req_*: not what a script measures. */
const BUILTIN = new Set(['iteration_duration', 'group_duration']);

const ms = (v: number | undefined) => Math.round((v ?? 0) * 1000) / 1000;

/** A k6 Trend's percentiles as the report's (ms). */
function trendStats(m: K6Metric): Pick<MetricStats, 'min' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'max'> {
  return {
    min: ms(m.min),
    mean: ms(m.avg),
    p50: ms(m.med ?? m['p(50)']),
    p90: ms(m['p(90)']),
    p95: ms(m['p(95)']),
    p99: ms(m['p(99)'] ?? m.max),
    max: ms(m.max),
  };
}

/** Every Trend of a k6 summary export (custom ones too: peering_ms, replication_ms), as the report's stats. */
export function k6Trends(summary: unknown): Record<string, MetricStats> {
  const metrics = (summary as { metrics?: Record<string, K6Metric> }).metrics ?? {};
  const iterations = metrics.iterations?.count ?? 0;
  const out: Record<string, MetricStats> = {};
  for (const [name, m] of Object.entries(metrics)) {
    if (m.avg === undefined || m['p(95)'] === undefined || name.startsWith('http_req_') || BUILTIN.has(name))
      continue;
    out[name] = { count: m.count ?? iterations, errors: 0, ...trendStats(m) };
  }
  return out;
}

/** k6's summary export → the report's stats (ms). Throws when it has no http_req_duration. */
export function foldK6Summary(summary: unknown, durationSeconds?: number): MetricStats {
  const metrics = (summary as { metrics?: Record<string, K6Metric> }).metrics ?? {};
  const d = metrics.http_req_duration;
  if (!d) throw new Error('the k6 summary export has no http_req_duration metric');
  const reqs = metrics.http_reqs ?? {};
  const failed = metrics.http_req_failed ?? {};
  const total = reqs.count ?? 0;
  // A Rate metric's "passes" are the true values: for http_req_failed, the failed requests.
  const errors = failed.passes ?? Math.round((failed.value ?? 0) * total);
  const rate = reqs.rate ?? (durationSeconds ? total / durationSeconds : undefined);
  return {
    count: total - errors,
    errors,
    ...trendStats(d),
    ...(rate !== undefined ? { rps: Math.round(rate * 10) / 10 } : {}),
  };
}
