import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEngine, startRun, type Run } from '../../harness/docker/index.js';
import { contains, hostAt, parseCidr } from '../../harness/net/index.js';
import {
  loadProvider,
  providerEnv,
  providerFromManifest,
  PROVIDER_ENV_NAMES,
  ProviderNotReadyError,
  startProvider,
  worldSummary,
  type LoadedProvider,
  type ProviderHandle,
} from '../../harness/provider/index.js';
import { bootWorld, type BootedWorld } from '../../harness/world/index.js';
import { leftovers } from '../net/probes.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));

let run: Run;
let booted: BootedWorld;
let envEcho: LoadedProvider;
let provider: ProviderHandle;
/** Everything the harness printed or threw during this file: checked for the TSIG secret at the end. */
const printed: string[] = [];
const restore: Array<() => void> = [];

function capture(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  restore.push(() => (stream.write = original as typeof stream.write));
}

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://${provider.address}:9100${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  printed.push((error as Error).message);
  return error as Error;
}

beforeAll(async () => {
  capture(process.stdout);
  capture(process.stderr);
  run = startRun('provtest');
  booted = await bootWorld(run, { topology: { cluster: false }, confirmations: 1, graceBlocks: 5 });
  envEcho = await loadProvider(join(FIXTURES, 'env-echo'));
  provider = await startProvider(run, {
    manifest: envEcho,
    world: booted.world,
    onProgress: (line) => printed.push(line),
  });
});

afterAll(async () => {
  for (const undo of restore) undo();
  if (!run) return;
  await run.dispose();
  expect(await leftovers(run.id)).toEqual([]);
});

describe('startProvider with a real provider (env-echo)', () => {
  it('builds the image from the provider context and starts it on the internet network, labelled', async () => {
    expect(provider.image.tag).toMatch(/^oneclick-provider\/env-echo:[0-9a-f]{12}$/);
    expect(provider.name).toBe(`${run.id}-provider-env-echo`);
    const internet = booted.topology.internet;
    expect(contains(parseCidr(internet.subnet), provider.address)).toBe(true);
    expect(provider.readyAfterMs).toBeLessThan(30_000);
    const info = await provider.container.inspect();
    expect(info.Config.Labels).toMatchObject({ 'oneclick.run': run.id, 'oneclick.role': 'provider' });
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([internet.name]);
    expect(info.Mounts.map((m) => m.Destination)).toContain('/var/run/docker.sock');
    // A second start of the same provider is a cache hit, not a rebuild.
    const lines: string[] = [];
    const again = await startProvider(run, {
      manifest: envEcho,
      world: booted.world,
      name: 'provider-env-echo-2',
      onProgress: (line) => lines.push(line),
    });
    expect(again.image).toEqual({ ...provider.image, built: false });
    expect(lines.some((l) => l.includes('cached'))).toBe(true);
    await again.stop();
    expect(await dockerEngine().listContainers({ all: true, filters: { name: [again.name] } })).toHaveLength(
      0,
    );
  });

  it('hands the provider every ONECLICK_* variable of SPEC.md §3, and the manifest env', async () => {
    const { status, body } = await get('/env');
    expect(status).toBe(200);
    const seen = body as { names: string[]; values: Record<string, string>; extra: Record<string, string> };
    expect(seen.names).toEqual([...PROVIDER_ENV_NAMES].sort());
    const expected = providerEnv(booted.world);
    const { ONECLICK_DNS_TSIG: _secret, ...publicValues } = expected;
    expect(seen.values).toEqual(publicValues);
    expect(seen.values).toMatchObject({
      ONECLICK_CHAIN_ID: String(booted.chain.chainId),
      ONECLICK_PROVIDER_ADDRESS: booted.deployment.ethProvider,
      ONECLICK_ORG_FACTORY_ADDRESS: booted.deployment.orgFactory,
      ONECLICK_CONFIRMATIONS: '1',
      ONECLICK_GRACE_BLOCKS: '5',
      ONECLICK_DNS_SERVER: booted.topology.dns.address,
      ONECLICK_DNS_ZONE: 'oneclick.test',
      ONECLICK_PUBLIC_NETWORK: booted.topology.internet.name,
      ONECLICK_RUN_ID: run.id,
      ONECLICK_RPC_URL: `http://${booted.topology.internet.gateway}:${booted.chain.port}`,
    });
    expect(seen.extra).toEqual({ ECHO_GREETING: 'hello from the manifest', ECHO_PORT: '9100' });
  });

  it('reaches the chain from inside the container (eth_chainId on ONECLICK_RPC_URL)', async () => {
    const { status, body } = await get('/chain-id');
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: `0x${booted.chain.chainId.toString(16)}` });
  });

  it('resolves through the DNS server, also records added after it started', async () => {
    const zone = booted.world.dns.zone;
    expect((await get(`/resolve?name=ns.${zone}`)).body).toEqual({
      rcode: 0,
      addresses: [booted.topology.dns.address],
    });
    const address = hostAt(parseCidr(booted.topology.internet.subnet), 20);
    await booted.topology.dnsUpdate({ add: { type: 'A', name: 'probe', address } });
    expect((await get(`/resolve?name=probe.${zone}`)).body).toEqual({ rcode: 0, addresses: [address] });
  });

  it('survives kill + start and restart (controller-restart scenarios), ready each time', async () => {
    await provider.kill();
    expect((await provider.container.inspect()).State.Running).toBe(false);
    await provider.start();
    expect((await get('/healthz')).status).toBe(200);
    await provider.restart();
    expect((await get('/healthz')).status).toBe(200);
    expect(await provider.logs()).toMatch(/env-echo: listening on 9100 with 13 ONECLICK_\* variables/);
  });

  it('waits for an exec readiness probe too', async () => {
    const exec = await providerFromManifest(
      {
        ...envEcho.manifest,
        name: 'env-echo-exec',
        readiness: {
          exec: ['perl', '-MIO::Socket::INET', '-e', 'IO::Socket::INET->new("127.0.0.1:9100") or exit 1'],
          timeoutSeconds: 30,
        },
      },
      envEcho.dir,
    );
    const handle = await startProvider(run, {
      manifest: exec,
      world: booted.world,
      onProgress: () => undefined,
    });
    expect(handle.readyAfterMs).toBeLessThan(30_000);
    await handle.stop();
  });

  it('a provider that never becomes ready fails after its timeout, with its last 50 log lines, redacted', async () => {
    const error = await failure(
      startProvider(run, {
        dir: join(FIXTURES, 'never-ready'),
        world: booted.world,
        onProgress: (line) => printed.push(line),
      }),
    );
    expect(error).toBeInstanceOf(ProviderNotReadyError);
    expect(error.message).toMatch(
      /^provider never-ready \(.*never-ready\/provider\.yaml\) was not ready after 3 s: GET http:\/\/198\.51\.100\.\d+:9100\/healthz: ECONNREFUSED\n/,
    );
    expect(error.message).toContain('--- last 50 lines of its logs ---');
    expect(error.message).toContain('never-ready: log line 12\n');
    expect(error.message).toContain('never-ready: log line 60\n');
    expect(error.message).not.toContain('never-ready: log line 11\n');
    expect(error.message).toContain('never-ready: my key is [redacted]');
    // It is removed, not left running.
    const left = await dockerEngine().listContainers({
      all: true,
      filters: { label: [`oneclick.run=${run.id}`, 'oneclick.provider=never-ready'] },
    });
    expect(left).toHaveLength(0);
  });

  it('names the manifest when its image is not a local image', async () => {
    const missing = await providerFromManifest({
      ...envEcho.manifest,
      name: 'missing-image',
      build: undefined,
      image: 'oneclick/provider-missing:nope',
    });
    const error = await failure(startProvider(run, { manifest: missing, world: booted.world }));
    expect(error.message).toMatch(
      /^<manifest missing-image>:\d+:\d+: image: no local image "oneclick\/provider-missing:nope" \(nothing is pulled here/,
    );
  });

  it('never shows the TSIG secret: not in printed output, errors, logs, summaries or the handle', async () => {
    const secret = booted.world.dns.tsig.secret;
    expect(secret.length).toBeGreaterThan(20);
    printed.push(await provider.logs(1000));
    printed.push(JSON.stringify(worldSummary(booted.world)));
    printed.push(JSON.stringify({ ...provider, container: undefined }));
    printed.push(JSON.stringify(booted.world));
    for (const text of printed) expect(text).not.toContain(secret);
  });

  it('stop removes the provider container', async () => {
    await provider.stop();
    const left = await dockerEngine().listContainers({
      all: true,
      filters: { label: [`oneclick.run=${run.id}`, 'oneclick.role=provider'] },
    });
    expect(left).toEqual([]);
  });
});
