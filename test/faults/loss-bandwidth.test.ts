import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedContainer } from '../../harness/docker/index.js';
import { capBandwidth, injectLoss, type Direction } from '../../harness/faults/index.js';
import { faultTraces, leftovers, ping, startLab, type Lab } from './lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab('flbw');
});
afterAll(async () => {
  await lab?.run.dispose();
});

describe('packet loss', () => {
  it('p=0.5 on the arriving side of a router link loses a binomially plausible share of 100 pings; none before or after', async () => {
    const baseline = await ping(lab.a, lab.ip.b, { count: 100, intervalS: 0.01 });
    const fault = await injectLoss(lab.router, {
      probability: 0.5,
      link: { network: lab.netA.name },
      direction: 'ingress',
    });
    const lossy = await ping(lab.a, lab.ip.b, { count: 100, intervalS: 0.01, waitS: 1 });
    await fault.heal();
    const after = await ping(lab.a, lab.ip.b, { count: 100, intervalS: 0.01 });
    console.log(
      `[loss] baseline ${baseline.lossFraction * 100}%, p=0.5 ${lossy.lossFraction * 100}%, healed ${after.lossFraction * 100}%`,
    );
    expect(baseline.received).toBe(100);
    // Binomial(100, 0.5): 20..80 lost is six standard deviations either side.
    expect(lossy.sent - lossy.received).toBeGreaterThanOrEqual(20);
    expect(lossy.sent - lossy.received).toBeLessThanOrEqual(80);
    expect(after.received).toBe(100);
    expect(await faultTraces(lab.router)).toEqual([]);
  });

  it('p=1 between two addresses drops all of their traffic and nothing else', async () => {
    const fault = await injectLoss(lab.router, { probability: 1, from: lab.ip.a, to: lab.ip.b });
    try {
      expect((await ping(lab.a, lab.ip.b, { count: 5, intervalS: 0.05 })).received).toBe(0);
      expect((await ping(lab.a, lab.ip.routerA, { count: 5, intervalS: 0.05 })).received).toBe(5);
    } finally {
      await fault.heal();
    }
    expect((await ping(lab.a, lab.ip.b, { count: 5, intervalS: 0.05 })).received).toBe(5);
  });

  it('rejects a probability outside 0..1', async () => {
    await expect(injectLoss(lab.router, { probability: 1.5 })).rejects.toThrow(/0\.\.1/);
  });
});

/** Bits per second of a `bytes`-long TCP transfer from `from` to `to`, timed on arrival. */
async function throughput(
  from: StartedContainer,
  to: StartedContainer,
  toIp: string,
  bytes: number,
): Promise<number> {
  const port = 5001;
  await to.run(['sh', '-c', 'rm -f /tmp/bw.*']);
  await to.run([
    'sh',
    '-c',
    `(nc -l ${port} | wc -c >/tmp/bw.bytes; date +%s%N >/tmp/bw.end) </dev/null >/dev/null 2>&1 &`,
  ]);
  await to.run([
    'sh',
    '-c',
    `for i in $(seq 50); do ss -ltn | grep -q ':${port} ' && exit 0; sleep 0.1; done; exit 1`,
  ]);
  // The clock starts just before the connect and stops when the receiver has read everything.
  const start = await from.run([
    'sh',
    '-c',
    `date +%s%N; head -c ${bytes} /dev/zero | nc -N ${toIp} ${port}`,
  ]);
  for (let i = 0; i < 600; i++) {
    const end = await to.exec(['cat', '/tmp/bw.end']);
    if (end.exitCode === 0 && end.stdout.trim()) {
      const got = Number((await to.run(['cat', '/tmp/bw.bytes'])).trim());
      expect(got).toBe(bytes);
      const seconds = (Number(end.stdout.trim()) - Number(start.trim().split('\n')[0])) / 1e9;
      return (bytes * 8) / seconds;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('transfer did not finish in 60 s');
}

describe('bandwidth', () => {
  const capped = async (direction: Direction, network: () => string) => {
    const baseline = await throughput(lab.a, lab.b, lab.ip.b, 4_000_000);
    const fault = await capBandwidth(lab.router, { rate: '1mbit', link: { network: network() }, direction });
    expect(fault.backend).toBe('tbf');
    let limited: number;
    try {
      limited = await throughput(lab.a, lab.b, lab.ip.b, 750_000);
    } finally {
      await fault.heal();
    }
    const after = await throughput(lab.a, lab.b, lab.ip.b, 4_000_000);
    console.log(
      `[bandwidth ${direction}] baseline ${(baseline / 1e6).toFixed(1)} Mbit/s, capped ${(limited / 1e6).toFixed(3)} Mbit/s, healed ${(after / 1e6).toFixed(1)} Mbit/s`,
    );
    expect(limited).toBeLessThan(2e6);
    expect(limited).toBeLessThan(baseline / 10);
    expect(after).toBeGreaterThan(limited * 10);
    expect(await faultTraces(lab.router)).toEqual([]);
  };

  it('a 1 mbit cap on the router egress towards b throttles a transfer far below the uncapped baseline', () =>
    capped('egress', () => lab.netB.name));

  it('a 1 mbit ingress cap (through an ifb device) on the router link from a throttles it too', () =>
    capped('ingress', () => lab.netA.name));

  it('leaves no labelled container or network behind once the run is disposed', async () => {
    await lab.run.dispose();
    expect(await leftovers(lab.run.id)).toBe(0);
  });
});
