import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram, MAX_SAMPLES, mulberry32, shuffled } from '../../harness/load/histogram.js';

/** The nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
function oracle(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

describe('LatencyHistogram (HDR, 3 significant digits)', () => {
  it('percentiles match a sorted-array oracle within 0.1 % (plus the microsecond it keeps)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 120_000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(50, 90, 95, 99, 100),
        (values, p) => {
          const h = new LatencyHistogram();
          for (const v of values) h.record(v);
          // The histogram keeps microseconds (at least 1): the oracle sees the same rounding.
          const sorted = values.map((v) => Math.max(1, Math.round(v * 1000)) / 1000).sort((a, b) => a - b);
          const want = oracle(sorted, p);
          const got = h.percentile(p);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(want * 0.001 + 0.001);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stats: count, errors, min, mean, max, p50…p99 in ms', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.record(i);
    h.error(3);
    const s = h.stats();
    expect(s).toMatchObject({ count: 100, errors: 3, min: 1, max: 100 });
    // HDR reports the highest value equivalent to the recorded one: within 0.1 %.
    for (const [k, want] of [
      ['p50', 50],
      ['p90', 90],
      ['p95', 95],
      ['p99', 99],
    ] as const) {
      expect(s[k]).toBeGreaterThanOrEqual(want);
      expect(s[k]).toBeLessThanOrEqual(want * 1.001);
    }
    expect(s.mean).toBeCloseTo(50.5, 1);
    expect(s.rps).toBeUndefined();
    h.rps = 12.345;
    expect(h.stats().rps).toBe(12.3);
  });

  it('an empty histogram reads as zeros', () => {
    expect(new LatencyHistogram().stats()).toEqual({
      count: 0,
      errors: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      max: 0,
    });
  });

  it('rejects negative and non-finite latencies', () => {
    const h = new LatencyHistogram();
    expect(() => h.record(-1)).toThrow(/finite number/);
    expect(() => h.record(Number.NaN)).toThrow(/finite number/);
  });

  it('encodes as HdrHistogram compressed base64 that decodes to the same counts', () => {
    const h = new LatencyHistogram();
    for (const v of [1, 2, 3, 500, 2500]) h.record(v);
    const decoded = hdr.decodeFromCompressedBase64(h.encoded());
    expect(decoded.totalCount).toBe(5);
    expect(decoded.getValueAtPercentile(100) / 1000).toBeCloseTo(2500, -1);
  });

  it('keeps a bounded, seeded sample of values with their times, in time order', () => {
    const a = new LatencyHistogram(42);
    const b = new LatencyHistogram(42);
    for (let i = 0; i < MAX_SAMPLES * 3; i++) {
      a.record(i % 97, i);
      b.record(i % 97, i);
    }
    const s = a.samples();
    expect(s).toHaveLength(MAX_SAMPLES);
    expect(s).toEqual(b.samples());
    expect(s.every((x, i) => i === 0 || s[i - 1]!.t <= x.t)).toBe(true);
    expect(a.count).toBe(MAX_SAMPLES * 3);
  });
});

describe('seeded helpers', () => {
  it('mulberry32 and shuffled: same seed, same order; a permutation', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffled(items, mulberry32(7))).toEqual(shuffled(items, mulberry32(7)));
    expect(shuffled(items, mulberry32(7))).not.toEqual(shuffled(items, mulberry32(8)));
    expect([...shuffled(items, mulberry32(1))].sort((x, y) => x - y)).toEqual(items);
  });
});
