import { randomInt } from 'node:crypto';
import {
  container,
  createNetwork,
  dockerEngine,
  RUN_LABEL,
  startRun,
  type CreatedNetwork,
  type Run,
  type StartedContainer,
} from '../../harness/docker/index.js';
import { ensureImage } from '../../harness/images/index.js';

/**
 * Two LANs (bridges `a` and `b`, small RFC 5737 subnets) joined by a forwarding router; host `a`
 * on one, host `b` on the other, each with its default route via the router. Every container is the
 * router image (it has iproute2, iptables, tc, ping, nc, socat and the delayer).
 */
export interface Lab {
  run: Run;
  image: string;
  netA: CreatedNetwork;
  netB: CreatedNetwork;
  router: StartedContainer;
  a: StartedContainer;
  b: StartedContainer;
  ip: { a: string; b: string; routerA: string; routerB: string };
  /** The n-th address of LAN a or b (2 and 3 are taken by the router and the host; 10 on by host()). */
  addr(lan: 'a' | 'b', n: number): string;
  /** Another plain host on LAN a (no route change), e.g. a server to kill. */
  host(name: string, command: string[]): Promise<{ container: StartedContainer; ip: string }>;
}

export async function startLab(prefix: string): Promise<Lab> {
  const image = await ensureImage('router', { onProgress: () => undefined });
  const run = startRun(prefix);
  try {
    const netA = await labNetwork(run, 'a', '198.51.100');
    const netB = await labNetwork(run, 'b', '203.0.113');
    const base = (subnet: string) => subnet.split('/')[0]!.split('.').map(Number);
    const at = (subnet: string, host: number) => {
      const [w, x, y, z] = base(subnet);
      return `${w}.${x}.${y}.${z! + host}`;
    };
    const ip = {
      routerA: at(netA.subnet, 2),
      routerB: at(netB.subnet, 2),
      a: at(netA.subnet, 3),
      b: at(netB.subnet, 3),
    };
    const node = (name: string) =>
      container(image)
        .named(`${run.id}-${name}`)
        .withLabels(run.labels())
        .withCommand(['sleep', 'infinity'])
        .withInit()
        .withCapabilities('NET_ADMIN');
    const [router, a, b] = await Promise.all([
      node('router')
        .withNetwork(netA.name, { ip: ip.routerA })
        .withNetwork(netB.name, { ip: ip.routerB })
        .withSysctls({ 'net.ipv4.ip_forward': '1' })
        .start(),
      node('a').withNetwork(netA.name, { ip: ip.a }).start(),
      node('b').withNetwork(netB.name, { ip: ip.b }).start(),
    ]);
    await a.run(['ip', 'route', 'replace', 'default', 'via', ip.routerA]);
    await b.run(['ip', 'route', 'replace', 'default', 'via', ip.routerB]);
    let hosts = 10;
    return {
      run,
      image,
      netA,
      netB,
      router,
      a,
      b,
      ip,
      addr: (lan, n) => at(lan === 'a' ? netA.subnet : netB.subnet, n),
      async host(name, command) {
        const address = at(netA.subnet, hosts++);
        const c = await container(image)
          .named(`${run.id}-${name}`)
          .withLabels(run.labels())
          .withCommand(command)
          .withInit()
          .withNetwork(netA.name, { ip: address })
          .start();
        return { container: c, ip: address };
      },
    };
  } catch (error) {
    await run.dispose();
    throw error;
  }
}

/** A /28 at a random offset of an RFC 5737 /24, retried when another run holds an overlapping one. */
async function labNetwork(run: Run, name: string, prefix24: string): Promise<CreatedNetwork> {
  let last: Error | undefined;
  for (let attempt = 0; attempt < 12; attempt++) {
    const subnet = `${prefix24}.${randomInt(16) * 16}/28`;
    try {
      return await createNetwork({ name: `${run.id}-${name}`, subnet, labels: run.labels() });
    } catch (error) {
      last = error as Error;
      if (!/overlap/i.test(last.message)) throw last;
    }
  }
  throw last ?? new Error('no free lab subnet');
}

/** Containers and networks that still carry the run's label. */
export async function leftovers(runId: string): Promise<number> {
  const docker = dockerEngine();
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return containers.length + networks.length + volumes.length;
}

export interface PingResult {
  sent: number;
  received: number;
  lossFraction: number;
  avgMs: number | undefined;
  mdevMs: number | undefined;
}

/** `ping` from a container; never throws on loss. */
export async function ping(
  from: StartedContainer,
  to: string,
  options: { count?: number; intervalS?: number; waitS?: number } = {},
): Promise<PingResult> {
  const count = options.count ?? 10;
  const result = await from.exec([
    'ping',
    '-n',
    '-q',
    '-c',
    String(count),
    '-i',
    String(options.intervalS ?? 0.1),
    '-W',
    String(options.waitS ?? 1),
    to,
  ]);
  const summary = /(\d+) packets transmitted, (\d+) received/.exec(result.stdout);
  if (!summary) throw new Error(`ping ${to} from ${from.name}: ${result.stderr || result.stdout}`);
  const sent = Number(summary[1]);
  const received = Number(summary[2]);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(result.stdout);
  return {
    sent,
    received,
    lossFraction: (sent - received) / sent,
    avgMs: rtt ? Number(rtt[2]) : undefined,
    mdevMs: rtt ? Number(rtt[4]) : undefined,
  };
}

/** Whether a TCP request/response to `echo` servers gets its answer within `waitS`. */
export async function answers(
  from: StartedContainer,
  host: string,
  port: number,
  waitS = 2,
): Promise<boolean> {
  const result = await from.exec([
    'timeout',
    String(waitS + 1),
    'sh',
    '-c',
    `nc -w ${waitS} ${host} ${port} </dev/null`,
  ]);
  return result.stdout.includes('pong');
}

/** Polls until `check` is true or the time is up; returns the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The oneclick-fault rules and qdiscs left in a container, for "heal removes exactly that" checks. */
export async function faultTraces(c: StartedContainer): Promise<string[]> {
  const rules = await c.run(['iptables-save']);
  const qdiscs = await c.run(['tc', 'qdisc', 'show']);
  const links = await c.run(['ip', '-o', 'link', 'show']);
  return [
    ...rules.split('\n').filter((l) => l.includes('oneclick-fault:')),
    ...qdiscs.split('\n').filter((l) => /\b(tbf|netem|ingress)\b/.test(l)),
    ...links.split('\n').filter((l) => l.includes('ocifb-')),
  ];
}
