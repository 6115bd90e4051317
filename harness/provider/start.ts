/**
 * Starts a provider under test (SPEC.md §2-3): its image (built or local), a container on the
 * `internet` network with the Docker socket and the ONECLICK_* environment, then its readiness probe.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { container, type StartedContainer } from '../docker/container.js';
import { dockerEngine } from '../docker/engine.js';
import type { Run } from '../docker/run.js';
import { providerImage, type ProviderImage } from './image.js';
import { loadProvider, type LoadedProvider, type ProviderManifest } from './manifest.js';
import { providerEnv, redactor, type ProviderWorld } from './world.js';

export const ROLE_LABEL = 'oneclick.role';
export const PROVIDER_LABEL = 'oneclick.provider';
export const DOCKER_SOCKET_TARGET = '/var/run/docker.sock';
/** Log lines a readiness failure carries. */
export const FAILURE_LOG_LINES = 50;

export interface StartProviderOptions {
  /** The provider folder (its provider.yaml is loaded), or: */
  dir?: string;
  /** an already loaded provider (loadProvider / providerFromManifest). */
  manifest?: LoadedProvider;
  world: ProviderWorld;
  /** Container name suffix: `<run>-<name>`; default `provider-<manifest name>`. */
  name?: string;
  /** Overrides the manifest's readiness.timeoutSeconds. */
  readinessTimeoutSeconds?: number;
  /**
   * Extra variables from the harness (tuning knobs of a known provider, e.g. DEPLOYER_*);
   * they may not replace the SPEC.md §3 ones.
   */
  env?: Record<string, string>;
  /** Build progress lines; default stderr. */
  onProgress?: (line: string) => void;
}

export interface ProviderHandle {
  readonly provider: LoadedProvider;
  readonly manifest: ProviderManifest;
  readonly image: ProviderImage;
  readonly container: StartedContainer;
  /** The container's name. */
  readonly name: string;
  /** Its address on the public network (re-read after every start and restart). */
  readonly address: string;
  /** How long the last start or restart took to pass the readiness probe. */
  readonly readyAfterMs: number;
  /** The last `tail` lines of its output, secrets redacted. */
  logs(tail?: number): Promise<string>;
  /** Waits for the readiness probe (throws ProviderNotReadyError with its logs). */
  waitReady(timeoutSeconds?: number): Promise<void>;
  /** Stops (SIGTERM, 10 s) and removes the container. */
  stop(): Promise<void>;
  /** Graceful restart (SIGTERM, then start), then readiness. */
  restart(): Promise<void>;
  /** Kills the container (default SIGKILL) and leaves it stopped: a controller crash. */
  kill(signal?: string): Promise<void>;
  /** Starts it again after kill(), then readiness. */
  start(): Promise<void>;
}

/** The provider did not pass its readiness probe in time, or exited; `logs` holds its last lines. */
export class ProviderNotReadyError extends Error {
  override name = 'ProviderNotReadyError';
  constructor(
    message: string,
    readonly logs: string,
  ) {
    super(message);
  }
}

/**
 * Loads (unless given), builds or checks the image, starts the provider container (labels
 * `oneclick.run=<run>`, `oneclick.role=provider`) and waits for its readiness probe. A provider that
 * is not ready in time is removed and reported with the last 50 lines of its logs (secrets redacted).
 */
export async function startProvider(run: Run, options: StartProviderOptions): Promise<ProviderHandle> {
  const { world } = options;
  if (world.runId !== run.id) {
    throw new Error(`the world belongs to run ${world.runId}, not to ${run.id}: boot it with the same run`);
  }
  const provider =
    options.manifest ?? (options.dir !== undefined ? await loadProvider(options.dir) : undefined);
  if (!provider) throw new Error('startProvider needs { dir } or { manifest }');
  const { manifest } = provider;
  const redact = redactor(world);
  const harnessEnv = providerEnv(world);
  const clashes = Object.keys(options.env ?? {}).filter((k) => k in harnessEnv);
  if (clashes.length)
    throw new Error(`options.env may not set ${clashes.join(', ')}: those come from the world`);

  const image = await providerImage(provider, options.onProgress ? { onProgress: options.onProgress } : {});
  const name = `${run.id}-${options.name ?? `provider-${manifest.name}`}`;
  const socket = await dockerSocket();
  let started: StartedContainer;
  try {
    started = await container(image.tag)
      .named(name)
      .withHostname(options.name ?? `provider-${manifest.name}`)
      .withLabels(run.labels({ [ROLE_LABEL]: 'provider', [PROVIDER_LABEL]: manifest.name }))
      .withNetwork(world.publicNetwork)
      // Docker's resolver forwards to the topology's DNS server: the provider can look up its own records.
      .withDns([world.dns.server.replace(/:\d+$/, '')], [world.dns.zone])
      .withMount(socket, DOCKER_SOCKET_TARGET)
      .withEnv({ ...manifest.env, ...options.env, ...harnessEnv })
      .withInit()
      .start();
  } catch (error) {
    throw new Error(`${provider.displayFile}: ${redact((error as Error).message)}`);
  }

  const timeoutSeconds = options.readinessTimeoutSeconds ?? provider.readinessTimeoutSeconds;
  let address = '';
  let readyAfterMs = 0;
  const logs = async (tail = 200) => redact(await started.logs(tail));
  const waitReady = async (seconds = timeoutSeconds) => {
    const began = Date.now();
    address = await started.ipOn(world.publicNetwork).catch(() => '');
    await awaitReadiness(
      started,
      provider,
      () => address,
      seconds,
      redact,
      async () => {
        address = await started.ipOn(world.publicNetwork).catch(() => address);
      },
    );
    readyAfterMs = Date.now() - began;
  };

  try {
    await waitReady();
  } catch (error) {
    await started.remove().catch(() => undefined);
    throw error;
  }

  const handle: ProviderHandle = {
    provider,
    manifest,
    image,
    container: started,
    name,
    get address() {
      return address;
    },
    get readyAfterMs() {
      return readyAfterMs;
    },
    logs,
    waitReady,
    async stop() {
      await started.stop(10).catch(() => undefined);
      await started.remove();
    },
    async restart() {
      await started.restart();
      await waitReady();
    },
    kill: (signal) => started.kill(signal),
    async start() {
      await started.start();
      await waitReady();
    },
  };
  return handle;
}

/** The engine's socket on this host (what the provider gets at /var/run/docker.sock). */
async function dockerSocket(): Promise<string> {
  const modem = dockerEngine().modem as { socketPath?: unknown; host?: unknown };
  // docker-modem keeps a function that finds the default socket when DOCKER_HOST is not set.
  const path: unknown =
    typeof modem.socketPath === 'function' ? await (modem.socketPath as () => unknown)() : modem.socketPath;
  if (typeof path === 'string' && path) return path;
  throw new Error(
    `the Docker engine is reached over ${String(modem.host ?? 'a non-socket transport')} (DOCKER_HOST), ` +
      'not a local socket: a provider needs the engine socket mounted',
  );
}

async function awaitReadiness(
  c: StartedContainer,
  provider: LoadedProvider,
  address: () => string,
  timeoutSeconds: number,
  redact: (text: string) => string,
  refresh: () => Promise<void>,
): Promise<void> {
  const { readiness } = provider.manifest;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const probe =
    'http' in readiness
      ? `GET http://<address>:${readiness.http.port}${readiness.http.path}`
      : `exec ${JSON.stringify(readiness.exec)}`;
  let last = 'no attempt yet';
  const fail = async (why: string): Promise<never> => {
    const tail = redact(
      await c.logs(FAILURE_LOG_LINES).catch((e: Error) => `(logs unavailable: ${e.message})`),
    );
    const body = tail.trimEnd() || '(no output)';
    throw new ProviderNotReadyError(
      `provider ${provider.manifest.name} (${provider.displayFile}) ${why}\n` +
        `--- last ${FAILURE_LOG_LINES} lines of its logs ---\n${body}\n--- end of logs ---`,
      tail,
    );
  };
  for (;;) {
    const info = await c.inspect();
    if (!info.State.Running) {
      return fail(`exited (code ${info.State.ExitCode}) before it was ready (${probe}: ${last})`);
    }
    if (!address()) await refresh();
    const remaining = deadline - Date.now();
    const attemptMs = Math.max(250, Math.min(3000, remaining));
    const result =
      'http' in readiness
        ? await httpProbe(`http://${address()}:${readiness.http.port}${readiness.http.path}`, attemptMs)
        : await execProbe(c, readiness.exec, attemptMs);
    if (result === true) return;
    last = redact(result);
    if (Date.now() >= deadline) {
      return fail(
        `was not ready after ${timeoutSeconds} s: ${probe.replace('<address>', address())}: ${last}`,
      );
    }
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
}

/** True on a 2xx answer, else what happened. */
async function httpProbe(url: string, timeoutMs: number): Promise<true | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel().catch(() => undefined);
    return response.ok ? true : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if ((error as Error).name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

async function execProbe(c: StartedContainer, cmd: string[], timeoutMs: number): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no exit within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const result = await Promise.race([
      c
        .exec(cmd)
        .then((r) =>
          r.exitCode === 0 ? (true as const) : `exit ${r.exitCode}${tailOf(r.stderr || r.stdout)}`,
        ),
      timeout,
    ]);
    return result;
  } catch (error) {
    return (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

function tailOf(text: string): string {
  const line = text.trim().split('\n').pop()?.trim();
  return line ? `: ${line.slice(0, 200)}` : '';
}
