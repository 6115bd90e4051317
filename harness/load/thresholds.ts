/**
 * Thresholds of a load run: expressions such as `p95(replication) < 2s`, one per list item of a
 * profile file (`scenarios/load/<name>.yaml`) or given on the command line. Every problem is reported
 * at once as `file:line:column: message`.
 *
 *   <stat>(<metric>) <op> <value>[unit]
 *   stat:   p50 p90 p95 p99 max min mean      latency, unit us | ms | s | m (a bare number is ms)
 *           count errors                      a whole number
 *           rps                               requests per second (HTTP)
 *           error_rate                        errors / (count + errors), as 0.01 or 1%
 *           ratio_p50 ratio_p95               the metric over its baseline measured in the same run
 *                                             (replication, provisioning), a number or 3x
 *   op:     < <= > >= ==
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { isScalar, isSeq, type Node } from 'yaml';
import { didYouMean, formatProblem, readYaml, type Problem } from '../yaml/index.js';
import type { MetricStats } from './histogram.js';

/** What a load run measures (see run.ts); thresholds may name only these. */
export const METRICS = [
  'peering',
  'dns',
  'replication',
  'push_to_orgnode',
  'provisioning',
  'http_node',
  'http_repos',
  'k6_http',
  'baseline_replication',
  'baseline_provisioning',
] as const;
export type MetricName = (typeof METRICS)[number];

/** The baseline each ratio compares against. */
export const BASELINES: Partial<Record<MetricName, MetricName>> = {
  replication: 'baseline_replication',
  push_to_orgnode: 'baseline_replication',
  provisioning: 'baseline_provisioning',
};

const LATENCY_STATS = ['p50', 'p90', 'p95', 'p99', 'max', 'min', 'mean'] as const;
const COUNT_STATS = ['count', 'errors'] as const;
const RATIO_STATS = ['ratio_p50', 'ratio_p95'] as const;
export const STATS = [...LATENCY_STATS, ...COUNT_STATS, 'rps', 'error_rate', ...RATIO_STATS] as const;
export type Stat = (typeof STATS)[number];
export type Op = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  /** As written. */
  source: string;
  stat: Stat;
  metric: MetricName;
  op: Op;
  /** In the stat's unit: ms for latencies, a fraction for error_rate, a plain number else. */
  value: number;
  /** Where it was written (`file:line`), for reports. */
  origin: string;
}

/** A problem of a threshold: always positioned, never a field. */
export type ThresholdProblem = Required<Pick<Problem, 'file' | 'line' | 'column' | 'message'>>;

export class ThresholdError extends Error {
  override name = 'ThresholdError';
  constructor(readonly problems: ThresholdProblem[]) {
    super(problems.map(formatThresholdProblem).join('\n'));
  }
}

export const formatThresholdProblem: (p: ThresholdProblem) => string = formatProblem;

const EXPR_RE = /^\s*([A-Za-z_0-9]+)\s*\(\s*([A-Za-z_0-9]*)\s*\)\s*(<=|>=|==|<|>)\s*(\S+)\s*$/;

/**
 * Parses one expression. Problems carry a column relative to the expression's first character (1).
 */
export function parseExpression(
  source: string,
): { threshold: Omit<Threshold, 'origin'> } | { problem: { column: number; message: string } } {
  const m = EXPR_RE.exec(source);
  if (!m) {
    return {
      problem: {
        column: 1,
        message: `expected <stat>(<metric>) <op> <value>, e.g. "p95(replication) < 2s"; got "${source}"`,
      },
    };
  }
  const [, statRaw, metricRaw, op, valueRaw] = m as unknown as [string, string, string, Op, string];
  const col = (token: string, from = 0) => source.indexOf(token, from) + 1;
  if (!(STATS as readonly string[]).includes(statRaw)) {
    const hint = didYouMean(statRaw, STATS);
    return {
      problem: {
        column: col(statRaw),
        message: `unknown statistic "${statRaw}"${hint ? ` (did you mean ${hint}?)` : ''}; one of ${STATS.join(', ')}`,
      },
    };
  }
  const stat = statRaw as Stat;
  const metricColumn = col(metricRaw || ')', source.indexOf('('));
  if (!(METRICS as readonly string[]).includes(metricRaw)) {
    const hint = metricRaw ? didYouMean(metricRaw, METRICS) : undefined;
    return {
      problem: {
        column: metricColumn,
        message: `unknown metric "${metricRaw}"${hint ? ` (did you mean ${hint}?)` : ''}; one of ${METRICS.join(', ')}`,
      },
    };
  }
  const metric = metricRaw as MetricName;
  if (stat.startsWith('ratio_') && !BASELINES[metric]) {
    return {
      problem: {
        column: metricColumn,
        message: `${stat} needs a metric with a baseline (${Object.keys(BASELINES).join(', ')}), got ${metric}`,
      },
    };
  }
  const valueColumn = source.lastIndexOf(valueRaw) + 1;
  const value = parseValue(stat, valueRaw);
  if (typeof value === 'string') return { problem: { column: valueColumn, message: value } };
  return { threshold: { source: source.trim(), stat, metric, op, value } };
}

/** The value in the stat's unit, or what is wrong with it. */
function parseValue(stat: Stat, raw: string): number | string {
  const m = /^(\d+(?:\.\d+)?|\.\d+)([a-z%]*)$/.exec(raw);
  if (!m) return `expected a number with an optional unit, got "${raw}"`;
  const n = Number(m[1]);
  const unit = m[2]!;
  if ((LATENCY_STATS as readonly string[]).includes(stat)) {
    const scale: Record<string, number> = { '': 1, us: 0.001, ms: 1, s: 1000, m: 60_000 };
    if (!(unit in scale)) return `a latency takes us, ms, s or m, got "${unit}" in "${raw}"`;
    return n * scale[unit]!;
  }
  if (stat === 'error_rate') {
    if (unit === '%') return n / 100;
    if (unit === '') return n;
    return `error_rate takes a fraction (0.01) or a percentage (1%), got "${raw}"`;
  }
  if (stat.startsWith('ratio_')) {
    if (unit === '' || unit === 'x') return n;
    return `a ratio takes a plain number or Nx, got "${raw}"`;
  }
  if (unit !== '') return `${stat} takes a plain number, got "${raw}"`;
  if ((COUNT_STATS as readonly string[]).includes(stat) && !Number.isInteger(n))
    return `${stat} takes a whole number, got "${raw}"`;
  return n;
}

/**
 * Parses a profile: YAML with `thresholds:` a list of expressions (optional `description:`).
 * `displayFile` names it in problems (default: relative to the working directory).
 */
export function parseProfile(text: string, displayFile: string): Threshold[] {
  const read = readYaml(text, displayFile, {
    empty: 'expected a mapping with `thresholds:` (a list)',
    oneDocument: 'one file holds one YAML document (remove the "---" separator)',
  });
  if (!read.syntaxOk) throw new ThresholdError(read.problems.sorted() as ThresholdProblem[]);
  const { doc, map } = read;
  const problems: ThresholdProblem[] = [];
  const at = (offset: number, message: string, extraColumns = 0) => {
    const pos = map.at(offset);
    problems.push({ file: displayFile, line: pos.line, column: pos.column + extraColumns, message });
  };
  const root = doc.contents as Node | null;
  const thresholds: Threshold[] = [];
  if (!root || !('items' in root) || isSeq(root)) {
    throw new ThresholdError([
      { file: displayFile, line: 1, column: 1, message: 'expected a mapping with `thresholds:` (a list)' },
    ]);
  }
  const known = new Set(['thresholds', 'description']);
  for (const key of doc.contents && 'items' in doc.contents ? (doc.contents.items as unknown[]) : []) {
    const pair = key as { key: Node & { value?: unknown }; value: Node | null };
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!known.has(name)) {
      const hint = didYouMean(name, [...known]);
      at(pair.key.range?.[0] ?? 0, `unknown field "${name}"${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
  }
  const list = doc.get('thresholds', true) as Node | undefined;
  if (!list || !isSeq(list)) {
    const offset = (list as Node | undefined)?.range?.[0] ?? 0;
    at(offset, '`thresholds` must be a list of expressions such as "p95(replication) < 2s"');
    throw new ThresholdError(problems);
  }
  for (const item of list.items as Node[]) {
    const offset = item.range?.[0] ?? 0;
    if (!isScalar(item) || typeof item.value !== 'string') {
      at(offset, 'each threshold is a string such as "p95(replication) < 2s"');
      continue;
    }
    const quoted = item.type === 'QUOTE_DOUBLE' || item.type === 'QUOTE_SINGLE' ? 1 : 0;
    const parsed = parseExpression(item.value);
    if ('problem' in parsed) {
      at(offset, parsed.problem.message, quoted + parsed.problem.column - 1);
      continue;
    }
    thresholds.push({ ...parsed.threshold, origin: `${displayFile}:${map.at(offset).line}` });
  }
  if (problems.length) throw new ThresholdError(problems);
  return thresholds;
}

export async function loadProfile(file: string): Promise<Threshold[]> {
  const text = await readFile(file, 'utf8');
  const display = relative(process.cwd(), file) || file;
  return parseProfile(text, display.startsWith('..') ? file : display);
}

/** Thresholds given on the command line (`--threshold <expr>`, repeatable). */
export function parseCliThresholds(exprs: readonly string[]): Threshold[] {
  const problems: ThresholdProblem[] = [];
  const out: Threshold[] = [];
  exprs.forEach((expr, i) => {
    const parsed = parseExpression(expr);
    if ('problem' in parsed) {
      problems.push({
        file: '--threshold',
        line: i + 1,
        column: parsed.problem.column,
        message: parsed.problem.message,
      });
    } else out.push({ ...parsed.threshold, origin: `--threshold #${i + 1}` });
  });
  if (problems.length) throw new ThresholdError(problems);
  return out;
}

export interface ThresholdResult {
  threshold: Threshold;
  /** The value seen, in the stat's unit; undefined when the metric was not measured. */
  observed: number | undefined;
  pass: boolean;
  message: string;
}

/** Judges every threshold against the run's stats; a metric that was not measured fails. */
export function evaluate(
  thresholds: readonly Threshold[],
  metrics: Partial<Record<string, MetricStats>>,
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const observed = observe(threshold, metrics);
    if (observed === undefined) {
      return {
        threshold,
        observed,
        pass: false,
        message: `${threshold.source}: ${threshold.metric}${threshold.stat.startsWith('ratio_') ? ` or ${BASELINES[threshold.metric]}` : ''} was not measured in this run`,
      };
    }
    const pass = compare(observed, threshold.op, threshold.value);
    return {
      threshold,
      observed,
      pass,
      message: `${threshold.source}: observed ${show(threshold.stat, observed)} (${pass ? 'ok' : 'FAILED'})`,
    };
  });
}

function observe(t: Threshold, metrics: Partial<Record<string, MetricStats>>): number | undefined {
  const s = metrics[t.metric];
  if (!s) return undefined;
  switch (t.stat) {
    case 'rps':
      return s.rps;
    case 'error_rate':
      return s.count + s.errors === 0 ? 0 : s.errors / (s.count + s.errors);
    case 'ratio_p50':
    case 'ratio_p95': {
      const base = metrics[BASELINES[t.metric]!];
      const key = t.stat === 'ratio_p50' ? 'p50' : 'p95';
      if (!base || !base.count || !s.count || base[key] === 0) return undefined;
      return s[key] / base[key];
    }
    default:
      if (s.count === 0 && (LATENCY_STATS as readonly string[]).includes(t.stat)) return undefined;
      return s[t.stat];
  }
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}

function show(stat: Stat, v: number): string {
  if ((LATENCY_STATS as readonly string[]).includes(stat)) return formatMs(v);
  if (stat === 'error_rate') return `${(v * 100).toFixed(2)}%`;
  if (stat.startsWith('ratio_')) return `${v.toFixed(2)}x`;
  return String(Math.round(v * 10) / 10);
}

/** 850 ms, 2.31 s, 0.120 ms. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms < 1 ? 3 : 1)} ms`;
}
