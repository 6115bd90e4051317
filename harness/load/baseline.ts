/** The provisioning baseline: bare `docker run` of the org-node image, no provider in between. */
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

/**
 * Bare `docker run` of the org-node image, `n` at once, on /24s of their own (one per 250): ms to
 * /api/v1/node 200.
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
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const network = networks[Math.floor(i / PER_NETWORK)]!;
        const c = await container(image)
          .named(`${run.id}-bare${i + 1}`)
          .withLabels(run.labels({ 'oneclick.role': 'load-baseline' }))
          .withNetwork(network)
          .withEnv({ RAD_ALIAS: `bare${i + 1}` })
          .start();
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
          Math.min(300_000, remaining()),
        );
        if (ok) hist.record(performance.now() - t0, now());
        else hist.error();
      }),
    );
  } finally {
    await Promise.all(started.map((c) => c.remove().catch(() => undefined)));
    for (const network of networks)
      await dockerEngine()
        .getNetwork(network)
        .remove()
        .catch(() => undefined);
  }
}
