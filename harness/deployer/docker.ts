/**
 * The deployer's few Docker operations over dockerode (the engine socket, or DOCKER_HOST). Kept
 * here, not borrowed from the harness: the reference provider ships alone.
 */
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';

export const RUN_LABEL = 'oneclick.run';
export const ORG_LABEL = 'oneclick.org';
export const ROLE_LABEL = 'oneclick.role';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function engine(): Docker {
  return new Docker();
}

/** Runs `cmd` in a running container; `stdin` (e.g. a secret) is written to it and never appears in argv or env. */
export async function execIn(
  docker: Docker,
  containerId: string,
  cmd: string[],
  stdin?: string,
): Promise<ExecResult> {
  const e = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: stdin !== undefined,
  });
  const stream = await e.start({ hijack: true, stdin: stdin !== undefined });
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (d: Buffer) => chunks.out.push(d));
  err.on('data', (d: Buffer) => chunks.err.push(d));
  docker.modem.demuxStream(stream, out, err);
  if (stdin !== undefined) {
    stream.write(stdin);
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
}

/** Like execIn, but a non-zero exit throws with (the end of) its output. */
export async function runIn(
  docker: Docker,
  containerId: string,
  cmd: string[],
  stdin?: string,
): Promise<string> {
  const r = await execIn(docker, containerId, cmd, stdin);
  if (r.exitCode !== 0) {
    const text = (r.stderr || r.stdout).trim().slice(-600);
    throw new Error(`\`${cmd[0]} ${cmd[1] ?? ''}\` exited ${r.exitCode}: ${text}`);
  }
  return r.stdout;
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Inspect, or undefined when there is no such container. */
export async function inspectContainer(
  docker: Docker,
  idOrName: string,
): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(idOrName).inspect();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Removes a container (forced); gone already counts as done. */
export async function removeContainer(docker: Docker, idOrName: string): Promise<void> {
  try {
    await docker.getContainer(idOrName).remove({ force: true });
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
    // 409: removal already in progress; wait for it to finish.
    if (statusOf(error) === 409) await waitGone(docker, idOrName);
  }
}

async function waitGone(docker: Docker, idOrName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await inspectContainer(docker, idOrName)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`container ${idOrName} is still there after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates a named volume with labels; an existing one of that name is reused (Docker's own semantics). */
export async function ensureVolume(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  await docker.createVolume({ Name: name, Labels: labels });
}

export async function removeVolume(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove({ force: true });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** The container's IPv4 address on `network`, if attached. */
export function addressOn(info: Docker.ContainerInspectInfo, network: string): string | undefined {
  const nets = info.NetworkSettings.Networks;
  const entry = nets[network] ?? Object.values(nets).find((n) => n.NetworkID === network);
  return entry?.IPAddress || undefined;
}

/** Starts a created or stopped container; an already running one is fine. */
export async function startContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).start();
  } catch (error) {
    if (statusOf(error) !== 304) throw error;
  }
}
