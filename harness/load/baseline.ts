/** The provisioning baseline: bare `docker run` of the org-node image, no provider in between. */
import pLimit from 'p-limit';
import { container, type StartedContainer } from '../docker/container.js';
import { dockerEngine } from '../docker/engine.js';
import { createNetwork } from '../docker/network.js';
import type { Run } from '../docker/run.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../net/subnets.js';
import type { LatencyHistogram } from './histogram.js';
import type { Meter } from './meter.js';
import { poll } from './poll.js';

/** Containers per baseline network: a LAN pool /24 holds 253 hosts (a Linux bridge 1024 ports). */
export const PER_NETWORK = 250;
/** Creates in flight at once, as the reference deployer's engine slot: 500 at once stall dockerd. */
const CREATE_CONCURRENCY = 32;
/** Removals at once: dockerd 20.10 deadlocked at ~40 concurrent removals (harness/docker/sweep.ts). */
const REMOVE_CONCURRENCY = 4;

/**
 * Bare `docker run` of the org-node image, `n` asked at once (at most 32 creates in flight), on /24s
 * of their own (one per 250): ms to /api/v1/node 200. The engine starts ~1.5 containers/s here, so a
 * node's wait scales with `n`.
 */
export async function bareProvisioning(
  run: Run,
  image: string,
  n: number,
  hist: LatencyHistogram,
  { now, remaining }: Pick<Meter, 'now' | 'remaining'>,
): Promise<void> {
  const networks: string[] = [];
  const started: StartedContainer[] = [];
  try {
    for (let k = 0; k * PER_NETWORK < n; k++) {
      networks.push(
        await createOnFreeSubnet('load-bare', SUBNET_POOLS.lan, async (subnet) => {
          const name = `${run.id}-bare${k ? k + 1 : ''}`;
          return (await createNetwork({ name, subnet, labels: run.labels() })).name;
        }),
      );
    }
    const t0 = performance.now();
    const creates = pLimit(CREATE_CONCURRENCY);
    const waitMs = Math.max(300_000, n * 1_500);
    // Each waiting node is polled on its own: every 100 ms at 500 nodes is 5000 requests/s, which
    // takes the cores the nodes need to start. The interval grows with n (1 s from 500 nodes).
    const intervalMs = Math.min(1_000, Math.max(100, n * 2));
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const network = networks[Math.floor(i / PER_NETWORK)]!;
        const c = await creates(() =>
          container(image)
            .named(`${run.id}-bare${i + 1}`)
            .withLabels(run.labels({ 'oneclick.role': 'load-baseline' }))
            .withNetwork(network)
            .withEnv({ RAD_ALIAS: `bare${i + 1}` })
            .start(),
        );
        started.push(c);
        const ip = await c.ipOn(network);
        const ok = await poll(
          async () =>
            (await globalThis
              .fetch(`http://${ip}:8080/api/v1/node`, { signal: AbortSignal.timeout(2000) })
              .then((r) => r.status === 200)
              .catch(() => false))
              ? true
              : undefined,
          Math.min(waitMs, remaining()),
          intervalMs,
        );
        if (ok) hist.record(performance.now() - t0, now());
        else hist.error();
      }),
    );
  } finally {
    await pLimit(REMOVE_CONCURRENCY).map(started, (c) => c.remove().catch(() => undefined));
    for (const network of networks)
      await dockerEngine()
        .getNetwork(network)
        .remove()
        .catch(() => undefined);
  }
}
