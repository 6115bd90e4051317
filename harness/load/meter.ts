/**
 * What a load run measures with: one HDR histogram per metric (seeded), the run's clock (reset at
 * the burst), its time bound, its seeded choices, its notes and progress lines.
 */
import { LatencyHistogram, mulberry32 } from './histogram.js';
import type { LoadOptions } from './options.js';

export const METRIC_DESCRIPTIONS: Record<string, string> = {
  peering: 'dial nid@<label>.<zone>:<SRV port> from a peer behind NAT → radicle session established',
  dns: 'SRV + TXT of an org asked of the topology DNS server',
  push_to_orgnode: "git push rad by a peer → the new head in the org-node's API (through the edge)",
  replication:
    'git push rad by a peer → the new ref in the storage of a peer in another LAN (via the org-node)',
  provisioning:
    'top-up block mined (burst of N in one block) → A/SRV/TXT published and /api/v1/node answers with that NID',
  http_node: 'GET /api/v1/node through the edge (Host routed), autocannon from the host',
  http_repos: 'GET /api/v1/repos through the edge (Host routed), autocannon from the host',
  k6_http: "k6's http_req_duration over /api/v1/node and /api/v1/repos (from its summary export)",
  baseline_replication:
    'git push rad by a peer → the new ref at a peer in another LAN it is directly connected to (port forward; no provider)',
  baseline_provisioning: 'bare docker run of the org-node image (N at once) → its /api/v1/node answers',
};

export type Histograms = Record<string, LatencyHistogram>;

export interface Meter {
  h: Histograms;
  /** ms since the clock was last reset (samples are placed on this axis). */
  now: () => number;
  resetClock(): void;
  /** ms left of the run's time bound. */
  remaining: () => number;
  /** Throws once the run's time bound is reached. */
  checkTime(what: string): void;
  rng: () => number;
  notes: string[];
  progress: (line: string) => void;
}

export function startMeter(o: LoadOptions): Meter {
  const deadline = performance.now() + o.maxMinutes * 60_000;
  const remaining = () => deadline - performance.now();
  let t0 = performance.now();
  return {
    h: Object.fromEntries(
      Object.keys(METRIC_DESCRIPTIONS).map((name, i) => [name, new LatencyHistogram(o.seed + i)]),
    ),
    now: () => performance.now() - t0,
    resetClock: () => void (t0 = performance.now()),
    remaining,
    checkTime(what) {
      if (remaining() <= 0) throw new Error(`the run's time bound (${o.maxMinutes} min) was reached ${what}`);
    },
    rng: mulberry32(o.seed),
    notes: [],
    progress: (line) => o.onProgress(`[load] ${line}`),
  };
}

export const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
