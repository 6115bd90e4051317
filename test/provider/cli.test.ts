import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dockerEngine } from '../../harness/docker/index.js';
import { CLI, runCli } from '../helpers/cli.js';
import { leftovers } from '../net/probes.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));
const fixture = (name: string) => relative(process.cwd(), join(FIXTURES, name));

interface StartSummary {
  runId: string;
  chain: { rpcUrl: string; wsUrl: string; chainId: number };
  hostRpcUrl: string;
  contracts: Record<string, string>;
  dns: { server: string; zone: string; tsigKeyName: string; tsigAlgorithm: string };
  publicNetwork: string;
  provider: { name: string; container: string; address: string; image: string };
}

describe('oneclick provider check', () => {
  it('prints "ok" and exits 0 for a valid provider', async () => {
    const r = await runCli(['provider', 'check', fixture('env-echo')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok: env-echo 0.1.0 (${fixture('env-echo')}/provider.yaml, build .)\n`);
  });

  it('prints every problem with file:line:column and exits 2', async () => {
    const r = await runCli(['provider', 'check', fixture('unknown-field')]);
    expect(r.code).toBe(2);
    const file = `${fixture('unknown-field')}/provider.yaml`;
    expect(r.stdout.trim().split('\n')).toEqual([
      `${file}:5:1: runtme: unknown field (did you mean "runtime"?)`,
      `${file}:8:3: readiness.timeout: unknown field (did you mean "timeoutSeconds"?)`,
      expect.stringMatching(new RegExp(`^${file}:9:1: colour: unknown field`)),
    ]);
    expect(r.stderr).toContain('3 problem(s)');
    const missing = await runCli(['provider', 'check', fixture('no-manifest')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('provider.yaml: missing');
  });
});

describe('oneclick provider start', () => {
  it('refuses an invalid provider before booting anything (exit 2)', async () => {
    const r = await runCli(['provider', 'start', fixture('wrong-runtime')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${fixture('wrong-runtime')}/provider.yaml:4:10: runtime: must be "docker", got "k8s"`,
    );
  });

  it('boots the world, starts the provider, prints a summary without the TSIG secret; Ctrl-C removes everything', async () => {
    const child = spawn(process.execPath, [CLI, 'provider', 'start', fixture('env-echo')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const summary = await new Promise<StartSummary>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        try {
          resolve(JSON.parse(stdout) as StartSummary);
        } catch {
          // not a whole JSON document yet
        }
      });
      void exited.then((code) => reject(new Error(`provider start exited ${code}:\n${stderr}`)));
    });
    try {
      expect(summary.provider).toMatchObject({
        name: 'env-echo',
        container: `${summary.runId}-provider-env-echo`,
      });
      expect(summary.dns).toMatchObject({ zone: 'oneclick.test', tsigKeyName: 'oneclick-update' });
      expect(summary.chain.rpcUrl).toMatch(/^http:\/\/(198\.51\.100|203\.0\.113)\.\d+:\d+$/);
      expect(summary.contracts.provider).toBe(summary.contracts.ethProvider);
      const health = await fetch(`http://${summary.provider.address}:9100/healthz`);
      expect(health.status).toBe(200);
      const chainId = await fetch(`http://${summary.provider.address}:9100/chain-id`).then((r) => r.json());
      expect(chainId).toMatchObject({ result: '0x7a69' });

      // The secret, read here only to prove it was never printed.
      const info = await dockerEngine().getContainer(summary.provider.container).inspect();
      const tsig = (info.Config.Env ?? []).find((e) => e.startsWith('ONECLICK_DNS_TSIG='))!.split('=')[1]!;
      const secret = tsig.split(':').slice(2).join(':');
      expect(secret.length).toBeGreaterThan(20);
      await new Promise((r) => setTimeout(r, 500)); // let the followed logs arrive
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
      expect(stderr).toContain('[provider] env-echo: GET /chain-id -> 200');
    } finally {
      child.kill('SIGINT');
    }
    expect([0, 130]).toContain(await exited);
    expect(await leftovers(summary.runId)).toEqual([]);
  });
});
