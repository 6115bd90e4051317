/**
 * oneclick's handle on a started container: a plain object (callers spread it) whose lifecycle verbs
 * keep the container, since stop then start again is a fault, not a teardown; removal is the run's
 * label sweep. Exec goes through the engine directly: testcontainers' exec cannot feed stdin.
 */
import { PassThrough, type Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { dockerEngine } from './engine.js';
import { logText } from './logs.js';

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

export function endpointConfig(attachment: NetworkAttachment): Docker.EndpointSettings {
  return {
    ...(attachment.ip ? { IPAMConfig: { IPv4Address: attachment.ip } } : {}),
    ...(attachment.aliases ? { Aliases: attachment.aliases } : {}),
  };
}

export function startedContainer(c: Docker.Container, name = c.id): StartedContainer {
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
    const [out, err] = [new PassThrough(), new PassThrough()];
    const collected = Promise.all([text(out), text(err)]);
    docker.modem.demuxStream(stream, out, err);
    if (options.stdin !== undefined) (stream as unknown as Writable).end(options.stdin);
    await new Promise((resolve, reject) =>
      stream.once('end', resolve).once('close', resolve).once('error', reject),
    );
    out.end();
    err.end();
    const [[stdout, stderr], { ExitCode }] = await Promise.all([collected, e.inspect()]);
    return { exitCode: ExitCode ?? -1, stdout, stderr };
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
      return logText(buf);
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
        await sleep(200);
      }
    },
  };
}

function ignoreNotRunning(error: { statusCode?: number }): void {
  if (error.statusCode === 304 || error.statusCode === 404 || error.statusCode === 409) return;
  throw error;
}
