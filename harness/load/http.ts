/**
 * HTTP latency and throughput of the org-nodes' APIs through the provider's edge, driven from the
 * host by autocannon (embedded): every request goes to the edge's public address (port 80 on the
 * `internet` bridge, which the host reaches) with `Host: <label>.<zone>`, cycling over the orgs.
 */
import autocannon from 'autocannon';
import type { LatencyHistogram } from './histogram.js';

export interface HttpTarget {
  /** The address the org's A record names (the edge). */
  address: string;
  /** `<label>.<zone>`. */
  host: string;
}

export interface HttpLoadOptions {
  targets: readonly HttpTarget[];
  path: string;
  connections: number;
  durationSeconds: number;
  /** Per-request timeout (s). */
  timeoutSeconds?: number;
  histogram: LatencyHistogram;
  /** ms since the run began, for the samples' times. */
  now: () => number;
}

export interface HttpLoadResult {
  requests: number;
  ok: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  /** Successful requests per second over the run. */
  rps: number;
  durationMs: number;
}

/**
 * One autocannon run against `path` on every target (requests cycle over the orgs). 2xx answers
 * are recorded in `histogram` (latency in ms, with their time); anything else counts as an error.
 * Bounded by `durationSeconds`.
 */
export async function httpLoad(o: HttpLoadOptions): Promise<HttpLoadResult> {
  if (o.targets.length === 0) throw new Error('httpLoad: no targets');
  // One address per run: autocannon dials one host; the edge routes by Host. Targets behind other
  // addresses (a provider with several edges) get their own runs.
  const byAddress = new Map<string, HttpTarget[]>();
  for (const t of o.targets) byAddress.set(t.address, [...(byAddress.get(t.address) ?? []), t]);
  const results = await Promise.all(
    [...byAddress].map(([address, targets]) =>
      runOne(o, address, targets, Math.max(1, Math.round(o.connections / byAddress.size))),
    ),
  );
  const sum = (k: keyof HttpLoadResult) => results.reduce((a, r) => a + r[k], 0);
  const durationMs = Math.max(...results.map((r) => r.durationMs));
  const ok = sum('ok');
  return {
    requests: sum('requests'),
    ok,
    errors: sum('errors'),
    non2xx: sum('non2xx'),
    timeouts: sum('timeouts'),
    rps: durationMs > 0 ? ok / (durationMs / 1000) : 0,
    durationMs,
  };
}

async function runOne(
  o: HttpLoadOptions,
  address: string,
  targets: readonly HttpTarget[],
  connections: number,
): Promise<HttpLoadResult> {
  let ok = 0;
  let non2xx = 0;
  const began = performance.now();
  let done!: (r: autocannon.Result) => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => ([done, fail] = [resolve, reject]));
  const instance = autocannon(
    {
      url: `http://${address}:80`,
      connections,
      duration: o.durationSeconds,
      timeout: o.timeoutSeconds ?? 10,
      requests: targets.map((t) => ({ method: 'GET', path: o.path, headers: { host: t.host } })),
    },
    (error: unknown, result: autocannon.Result) => (error ? fail(error) : done(result)),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) {
      ok += 1;
      o.histogram.record(responseTime, o.now());
    } else {
      non2xx += 1;
    }
  });
  const result = await finished;
  const durationMs = performance.now() - began;
  const errors = non2xx + result.errors;
  o.histogram.error(errors);
  return {
    requests: ok + errors,
    ok,
    errors,
    non2xx,
    timeouts: result.timeouts,
    rps: ok / (durationMs / 1000),
    durationMs,
  };
}
