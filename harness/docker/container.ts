/**
 * Containers the harness starts, through testcontainers' GenericContainer: its fluent builder and
 * `start()`, plus the few engine settings it has no verb for (a static address on a network we
 * created, resolvers, sysctls, an init process). Ryuk stays off: our own `oneclick.run` labels and
 * the sweep own cleanup, and nothing can be pulled here.
 */
import type Docker from 'dockerode';
import { GenericContainer } from 'testcontainers';
import { dockerEngine } from './engine.js';
import { endpointConfig, startedContainer, type NetworkAttachment, type StartedContainer } from './handle.js';

// Read by testcontainers when a container starts: no reaper container, and no helper container to
// find the engine's host (it runs one when this process is itself in a container).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

export type { ExecOptions, ExecResult, NetworkAttachment, StartedContainer } from './handle.js';

/** GenericContainer plus the engine settings it has no verb for. */
class LocalContainer extends GenericContainer {
  readonly networks: Array<[string, NetworkAttachment]> = [];
  createdId: string | undefined;

  joinNetwork(name: string, attachment: NetworkAttachment): void {
    if (this.networks.length === 0) {
      this.withNetworkMode(name);
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [name]: endpointConfig(attachment) } };
    }
    this.networks.push([name, attachment]);
  }
  withHostSettings(settings: Docker.HostConfig): this {
    Object.assign(this.hostConfig, settings);
    return this;
  }
  get sysctls(): Record<string, string> {
    return this.hostConfig.Sysctls ?? {};
  }
  get image(): string {
    return this.createOpts.Image!;
  }
  get name(): string {
    return this.createOpts.name ?? this.image;
  }

  // Before the start: the networks after the first (Docker creates a container on one).
  protected override async containerCreated(id: string): Promise<void> {
    this.createdId = id;
    const handle = startedContainer(dockerEngine().getContainer(id), id);
    for (const [network, attachment] of this.networks.slice(1)) await handle.connect(network, attachment);
  }
}

/**
 * Fluent container spec, then an explicit `start()`: `container(img).named(n).withEnv({...}).start()`.
 * Each verb is testcontainers' own; `start` returns oneclick's handle.
 */
export class ContainerBuilder {
  private readonly spec: LocalContainer;

  constructor(image: string) {
    this.spec = new LocalContainer(image);
  }

  named(name: string): this {
    return this.set(() => this.spec.withName(name));
  }
  withHostname(hostname: string): this {
    return this.set(() => this.spec.withHostname(hostname));
  }
  withLabels(labels: Record<string, string>): this {
    return this.set(() => this.spec.withLabels(labels));
  }
  withEnv(env: Record<string, string>): this {
    return this.set(() => this.spec.withEnvironment(env));
  }
  withCommand(cmd: string[]): this {
    return this.set(() => this.spec.withCommand(cmd));
  }
  /** Joins a network (created by us, by name); the first one at create time, the rest right after. */
  withNetwork(network: string, attachment: NetworkAttachment = {}): this {
    return this.set(() => this.spec.joinNetwork(network, attachment));
  }
  /** Shares another container's network namespace (`container:<id>`) instead of joining networks. */
  withNetworkMode(mode: string): this {
    return this.set(() => this.spec.withNetworkMode(mode));
  }
  /** Resolvers written to the container's resolv.conf by Docker (on user networks via its embedded DNS). */
  withDns(servers: string[], search: string[] = []): this {
    return this.set(() =>
      this.spec.withHostSettings({ Dns: servers, ...(search.length && { DnsSearch: search }) }),
    );
  }
  withCapabilities(...caps: string[]): this {
    return this.set(() => this.spec.withAddedCapabilities(...caps));
  }
  withSysctls(sysctls: Record<string, string>): this {
    return this.set(() => this.spec.withHostSettings({ Sysctls: { ...this.spec.sysctls, ...sysctls } }));
  }
  /** A named volume or absolute host path mounted at `target`. */
  withMount(source: string, target: string, readOnly = false): this {
    return this.set(() => this.spec.withBindMounts([{ source, target, mode: readOnly ? 'ro' : 'rw' }]));
  }
  /** Runs tini-style init as PID 1 so signals reach the process and zombies are reaped. */
  withInit(): this {
    return this.set(() => this.spec.withHostSettings({ Init: true }));
  }

  /** Images are local only (no registry here), so a missing image is an error, never a pull. */
  async start(): Promise<StartedContainer> {
    const { spec } = this;
    const docker = dockerEngine();
    const image = await docker
      .getImage(spec.image)
      .inspect()
      .catch(() => undefined);
    if (!image) throw new Error(`image ${spec.image} is not built: run \`npx oneclick images build\` first`);
    try {
      const started = await spec.start();
      return startedContainer(docker.getContainer(started.getId()), started.getName().replace(/^\//, ''));
    } catch (error) {
      if (spec.createdId)
        await docker
          .getContainer(spec.createdId)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      const verb = spec.createdId ? 'start' : 'create';
      throw new Error(`could not ${verb} container ${spec.name}: ${(error as Error).message}`);
    }
  }

  private set(change: () => unknown): this {
    change();
    return this;
  }
}

export function container(image: string): ContainerBuilder {
  return new ContainerBuilder(image);
}
