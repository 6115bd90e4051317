/**
 * Latency histograms of a load run: an HDR histogram (npm `hdr-histogram-js`, pure JS, 3 significant
 * digits: every percentile is within 0.1 % of the recorded value it stands for) in microseconds, plus a
 * bounded, seeded sample of the raw values with their times for the plots.
 */
import * as hdr from 'hdr-histogram-js';

/** Percentiles and counts of one metric, in milliseconds. */
export interface MetricStats {
  count: number;
  errors: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  /** Successful samples per second over the metric's active time (HTTP); absent elsewhere. */
  rps?: number;
}

/** One recorded value, for the latency-over-time plot. */
export interface Sample {
  /** ms since the run's measurements began. */
  t: number;
  /** The latency in ms. */
  v: number;
}

/** Samples kept per metric for the plots (a seeded reservoir beyond that). */
export const MAX_SAMPLES = 2000;

export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
  private errorCount = 0;
  private seen = 0;
  private readonly kept: Sample[] = [];
  private rng: () => number;
  /** Set by callers that measure throughput (HTTP). */
  rps: number | undefined;

  constructor(seed = 1) {
    this.rng = mulberry32(seed);
  }

  /** Records a latency in milliseconds (kept to the microsecond); `t` = when, for the plots. */
  record(ms: number, t?: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`latency must be a finite number ≥ 0, got ${ms}`);
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.seen += 1;
    if (t === undefined) return;
    const sample = { t: Math.round(t), v: Math.round(ms * 1000) / 1000 };
    if (this.kept.length < MAX_SAMPLES) this.kept.push(sample);
    else {
      const j = Math.floor(this.rng() * this.seen);
      if (j < MAX_SAMPLES) this.kept[j] = sample;
    }
  }

  /** Counts a failed attempt (no latency recorded). */
  error(count = 1): void {
    this.errorCount += count;
  }

  get count(): number {
    return this.h.totalCount;
  }

  get errors(): number {
    return this.errorCount;
  }

  /** The value at percentile `p` (0–100), in ms; 0 when empty. */
  percentile(p: number): number {
    if (this.h.totalCount === 0) return 0;
    // HDR answers the highest value equivalent to the one recorded; never above the maximum seen.
    return Math.min(this.h.getValueAtPercentile(p), this.h.maxValue) / 1000;
  }

  /** Kept samples in time order. */
  samples(): Sample[] {
    return [...this.kept].sort((a, b) => a.t - b.t);
  }

  stats(): MetricStats {
    const n = this.h.totalCount;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: n,
      errors: this.errorCount,
      min: n ? ms(this.h.minNonZeroValue) : 0,
      mean: n ? ms(this.h.mean) : 0,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: n ? ms(this.h.maxValue) : 0,
      ...(this.rps !== undefined ? { rps: Math.round(this.rps * 10) / 10 } : {}),
    };
  }

  /** The histogram in HdrHistogram's compressed base64 form (readable by any HdrHistogram tool). */
  encoded(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded PRNG: a new array. */
export function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
