import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container } from '../../harness/docker/index.js';
import { detectNetem, injectLatency } from '../../harness/faults/index.js';
import { faultTraces, leftovers, ping, startLab, type Lab } from './lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab('flat');
});
afterAll(async () => {
  await lab?.run.dispose();
});

const DELAY_MS = 40;
const rtt = async () => {
  const result = await ping(lab.a, lab.ip.b, { count: 20, intervalS: 0.05 });
  expect(result.received).toBe(20);
  return result.avgMs!;
};

describe('latency', () => {
  it('detectNetem tells whether the kernel has sch_netem, and the fault records the backend it chose', async () => {
    const netem = await detectNetem(lab.router);
    const fault = await injectLatency(lab.router, { delayMs: 1, link: { network: lab.netB.name } });
    try {
      expect(fault.backend).toBe(netem ? 'netem' : 'delayer');
      expect(fault.description).toContain(`via ${fault.backend}`);
    } finally {
      await fault.heal();
    }
  });

  it('delaying both directions of a link raises the round trip by about twice the one-way delay', async () => {
    const baseline = await rtt();
    const fault = await injectLatency(lab.router, { delayMs: DELAY_MS, link: { network: lab.netB.name } });
    const delayed = await rtt();
    await fault.heal();
    const after = await rtt();
    console.log(
      `[latency both] backend=${fault.backend} baseline=${baseline} ms delayed=${delayed} ms healed=${after} ms`,
      fault.delayerStats ?? '',
    );
    const added = delayed - baseline;
    expect(added).toBeGreaterThan(2 * DELAY_MS * 0.7);
    expect(added).toBeLessThan(2 * DELAY_MS * 3);
    expect(after).toBeLessThan(baseline + DELAY_MS / 2);
    if (fault.backend === 'delayer') {
      expect(fault.queueNum).toBeGreaterThanOrEqual(100);
      expect(fault.delayerStats?.received).toBeGreaterThanOrEqual(40);
      expect(fault.delayerStats?.released).toBe(fault.delayerStats?.received);
      expect(fault.delayerStats?.dropped_overflow).toBe(0);
    }
    expect(await faultTraces(lab.router)).toEqual([]);
  });

  it('delaying one direction raises the round trip by about the one-way delay', async () => {
    const baseline = await rtt();
    const fault = await injectLatency(lab.router, {
      delayMs: DELAY_MS,
      link: { network: lab.netA.name },
      direction: 'egress',
    });
    const delayed = await rtt();
    await fault.heal();
    console.log(`[latency egress] backend=${fault.backend} baseline=${baseline} ms delayed=${delayed} ms`);
    const added = delayed - baseline;
    expect(added).toBeGreaterThan(DELAY_MS * 0.7);
    expect(added).toBeLessThan(DELAY_MS * 2 - DELAY_MS * 0.3);
    expect(await faultTraces(lab.router)).toEqual([]);
  });

  it('jitter spreads the delayed round trips while keeping their mean near the delay', async () => {
    const steady = await ping(lab.a, lab.ip.b, { count: 20, intervalS: 0.05 });
    const fault = await injectLatency(lab.router, {
      delayMs: DELAY_MS,
      jitterMs: 20,
      link: { network: lab.netB.name },
      direction: 'egress',
    });
    const jittery = await ping(lab.a, lab.ip.b, { count: 30, intervalS: 0.1 });
    await fault.heal();
    console.log(
      `[latency jitter] steady mdev=${steady.mdevMs} ms, jittery avg=${jittery.avgMs} mdev=${jittery.mdevMs} ms`,
    );
    expect(jittery.received).toBe(30);
    expect(jittery.mdevMs!).toBeGreaterThan(Math.max(3, 10 * steady.mdevMs!));
    expect(jittery.avgMs!).toBeGreaterThan(DELAY_MS * 0.7);
    expect(jittery.avgMs!).toBeLessThan(DELAY_MS * 2);
  });

  it('two latency faults on different links get their own queues and add up', async () => {
    const baseline = await rtt();
    const towardsA = await injectLatency(lab.router, {
      delayMs: DELAY_MS / 2,
      link: { network: lab.netA.name },
      direction: 'egress',
    });
    const towardsB = await injectLatency(lab.router, {
      delayMs: DELAY_MS / 2,
      link: { network: lab.netB.name },
      direction: 'egress',
    });
    const delayed = await rtt();
    await towardsB.heal();
    await towardsA.heal();
    if (towardsA.backend === 'delayer') expect(towardsA.queueNum).not.toBe(towardsB.queueNum);
    expect(delayed - baseline).toBeGreaterThan(DELAY_MS * 0.7);
    expect(delayed - baseline).toBeLessThan(DELAY_MS * 3);
    expect(await faultTraces(lab.router)).toEqual([]);
  });

  it('healing while packets are held releases them all: no reply of a running ping is lost', async () => {
    const fault = await injectLatency(lab.router, {
      delayMs: 200,
      link: { network: lab.netB.name },
      backend: 'delayer',
    });
    const pinging = ping(lab.a, lab.ip.b, { count: 50, intervalS: 0.02, waitS: 2 });
    await new Promise((r) => setTimeout(r, 600));
    await fault.heal();
    const result = await pinging;
    console.log('[latency heal under load]', result, fault.delayerStats);
    expect(result.received).toBe(50);
    expect(fault.delayerStats?.dropped_overflow).toBe(0);
    expect(fault.delayerStats?.released).toBe(fault.delayerStats?.received);
    expect(fault.delayerStats?.max_held).toBeGreaterThan(5);
  });

  it('a ping faster than the delay loses nothing on a new flow (packets are queued before conntrack)', async () => {
    const fault = await injectLatency(lab.router, {
      delayMs: 200,
      link: { network: lab.netB.name },
      direction: 'egress',
    });
    try {
      // Eleven echo requests leave while the first one is still held.
      const result = await ping(lab.a, lab.ip.b, { count: 12, intervalS: 0.02, waitS: 2 });
      expect(result.received).toBe(12);
      expect(result.avgMs!).toBeGreaterThan(200 * 0.7);
    } finally {
      await fault.heal();
    }
  });

  it('works through a NAT router: released packets still go through its conntrack and masquerade', async () => {
    const [wan, lan, host] = [lab.addr('b', 5), lab.addr('a', 5), lab.addr('a', 6)];
    const nat = await container(lab.image)
      .named(`${lab.run.id}-nat`)
      .withLabels(lab.run.labels())
      .withCapabilities('NET_ADMIN')
      .withSysctls({ 'net.ipv4.ip_forward': '1' })
      .withEnv({ ROUTER_WAN_ADDR: wan, ROUTER_LAN_ADDR: lan, ROUTER_LAN_SUBNET: lab.netA.subnet })
      .withNetwork(lab.netA.name, { ip: lan })
      .withNetwork(lab.netB.name, { ip: wan })
      .start();
    await nat.waitHealthy(30_000);
    const inside = await container(lab.image)
      .named(`${lab.run.id}-inside`)
      .withLabels(lab.run.labels())
      .withCommand(['sleep', 'infinity'])
      .withInit()
      .withCapabilities('NET_ADMIN')
      .withNetwork(lab.netA.name, { ip: host })
      .start();
    await inside.run(['ip', 'route', 'replace', 'default', 'via', lan]);
    const before = await ping(inside, lab.ip.b, { count: 10, intervalS: 0.05 });
    const fault = await injectLatency(nat, { delayMs: DELAY_MS, link: { network: lab.netB.name } });
    let during;
    try {
      during = await ping(inside, lab.ip.b, { count: 10, intervalS: 0.05 });
    } finally {
      await fault.heal();
    }
    console.log(`[latency behind NAT] before=${before.avgMs} ms delayed=${during.avgMs} ms`);
    expect(before.received).toBe(10);
    expect(during.received).toBe(10);
    expect(during.avgMs! - before.avgMs!).toBeGreaterThan(2 * DELAY_MS * 0.7);
    // b saw the router's public address, not the LAN host's: NAT still applied.
    const seen = await nat.run(['conntrack', '-L', '-p', 'icmp']);
    expect(seen).toContain(`src=${host}`);
    expect(seen).toContain(`dst=${wan}`);
  });

  it("the delayer's queue is bounded: past max-queue it drops and counts the overflow", async () => {
    const fault = await injectLatency(lab.router, {
      delayMs: 300,
      link: { network: lab.netB.name },
      direction: 'egress',
      backend: 'delayer',
      delayer: { maxQueue: 4 },
    });
    let result;
    try {
      result = await ping(lab.a, lab.ip.b, { count: 20, intervalS: 0.01, waitS: 2 });
    } finally {
      await fault.heal();
    }
    console.log('[latency bounded queue]', result, fault.delayerStats);
    expect(result.received).toBeGreaterThan(0);
    expect(result.received).toBeLessThan(20);
    expect(fault.delayerStats?.max_held).toBeLessThanOrEqual(4);
    expect(fault.delayerStats?.dropped_overflow).toBe(20 - result.received);
  });

  it('delays only the traffic between the given addresses when narrowed with from/to', async () => {
    const fault = await injectLatency(lab.router, { delayMs: DELAY_MS, from: lab.ip.a, to: lab.ip.b });
    try {
      expect(fault.backend).toBe('delayer');
      const towardsB = await ping(lab.a, lab.ip.b, { count: 10, intervalS: 0.05 });
      const towardsRouter = await ping(lab.a, lab.ip.routerA, { count: 10, intervalS: 0.05 });
      expect(towardsB.avgMs!).toBeGreaterThan(DELAY_MS * 0.7);
      expect(towardsRouter.avgMs!).toBeLessThan(DELAY_MS * 0.5);
    } finally {
      await fault.heal();
    }
    expect(await faultTraces(lab.router)).toEqual([]);
  });

  it('traffic still flows (undelayed) if the delayer dies, thanks to --queue-bypass', async () => {
    const fault = await injectLatency(lab.router, {
      delayMs: DELAY_MS,
      link: { network: lab.netB.name },
      backend: 'delayer',
    });
    try {
      await lab.router.run(['pkill', '-KILL', '-x', 'delayer']);
      const result = await ping(lab.a, lab.ip.b, { count: 10, intervalS: 0.05 });
      expect(result.received).toBe(10);
      expect(result.avgMs!).toBeLessThan(DELAY_MS);
    } finally {
      await fault.heal();
    }
    expect(await faultTraces(lab.router)).toEqual([]);
  });

  it('asking for netem on a kernel without it fails with a clear message', async () => {
    if (await detectNetem(lab.router)) return;
    await expect(
      injectLatency(lab.router, { delayMs: 10, link: { network: lab.netB.name }, backend: 'netem' }),
    ).rejects.toThrow(/no sch_netem/);
  });

  it('leaves no labelled container or network behind once the run is disposed', async () => {
    await lab.run.dispose();
    expect(await leftovers(lab.run.id)).toBe(0);
  });
});
