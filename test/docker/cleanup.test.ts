import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dockerEngine,
  RUN_LABEL,
  startRun,
  createNetwork,
  createVolume,
  removeRun,
} from '../../harness/docker/index.js';
import { sweepStaleRuns } from '../../harness/docker/sweep.js';

const childScript = new URL('./child-run.ts', import.meta.url).pathname;

async function resourcesOf(runId: string) {
  const docker = dockerEngine();
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return containers.length + networks.length + volumes.length;
}

function startChild(subnet: string): Promise<{ child: ChildProcessWithoutNullStreams; runId: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, subnet], { stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, runId: line.trim() });
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code} before it was ready: ${err}`)));
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

const started: string[] = [];
afterAll(async () => {
  for (const id of started) await removeRun(id);
});

describe('run cleanup', () => {
  it('dispose removes every network and volume labelled with the run', async () => {
    const run = startRun('t');
    started.push(run.id);
    await createNetwork({ name: `${run.id}-net`, subnet: '10.230.0.0/24', labels: run.labels() });
    await createVolume(`${run.id}-vol`, run.labels());
    expect(await resourcesOf(run.id)).toBe(2);
    const removed = await run.dispose();
    expect(removed).toMatchObject({ networks: 1, volumes: 1 });
    expect(await resourcesOf(run.id)).toBe(0);
  });

  it('Ctrl-C (SIGINT) on a running process removes what its run created before it exits', async () => {
    const { child, runId } = await startChild('10.231.0.0/24');
    started.push(runId);
    expect(await resourcesOf(runId)).toBe(2);
    const exit = exited(child);
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(await resourcesOf(runId)).toBe(0);
  });

  it('a crashed (SIGKILLed) run is swept on the next start, while a live run is left alone', async () => {
    const crashed = await startChild('10.232.0.0/24');
    const live = await startChild('10.233.0.0/24');
    started.push(crashed.runId, live.runId);
    const dead = exited(crashed.child);
    crashed.child.kill('SIGKILL');
    await dead;
    expect(await resourcesOf(crashed.runId)).toBe(2);

    const swept = await sweepStaleRuns();
    expect(swept).toContain(crashed.runId);
    expect(swept).not.toContain(live.runId);
    expect(await resourcesOf(crashed.runId)).toBe(0);
    expect(await resourcesOf(live.runId)).toBe(2);

    const liveExit = exited(live.child);
    live.child.kill('SIGTERM');
    expect(await liveExit).toBe(143);
    expect(await resourcesOf(live.runId)).toBe(0);
  });
});
