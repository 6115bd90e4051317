import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnectContainer, partition } from '../../harness/faults/index.js';
import { eventually, faultTraces, leftovers, ping, startLab, type Lab } from './lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab('fpart');
});
afterAll(async () => {
  await lab?.run.dispose();
});

const received = async (file: string) => Number((await lab.b.run(['sh', '-c', `wc -c <${file}`])).trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('partition at the router', () => {
  it('a live TCP session stops delivering while partitioned, and a new connection succeeds after heal', async () => {
    // b collects a line every 100 ms from a long-lived session opened by a.
    await lab.b.run(['sh', '-c', 'nc -l 7000 </dev/null >/tmp/live 2>&1 &']);
    await lab.b.run([
      'sh',
      '-c',
      'for i in $(seq 50); do ss -ltn | grep -q ":7000 " && exit 0; sleep 0.1; done; exit 1',
    ]);
    await lab.a.run([
      'sh',
      '-c',
      `(while true; do echo tick; sleep 0.1; done | nc ${lab.ip.b} 7000) </dev/null >/dev/null 2>&1 &`,
    ]);
    expect(await eventually(async () => (await received('/tmp/live')) > 20)).toBe(true);

    const fault = await partition(lab.router, { between: [lab.netA.subnet, lab.ip.b] });
    try {
      expect(fault.rules).toHaveLength(6);
      await sleep(500); // what was in flight lands
      const frozen = await received('/tmp/live');
      await sleep(1500);
      expect(await received('/tmp/live')).toBe(frozen);
      expect((await ping(lab.a, lab.ip.b, { count: 3, intervalS: 0.2 })).received).toBe(0);
      const refused = await lab.a.exec(['nc', '-z', '-w', '2', lab.ip.b, '7000']);
      expect(refused.exitCode).not.toBe(0);
    } finally {
      await fault.heal();
    }
    expect(await faultTraces(lab.router)).toEqual([]);

    await lab.b.run(['sh', '-c', 'nc -l 7001 </dev/null >/tmp/fresh 2>&1 &']);
    await lab.b.run([
      'sh',
      '-c',
      'for i in $(seq 50); do ss -ltn | grep -q ":7001 " && exit 0; sleep 0.1; done; exit 1',
    ]);
    await lab.a.run(['sh', '-c', `echo hello-after-heal | nc -N -w 5 ${lab.ip.b} 7001`]);
    expect(
      await eventually(async () => (await lab.b.run(['cat', '/tmp/fresh'])).includes('hello-after-heal')),
    ).toBe(true);
    await lab.a.exec(['pkill', '-f', `nc ${lab.ip.b} 7000`]);
  });

  it('a one-way partition drops only the first side to the second', async () => {
    const fault = await partition(lab.router, { between: [lab.ip.a, lab.ip.b], oneWay: true });
    try {
      expect(fault.oneWay).toBe(true);
      // b -> a still flows (a UDP datagram from b arrives); a -> b does not (a's pings die).
      await lab.a.run([
        'sh',
        '-c',
        'rm -f /tmp/udp; (timeout 5 nc -u -l 7002 >/tmp/udp) </dev/null >/dev/null 2>&1 &',
      ]);
      await lab.a.run([
        'sh',
        '-c',
        'for i in $(seq 50); do ss -lun | grep -q ":7002 " && exit 0; sleep 0.1; done; exit 1',
      ]);
      await lab.b.run(['sh', '-c', `echo from-b | nc -u -w 1 ${lab.ip.a} 7002`]);
      expect(
        await eventually(async () => (await lab.a.run(['cat', '/tmp/udp'])).includes('from-b'), 4000),
      ).toBe(true);
      expect((await ping(lab.a, lab.ip.b, { count: 3, intervalS: 0.2 })).received).toBe(0);
    } finally {
      await fault.heal();
    }
    expect((await ping(lab.a, lab.ip.b, { count: 3, intervalS: 0.2 })).received).toBe(3);
  });

  it('healing twice is harmless and removes only the healed fault', async () => {
    const first = await partition(lab.router, { between: [lab.ip.a, lab.ip.b] });
    const second = await partition(lab.router, { between: [lab.ip.routerA, lab.ip.b] });
    await first.heal();
    await first.heal();
    const left = await faultTraces(lab.router);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((rule) => rule.includes(`oneclick-fault:${second.id}`))).toBe(true);
    expect((await ping(lab.a, lab.ip.b, { count: 3, intervalS: 0.2 })).received).toBe(3);
    await second.heal();
    expect(await faultTraces(lab.router)).toEqual([]);
    expect(first.healedAt).toBeInstanceOf(Date);
  });
});

describe('disconnect from a network', () => {
  it('cuts the container off, and heal reconnects it with the same address and its route via the router', async () => {
    const fault = await disconnectContainer(lab.b, lab.netB.name);
    expect(fault.address).toBe(lab.ip.b);
    try {
      expect((await ping(lab.a, lab.ip.b, { count: 3, intervalS: 0.2 })).received).toBe(0);
      await expect(lab.b.ipOn(lab.netB.name)).rejects.toThrow();
    } finally {
      await fault.heal();
    }
    expect(await lab.b.ipOn(lab.netB.name)).toBe(lab.ip.b);
    expect(await lab.b.run(['ip', 'route', 'show', 'default'])).toContain(`via ${lab.ip.routerB}`);
    expect(
      await eventually(async () => (await ping(lab.a, lab.ip.b, { count: 2, intervalS: 0.2 })).received > 0),
    ).toBe(true);
  });

  it('leaves no labelled container or network behind once the run is disposed', async () => {
    await lab.run.dispose();
    expect(await leftovers(lab.run.id)).toBe(0);
  });
});
