/**
 * The deployer's Prometheus metrics (text exposition format 0.0.4), with no dependency: deployments
 * by status, how far the watcher lags the chain head, provisioning time, reconcile passes and errors.
 */
import type { Status } from './state/index.js';

export const PROVISIONING_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300] as const;

export interface MetricsSource {
  /** Orgs per reconciler status. */
  statusCounts(): Record<Status, number>;
  /** Chain head minus the watcher's cursor; undefined before the first step. */
  lagBlocks(): bigint | undefined;
}

export function createMetrics() {
  const provisioning = { buckets: PROVISIONING_BUCKETS.map(() => 0), sum: 0, count: 0 };
  let reconcileErrors = 0;
  let passes = 0;

  return {
    observeProvisioning(seconds: number): void {
      PROVISIONING_BUCKETS.forEach((le, i) => {
        if (seconds <= le) provisioning.buckets[i]! += 1;
      });
      provisioning.sum += seconds;
      provisioning.count += 1;
    },
    reconcileError(): void {
      reconcileErrors += 1;
    },
    pass(): void {
      passes += 1;
    },
    /** The provisioning durations observed so far (count and sum), for logs and tests. */
    provisioningSummary: () => ({ count: provisioning.count, sumSeconds: provisioning.sum }),
    render(source: MetricsSource): string {
      const out: string[] = [];
      out.push(
        '# HELP oneclick_deployer_deployments Orgs known to the deployer, by reconciler status.',
        '# TYPE oneclick_deployer_deployments gauge',
      );
      for (const [status, n] of Object.entries(source.statusCounts())) {
        out.push(`oneclick_deployer_deployments{status="${status}"} ${n}`);
      }
      const lag = source.lagBlocks();
      out.push(
        '# HELP oneclick_deployer_events_lag_blocks Chain head minus the last block the watcher processed.',
        '# TYPE oneclick_deployer_events_lag_blocks gauge',
        `oneclick_deployer_events_lag_blocks ${lag === undefined ? 'NaN' : lag.toString()}`,
      );
      out.push(
        '# HELP oneclick_deployer_provisioning_seconds From a deployment wanted to its records published.',
        '# TYPE oneclick_deployer_provisioning_seconds histogram',
      );
      PROVISIONING_BUCKETS.forEach((le, i) => {
        out.push(`oneclick_deployer_provisioning_seconds_bucket{le="${le}"} ${provisioning.buckets[i]}`);
      });
      out.push(
        `oneclick_deployer_provisioning_seconds_bucket{le="+Inf"} ${provisioning.count}`,
        `oneclick_deployer_provisioning_seconds_sum ${provisioning.sum}`,
        `oneclick_deployer_provisioning_seconds_count ${provisioning.count}`,
      );
      out.push(
        '# HELP oneclick_deployer_reconcile_errors_total Failed reconcile actions (retried on the next pass).',
        '# TYPE oneclick_deployer_reconcile_errors_total counter',
        `oneclick_deployer_reconcile_errors_total ${reconcileErrors}`,
        '# HELP oneclick_deployer_reconcile_passes_total Reconcile passes completed.',
        '# TYPE oneclick_deployer_reconcile_passes_total counter',
        `oneclick_deployer_reconcile_passes_total ${passes}`,
      );
      return `${out.join('\n')}\n`;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
