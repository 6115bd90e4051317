import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { dockerEngine } from './engine.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  /** Written to the command's stdin, then stdin is closed. */
  stdin?: string;
}

export interface NetworkAttachment {
  ip?: string;
  aliases?: string[];
}

/** A started container: a handle with the lifecycle verbs oneclick uses. */
export interface StartedContainer {
  readonly id: string;
  readonly name: string;
  exec(cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Like exec, but a non-zero exit throws an error carrying stderr. */
  run(cmd: string[], options?: ExecOptions): Promise<string>;
  ipOn(network: string): Promise<string>;
  inspect(): Promise<Docker.ContainerInspectInfo>;
  logs(tail?: number): Promise<string>;
  stop(timeoutSeconds?: number): Promise<void>;
  start(): Promise<void>;
  restart(timeoutSeconds?: number): Promise<void>;
  kill(signal?: string): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  remove(): Promise<void>;
  connect(network: string, attachment?: NetworkAttachment): Promise<void>;
  disconnect(network: string): Promise<void>;
  /** Waits until Docker reports the health check healthy. */
  waitHealthy(timeoutMs?: number): Promise<void>;
}

/**
 * Fluent container spec, then an explicit `start()`: `container(img).named(n).withEnv({...}).start()`.
 * Images are local only (no registry here), so a missing image is an error, never a pull.
 */
export class ContainerBuilder {
  private readonly spec: Docker.ContainerCreateOptions & { HostConfig: Docker.HostConfig } = {
    HostConfig: {},
  };
  private readonly networks: Array<[string, NetworkAttachment]> = [];

  constructor(image: string) {
    this.spec.Image = image;
  }

  named(name: string): this {
    this.spec.name = name;
    return this;
  }
  withHostname(hostname: string): this {
    this.spec.Hostname = hostname;
    return this;
  }
  withLabels(labels: Record<string, string>): this {
    this.spec.Labels = { ...this.spec.Labels, ...labels };
    return this;
  }
  withEnv(env: Record<string, string>): this {
    const entries = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    this.spec.Env = [...(this.spec.Env ?? []), ...entries];
    return this;
  }
  withCommand(cmd: string[]): this {
    this.spec.Cmd = cmd;
    return this;
  }
  withEntrypoint(entrypoint: string[]): this {
    this.spec.Entrypoint = entrypoint;
    return this;
  }
  withUser(user: string): this {
    this.spec.User = user;
    return this;
  }
  /** Joins a network; the first one is attached at create time, the rest right after. */
  withNetwork(network: string, attachment: NetworkAttachment = {}): this {
    this.networks.push([network, attachment]);
    return this;
  }
  /** Resolvers written to the container's resolv.conf by Docker (on user networks via its embedded DNS). */
  withDns(servers: string[], search: string[] = []): this {
    this.spec.HostConfig.Dns = servers;
    if (search.length) this.spec.HostConfig.DnsSearch = search;
    return this;
  }
  /** Shares another container's network namespace (`container:<id>`) instead of joining networks. */
  withNetworkMode(mode: string): this {
    this.spec.HostConfig.NetworkMode = mode;
    return this;
  }
  withCapabilities(...caps: string[]): this {
    this.spec.HostConfig.CapAdd = [...(this.spec.HostConfig.CapAdd ?? []), ...caps];
    return this;
  }
  withPrivileged(): this {
    this.spec.HostConfig.Privileged = true;
    return this;
  }
  withSysctls(sysctls: Record<string, string>): this {
    this.spec.HostConfig.Sysctls = { ...this.spec.HostConfig.Sysctls, ...sysctls };
    return this;
  }
  /** A named volume or absolute host path mounted at `target`. */
  withMount(source: string, target: string, readOnly = false): this {
    this.spec.HostConfig.Binds = [
      ...(this.spec.HostConfig.Binds ?? []),
      `${source}:${target}${readOnly ? ':ro' : ''}`,
    ];
    return this;
  }
  withPublishedPort(containerPort: number, hostPort: number, hostIp = '127.0.0.1', proto = 'tcp'): this {
    const key = `${containerPort}/${proto}`;
    this.spec.ExposedPorts = { ...this.spec.ExposedPorts, [key]: {} };
    this.spec.HostConfig.PortBindings = {
      ...this.spec.HostConfig.PortBindings,
      [key]: [{ HostIp: hostIp, HostPort: String(hostPort) }],
    };
    return this;
  }
  withRestartPolicy(name: 'no' | 'always' | 'unless-stopped' | 'on-failure'): this {
    this.spec.HostConfig.RestartPolicy = { Name: name };
    return this;
  }
  withHealthcheck(cmd: string[], intervalMs = 1000, retries = 30): this {
    this.spec.Healthcheck = {
      Test: ['CMD', ...cmd],
      Interval: intervalMs * 1e6,
      Timeout: 5_000 * 1e6,
      Retries: retries,
      StartPeriod: 0,
    };
    return this;
  }
  /** Runs tini-style init as PID 1 so signals reach the process and zombies are reaped. */
  withInit(): this {
    this.spec.HostConfig.Init = true;
    return this;
  }
  withMemoryLimit(bytes: number): this {
    this.spec.HostConfig.Memory = bytes;
    return this;
  }

  async start(): Promise<StartedContainer> {
    const docker = dockerEngine();
    const [first, ...rest] = this.networks;
    if (first) {
      this.spec.HostConfig.NetworkMode = first[0];
      this.spec.NetworkingConfig = { EndpointsConfig: { [first[0]]: endpointConfig(first[1]) } };
    }
    let created: Docker.Container;
    try {
      created = await docker.createContainer(this.spec);
    } catch (error) {
      const message = (error as Error).message;
      if (/No such image/i.test(message)) {
        throw new Error(`image ${this.spec.Image} is not built: run \`npx oneclick images build\` first`);
      }
      throw new Error(`could not create container ${this.spec.name ?? this.spec.Image}: ${message}`);
    }
    const handle = startedContainer(created);
    try {
      for (const [network, attachment] of rest) await handle.connect(network, attachment);
      await created.start();
    } catch (error) {
      await created.remove({ force: true, v: true }).catch(() => undefined);
      throw new Error(
        `could not start container ${this.spec.name ?? this.spec.Image}: ${(error as Error).message}`,
      );
    }
    const info = await created.inspect();
    return startedContainer(created, info.Name.replace(/^\//, ''));
  }
}

export function container(image: string): ContainerBuilder {
  return new ContainerBuilder(image);
}

function endpointConfig(attachment: NetworkAttachment): Docker.EndpointSettings {
  return {
    ...(attachment.ip ? { IPAMConfig: { IPv4Address: attachment.ip } } : {}),
    ...(attachment.aliases ? { Aliases: attachment.aliases } : {}),
  };
}

/** Wraps an existing container (by id or name) in the same handle. */
export function containerHandle(idOrName: string): StartedContainer {
  return startedContainer(dockerEngine().getContainer(idOrName), idOrName);
}

function startedContainer(c: Docker.Container, name = c.id): StartedContainer {
  const docker = dockerEngine();
  const exec = async (cmd: string[], options: ExecOptions = {}): Promise<ExecResult> => {
    const e = await c.exec({
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: options.stdin !== undefined,
      Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
      User: options.user,
      WorkingDir: options.workdir,
    });
    const stream = await e.start({ hijack: true, stdin: options.stdin !== undefined });
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
    out.on('data', (d: Buffer) => chunks.out.push(d));
    err.on('data', (d: Buffer) => chunks.err.push(d));
    docker.modem.demuxStream(stream, out, err);
    if (options.stdin !== undefined) {
      stream.write(options.stdin);
      (stream as unknown as { end(): void }).end();
    }
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const { ExitCode } = await e.inspect();
    return {
      exitCode: ExitCode ?? -1,
      stdout: Buffer.concat(chunks.out).toString('utf8'),
      stderr: Buffer.concat(chunks.err).toString('utf8'),
    };
  };
  return {
    id: c.id,
    name,
    exec,
    async run(cmd, options) {
      const result = await exec(cmd, options);
      if (result.exitCode !== 0) {
        throw new Error(
          `\`${cmd.join(' ')}\` in ${name} exited ${result.exitCode}: ${(result.stderr || result.stdout).trim()}`,
        );
      }
      return result.stdout;
    },
    async ipOn(network) {
      const info = await c.inspect();
      const ip = info.NetworkSettings.Networks[network]?.IPAddress;
      if (!ip) throw new Error(`container ${name} has no address on network ${network}`);
      return ip;
    },
    inspect: () => c.inspect(),
    async logs(tail = 200) {
      const buf = (await c.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demuxBuffer(buf);
    },
    stop: (t = 10) => c.stop({ t }).then(() => undefined, ignoreNotRunning),
    start: () => c.start().then(() => undefined, ignoreNotRunning),
    restart: (t = 10) => c.restart({ t }).then(() => undefined),
    kill: (signal = 'SIGKILL') => c.kill({ signal }).then(() => undefined, ignoreNotRunning),
    pause: () => c.pause().then(() => undefined),
    unpause: () => c.unpause().then(() => undefined),
    remove: () => c.remove({ force: true, v: true }).then(() => undefined, ignoreNotRunning),
    connect: (network, attachment = {}) =>
      docker
        .getNetwork(network)
        .connect({ Container: c.id, EndpointConfig: endpointConfig(attachment) })
        .then(() => undefined),
    disconnect: (network) =>
      docker
        .getNetwork(network)
        .disconnect({ Container: c.id, Force: true })
        .then(() => undefined),
    async waitHealthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const info = await c.inspect();
        const health = info.State.Health?.Status;
        if (health === 'healthy') return;
        if (!info.State.Running) {
          throw new Error(`container ${name} exited (${info.State.ExitCode}) before it was healthy`);
        }
        if (Date.now() > deadline)
          throw new Error(`container ${name} not healthy after ${timeoutMs} ms (${health})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

/** Docker multiplexes stdout/stderr frames in non-TTY logs: 8-byte header, then payload. */
function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function ignoreNotRunning(error: { statusCode?: number }): void {
  if (error.statusCode === 304 || error.statusCode === 404 || error.statusCode === 409) return;
  throw error;
}
