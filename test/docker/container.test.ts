/**
 * The container builder over testcontainers, against the real engine: labels, static addresses on
 * two of our networks, sysctls and capabilities, init, exec with stdin, logs, stop/start keeping the
 * container, and a missing image named as not built (never pulled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, createNetwork, RUN_LABEL, startRun, type Run } from '../../harness/docker/index.js';
import { ensureImage } from '../../harness/images/index.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../../harness/net/subnets.js';
import { hostAt } from '../../harness/net/cidr.js';

let run: Run;
let image: string;
const nets: Array<{ name: string; subnet: string }> = [];

beforeAll(async () => {
  run = startRun('ctr');
  image = await ensureImage('edge');
  for (const [i, pool] of [SUBNET_POOLS.internet, SUBNET_POOLS.lan].entries()) {
    nets.push(
      await createOnFreeSubnet(`container test ${i}`, pool, (subnet) =>
        createNetwork({ name: `${run.id}-n${i}`, subnet, labels: run.labels() }),
      ),
    );
  }
});

afterAll(async () => {
  await run?.dispose();
});

describe('container()', () => {
  it('starts labelled, on two networks at fixed addresses, with sysctls, capabilities and init', async () => {
    const [a, b] = nets as [(typeof nets)[0], (typeof nets)[0]];
    const c = await container(image)
      .named(`${run.id}-box`)
      .withHostname('box')
      .withLabels(run.labels({ 'oneclick.role': 'test' }))
      .withNetwork(a.name, { ip: hostAt(a.subnet, 20) })
      .withNetwork(b.name, { ip: hostAt(b.subnet, 21), aliases: ['boxy'] })
      .withCapabilities('NET_ADMIN')
      .withSysctls({ 'net.ipv4.ip_forward': '1' })
      .withEnv({ GREETING: 'hello' })
      .withInit()
      .withCommand(['sh', '-c', 'echo started; exec sleep infinity'])
      .start();
    expect(c.name).toBe(`${run.id}-box`);
    const info = await c.inspect();
    expect(info.Config.Labels).toMatchObject({ [RUN_LABEL]: run.id, 'oneclick.role': 'test' });
    expect(info.HostConfig.Init).toBe(true);
    expect(await c.ipOn(a.name)).toBe(hostAt(a.subnet, 20));
    expect(await c.ipOn(b.name)).toBe(hostAt(b.subnet, 21));
    expect((await c.run(['cat', '/proc/sys/net/ipv4/ip_forward'])).trim()).toBe('1');
    expect((await c.run(['sh', '-c', 'echo $GREETING $(hostname)'])).trim()).toBe('hello box');
    expect((await c.run(['cat'], { stdin: 'from stdin' })).trim()).toBe('from stdin');
    const failed = await c.exec(['sh', '-c', 'echo oops >&2; exit 3']);
    expect(failed).toMatchObject({ exitCode: 3, stderr: 'oops\n' });
    expect(await c.logs()).toContain('started');
    await c.stop(1);
    await c.start();
    expect((await c.inspect()).State.Running).toBe(true);
  });

  it('names a missing image as not built instead of pulling it', async () => {
    await expect(container('oneclick-absent/never:built').named(`${run.id}-absent`).start()).rejects.toThrow(
      /image oneclick-absent\/never:built is not built: run `npx oneclick images build`/,
    );
  });
});
