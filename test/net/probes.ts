import {
  dockerEngine,
  RUN_LABEL,
  type ContainerBuilder,
  type StartedContainer,
} from '../../harness/docker/index.js';

/** Test hosts run the router image idle: it has socat, nc, tcpdump, dig and iproute2. */
export const idle = (b: ContainerBuilder): void => {
  b.withCommand(['sleep', 'infinity']).withInit();
};

/** Starts a detached shell command in the container (the exec returns at once). */
export async function background(c: StartedContainer, command: string): Promise<void> {
  await c.run(['sh', '-c', `setsid sh -c '${command.replace(/'/g, `'\\''`)}' >/dev/null 2>&1 </dev/null &`]);
}

/**
 * TCP and UDP servers (netprobe, in the router image) that answer each client with the address and
 * port they saw it come from ("<addr> <port>"); every arrival is logged to /tmp/netprobe.log.
 */
export async function startEchoServers(c: StartedContainer, tcpPort = 8080, udpPort = 9000): Promise<void> {
  await background(c, `netprobe serve -tcp ${tcpPort} -udp ${udpPort} 2> /tmp/netprobe.log`);
  await waitFor(async () => {
    const r = await c.exec(['grep', '-q', 'serving', '/tmp/netprobe.log']);
    return r.exitCode === 0;
  }, `echo servers on ${c.name}`);
}

export interface Seen {
  address: string;
  port: number;
}

function parseSeen(text: string): Seen | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+) (\d+)\s*$/m.exec(text);
  return m ? { address: m[1]!, port: Number(m[2]) } : undefined;
}

/**
 * Opens a TCP connection and returns how the server saw us; undefined when no connection was made.
 * Tried up to 3 times: on two busy cores a reply can be late, and a refusal is asserted elsewhere.
 */
export async function tcpSeenAs(
  from: StartedContainer,
  address: string,
  port: number,
  sourcePort?: number,
): Promise<Seen | undefined> {
  const p = sourcePort ? ['-p', String(sourcePort)] : [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await from.exec(['nc', '-n', '-w', '3', ...p, address, String(port)], { stdin: '' });
    const seen = parseSeen(r.stdout);
    if (seen) return seen;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

/**
 * Sends a UDP datagram from `sourcePort` and returns how the server saw it (its answer). netprobe
 * resends on the same socket (the same NAT flow) up to 3 times when no answer comes within 1 s.
 */
export async function udpSeenAs(
  from: StartedContainer,
  address: string,
  port: number,
  sourcePort: number,
): Promise<Seen | undefined> {
  const r = await from.exec(['netprobe', 'udp', '-bind', String(sourcePort), `${address}:${port}`]);
  const seen = parseSeen(r.stdout);
  if (!seen)
    console.error(`no UDP answer from ${address}:${port} to ${from.name}:${sourcePort}: ${r.stderr.trim()}`);
  return seen;
}

/** True when a TCP connection to address:port is established within 2 s. */
export async function canConnect(from: StartedContainer, address: string, port: number): Promise<boolean> {
  const r = await from.exec(['nc', '-n', '-z', '-w', '2', address, String(port)]);
  return r.exitCode === 0;
}

/** Sends one UDP datagram from `sourcePort` (fire and forget). */
export async function udpSend(
  from: StartedContainer,
  address: string,
  port: number,
  sourcePort: number,
  text: string,
) {
  await from.run(['socat', '-u', '-', `UDP-SENDTO:${address}:${port},bind=0.0.0.0:${sourcePort}`], {
    stdin: `${text}\n`,
  });
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Containers, networks and volumes that still carry the run's label. */
export async function leftovers(runId: string): Promise<string[]> {
  const docker = dockerEngine();
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return [
    ...containers.map((c) => `container ${c.Names.join(',')}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...volumes.map((v) => `volume ${v.Name}`),
  ];
}
