import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, type StartedContainer } from '../../harness/docker/container.js';
import { createNetwork } from '../../harness/docker/network.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage } from '../../harness/images/index.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../../harness/net/subnets.js';
import { httpGet } from '../../harness/outside/index.js';

let run: Run;
let edge: StartedContainer;
let ip: string;

beforeAll(async () => {
  run = startRun('edge');
  const image = await ensureImage('edge');
  const network = await createOnFreeSubnet('edge tests', SUBNET_POOLS.internet, async (subnet) => {
    const net = await createNetwork({ name: `${run.id}-net`, subnet, labels: run.labels() });
    return net.name;
  });
  edge = await container(image).named(`${run.id}-edge`).withLabels(run.labels()).withNetwork(network).start();
  await edge.waitHealthy(30_000);
  ip = await edge.ipOn(network);
});

afterAll(async () => {
  await run?.dispose();
});

const get = (host: string, path = '/') => httpGet(ip, path, { host });

describe('the edge image', () => {
  it('runs nginx in the foreground as the container process, with iptables and iproute2 at hand', async () => {
    const cmdline = (await edge.run(['cat', '/proc/1/cmdline'])).split('\0').join(' ');
    expect(cmdline).toMatch(/^nginx: master process nginx -g daemon off;/);
    await edge.run(['iptables', '--version']);
    await edge.run(['ip', '-V']);
    expect(await get('unknown.org.test')).toMatchObject({ status: 404 });
  });

  it('reloads its configuration on SIGHUP: a new Host route answers without a restart', async () => {
    const conf = 'server {\n  listen 80;\n  server_name alpha.org.test;\n  return 200 "alpha\\n";\n}\n';
    await edge.run(['bash', '-c', 'cat > /etc/nginx/conf.d/alpha.conf'], { stdin: conf });
    expect((await get('alpha.org.test')).status).toBe(404);
    const startedAt = (await edge.inspect()).State.StartedAt;
    await edge.kill('SIGHUP');
    let answer = await get('alpha.org.test');
    for (let i = 0; i < 50 && answer.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await get('alpha.org.test');
    }
    expect(answer).toEqual({ status: 200, body: 'alpha\n' });
    expect((await edge.inspect()).State.StartedAt).toBe(startedAt);
  });
});
