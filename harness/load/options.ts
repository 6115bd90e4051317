/** What `oneclick load` is asked to do. */
import type { NatPreset } from '../net/router.js';
import type { LoadReport, WrittenReport } from './report.js';
import type { Threshold } from './thresholds.js';

export interface LoadOptions {
  providerDir: string;
  orgs: number;
  peers: number;
  /** Presets the LANs cycle through. */
  nat: NatPreset[];
  /** LAN count; default min(peers, max(2, ceil(peers / 2)), 12). */
  lans?: number;
  /** Added on every LAN router's internet link, each way. */
  latencyMs?: number;
  /** Packet loss on every LAN router's internet link, 0..1. */
  loss?: number;
  /** Iterations (default 3 unless durationSeconds is given). */
  iterations?: number;
  /** Iterate until this long has passed since the first iteration began (at least one). */
  durationSeconds?: number;
  seed: number;
  outDir: string;
  thresholds: Threshold[];
  /** Seconds of HTTP load per endpoint per iteration. */
  httpSeconds: number;
  httpConnections: number;
  k6: boolean;
  /** The whole run's bound (boot included). */
  maxMinutes: number;
  /** The command as typed, for the report. */
  command: string;
  onProgress: (line: string) => void;
}

export interface LoadOutcome {
  report: LoadReport;
  files: WrittenReport;
}
