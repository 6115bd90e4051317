import { describe, expect, it } from 'vitest';
import { checkDisk, checkNode, runChecks } from '../../harness/doctor/checks.js';
import { runCli } from '../helpers/cli.js';

describe('oneclick doctor', () => {
  it('passes every required check on a prepared machine (engine up, iptables, anvil, disk)', async () => {
    const result = await runCli(['doctor', '--json']);
    const checks = JSON.parse(result.stdout) as Array<{ name: string; required: boolean; status: string }>;
    const failedRequired = checks.filter((c) => c.required && c.status !== 'ok');
    expect(failedRequired).toEqual([]);
    expect(result.code).toBe(0);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['node', 'docker engine', 'iptables', 'anvil']),
    );
  });

  it('exits 1 and says how to start the engine when the Docker engine does not answer', async () => {
    const result = await runCli(['doctor'], { DOCKER_HOST: 'unix:///nonexistent/oneclick-docker.sock' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+docker engine/);
    expect(result.stdout).toContain('dockerd');
    expect(result.stderr).toContain('required check(s) failed: docker engine');
  });

  it('flags a Node.js older than 20.19 and a disk with less free space than needed', async () => {
    expect((await checkNode('18.20.0')).status).toBe('missing');
    expect((await checkNode('20.19.0')).status).toBe('ok');
    expect((await checkNode('22.1.0')).status).toBe('ok');
    const disk = await checkDisk(process.cwd(), Number.MAX_SAFE_INTEGER);
    expect(disk.status).toBe('missing');
    expect(disk.fix).toMatch(/free at least/);
  });

  it('reports optional tools as warnings, never as failures', async () => {
    const results = await runChecks();
    for (const r of results.filter((c) => !c.required)) expect(r.status).not.toBe('missing');
  });
});
