import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { promisify } from 'node:util';
import { anvilBinaryPath } from '../chain/anvil.js';
import { engineVersion } from '../docker/engine.js';

const run = promisify(execFile);

export type CheckStatus = 'ok' | 'missing' | 'warn';

export interface CheckResult {
  name: string;
  /** A required check that is not ok makes `doctor` exit 1. */
  required: boolean;
  status: CheckStatus;
  detail: string;
  /** What to do about it; empty when ok. */
  fix?: string;
}

export const MIN_NODE = [20, 19] as const;
export const MIN_FREE_DISK_BYTES = 10 * 1024 ** 3;

type Check = () => Promise<CheckResult>;

export function checkNode(version = process.versions.node): Promise<CheckResult> {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return Promise.resolve({
    name: 'node',
    required: true,
    status: ok ? 'ok' : 'missing',
    detail: `Node.js ${version}`,
    fix: ok ? undefined : `install Node.js ${MIN_NODE.join('.')} or newer`,
  });
}

export async function checkDocker(): Promise<CheckResult> {
  try {
    const version = await engineVersion();
    return { name: 'docker engine', required: true, status: 'ok', detail: `engine ${version} answers` };
  } catch (error) {
    return {
      name: 'docker engine',
      required: true,
      status: 'missing',
      detail: (error as Error).message.split(' (')[0] ?? 'no answer',
      fix: 'apt-get install -y docker.io iptables && (dockerd >/var/log/dockerd.log 2>&1 &) — or run scripts/bootstrap.sh',
    };
  }
}

export async function checkCommand(
  name: string,
  args: string[],
  required: boolean,
  fix: string,
  why: string,
): Promise<CheckResult> {
  try {
    const { stdout, stderr } = await run(name, args, { timeout: 10_000 });
    const first = `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
    return { name, required, status: 'ok', detail: first };
  } catch {
    return { name, required, status: required ? 'missing' : 'warn', detail: `not found (${why})`, fix };
  }
}

export async function checkDisk(path: string, min = MIN_FREE_DISK_BYTES): Promise<CheckResult> {
  try {
    const stats = await statfs(path);
    const free = stats.bavail * stats.bsize;
    const gib = (free / 1024 ** 3).toFixed(1);
    const ok = free >= min;
    return {
      name: `disk ${path}`,
      required: true,
      status: ok ? 'ok' : 'missing',
      detail: `${gib} GiB free`,
      fix: ok
        ? undefined
        : `free at least ${(min / 1024 ** 3).toFixed(0)} GiB (images and radicle builds need room)`,
    };
  } catch (error) {
    return { name: `disk ${path}`, required: false, status: 'warn', detail: (error as Error).message };
  }
}

export async function checkAnvil(): Promise<CheckResult> {
  try {
    const path = anvilBinaryPath();
    const { stdout } = await run(path, ['--version'], { timeout: 10_000 });
    return { name: 'anvil', required: true, status: 'ok', detail: stdout.split('\n')[0] ?? path };
  } catch (error) {
    return {
      name: 'anvil',
      required: true,
      status: 'missing',
      detail: (error as Error).message,
      fix: 'run `npm ci`',
    };
  }
}

export async function checkNetem(): Promise<CheckResult> {
  try {
    const { stdout } = await run('sh', ['-c', 'grep -qw sch_netem /proc/modules || modinfo sch_netem'], {
      timeout: 5_000,
    });
    return { name: 'netem', required: false, status: 'ok', detail: stdout.trim() || 'sch_netem available' };
  } catch {
    return {
      name: 'netem',
      required: false,
      status: 'warn',
      detail: 'no sch_netem in this kernel: latency faults use the NFQUEUE delayer instead',
    };
  }
}

export function allChecks(): Check[] {
  return [
    () => checkNode(),
    checkDocker,
    () =>
      checkCommand(
        'iptables',
        ['--version'],
        true,
        'apt-get install -y iptables',
        'dockerd and NAT routers need it',
      ),
    () => checkDisk(process.cwd()),
    checkAnvil,
    () =>
      checkCommand(
        'debootstrap',
        ['--version'],
        false,
        'apt-get install -y debootstrap',
        'builds the base image when no debian:bookworm-slim image is present',
      ),
    () =>
      checkCommand('cargo', ['--version'], false, 'install Rust (rustup)', 'builds radicle binaries once'),
    () => checkCommand('go', ['version'], false, 'install Go', 'builds the in-image helpers'),
    checkNetem,
    () =>
      checkCommand(
        'chromium',
        ['--version'],
        false,
        'apt-get install -y chromium — or run scripts/bootstrap.sh',
        'the report.html browser test needs it',
      ),
    () =>
      checkCommand(
        'k6',
        ['version'],
        false,
        'optional: put a k6 binary on PATH',
        'only for `oneclick load --k6`',
      ),
  ];
}

export async function runChecks(checks: Check[] = allChecks()): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => check()));
}
