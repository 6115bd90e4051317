/**
 * `oneclick up` with the reference provider, driven from a real headless browser (Debian's Chromium
 * through playwright-core) and from `oneclick world`: one world for the whole file. A new org topped
 * up by the button turns served with its NID; the CLI's top-up gives the same result; a killed node
 * comes back with the same NID; mining to grace end makes it gone; bad input changes nothing; the API
 * wants its token, which no URL and no output carries; Ctrl-C removes everything. A screenshot is kept
 * in reports/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEngine } from '../../harness/docker/engine.js';
import { RUN_LABEL } from '../../harness/docker/labels.js';
import { orgContainers } from '../../harness/outside/index.js';
import { findWorld, type WorldFile } from '../../harness/playground/state.js';
import { loadProfile } from '../../harness/scenario/profile.js';
import { launchChromium } from '../helpers/chromium.js';
import { CLI, runCli } from '../helpers/cli.js';

const REPORTS = join(process.cwd(), 'reports');
const SCREENSHOT = join(REPORTS, 'playground-dashboard.png');
const profile = loadProfile('default');
/** Seconds the dashboard may take beyond a deadline to see what happened (it observes every second). */
const SLACK = 15;

let work: string;
let env: Record<string, string>;
let up: ChildProcess;
let out = '';
let world: WorldFile;
let summary: { runId: string; orgs: Record<string, string>; provider: { container: string } };
let browser: BrowserContext;
let page: Page;
const problems: string[] = [];
const external: string[] = [];
const timing: Record<string, number> = {};

async function bootUp(): Promise<{ url: string }> {
  const t0 = performance.now();
  up = spawn(process.execPath, [CLI, 'up', '--peers', '2', '--orgs', '0', '--block-time', '5'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  up.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?ticket=[0-9a-f]+)/.exec(out);
      if (m && /\n\}\n/.test(out.slice(m.index))) resolve(m[1]!);
    };
    up.stdout!.on('data', check);
    up.on('exit', (code) => reject(new Error(`oneclick up exited ${code}:\n${out}`)));
  });
  timing.upToUrlSeconds = Math.round(performance.now() - t0) / 1000;
  const json = out.slice(out.indexOf('{', out.indexOf('dashboard: ')));
  summary = JSON.parse(json.slice(0, json.indexOf('\n}\n') + 2)) as typeof summary;
  world = await findWorld(summary.runId);
  browser = await launchChromium(work);
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(`http://127.0.0.1:${world.port}/`)) external.push(r.url());
  });
  await page.goto(url);
  // expect.poll is for tests; this is the hook: wait in the page until it is live with a head.
  await page.waitForFunction(
    "document.getElementById('live').textContent === 'live' && /^\\d+$/.test(document.getElementById('head').textContent)",
    undefined,
    { timeout: 30_000 },
  );
  timing.upToUsableDashboardSeconds = Math.round(performance.now() - t0) / 1000;
  return { url };
}

const row = (org: string) => page.locator(`#orgs tr[data-org="${org}"]`);
const stateOf = (org: string) =>
  row(org)
    .getAttribute('data-state', { timeout: 1000 })
    .catch(() => null);
const nidOf = (org: string) => row(org).locator('[data-field="nid"]').textContent();
const resultText = () => page.locator('#result').textContent();

async function waitState(org: string, state: string, seconds: number): Promise<void> {
  await expect.poll(() => stateOf(org), { timeout: (seconds + SLACK) * 1000, interval: 500 }).toBe(state);
}

/** What a finished action said in the dashboard (the line under the buttons). */
async function buttonResult(): Promise<string> {
  await expect.poll(resultText, { timeout: 180_000 }).not.toMatch(/…$/);
  return (await resultText()) ?? '';
}

async function world_(...args: string[]) {
  const r = await runCli(['world', ...args], env, 240_000);
  return { ...r, json: r.code === 0 && r.stdout.trim().startsWith('{') ? JSON.parse(r.stdout) : undefined };
}

function status(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function apiWorld(): Promise<{ orgs: Array<{ name: string; expiry: number }> }> {
  const res = await fetch(`http://127.0.0.1:${world.port}/api/world`, {
    headers: { authorization: `Bearer ${world.token}` },
  });
  return (await res.json()) as { orgs: Array<{ name: string; expiry: number }> };
}

/** Clicks a dashboard control and expects its action's line, no error. */
async function clicked(control: Locator, expected: RegExp): Promise<void> {
  await control.click();
  expect(await buttonResult()).toMatch(expected);
  expect(await page.locator('#result').getAttribute('class')).not.toBe('error');
}

async function startedAt(org: string): Promise<string> {
  const [c] = await orgContainers(summary.runId, (await findOrgs())[org]! as `0x${string}`, { all: true });
  const info = await dockerEngine().getContainer(c!.Id).inspect();
  return info.State.StartedAt;
}

async function findOrgs(): Promise<Record<string, string>> {
  const r = await world_('status');
  return Object.fromEntries(
    (r.json.orgs as Array<{ name: string; address: string }>).map((o) => [o.name, o.address]),
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'oneclick-playground-'));
  env = { ONECLICK_WORLDS_DIR: join(work, 'worlds') };
  process.env.ONECLICK_WORLDS_DIR = env.ONECLICK_WORLDS_DIR;
  await bootUp();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  if (up && up.exitCode === null) {
    const exited = new Promise((resolve) => up.once('exit', resolve));
    up.kill('SIGINT');
    await exited;
  }
  await rm(work, { recursive: true, force: true });
  await mkdir(REPORTS, { recursive: true });
  await writeFile(join(REPORTS, 'playground-timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
}, 300_000);

describe('oneclick up: the dashboard and oneclick world on one world', () => {
  it('shows a live dashboard on 127.0.0.1 that wants the world token, which no URL or output carries', async () => {
    console.log(`oneclick up → usable dashboard: ${timing.upToUsableDashboardSeconds} s`);
    expect(await page.locator('#run').textContent()).toBe(summary.runId);
    expect(await page.locator('#peers tr[data-peer]').count()).toBe(2);
    expect(await page.locator('#topology rect').count()).toBeGreaterThan(2);
    const file = join(env.ONECLICK_WORLDS_DIR!, `${summary.runId}.json`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(out).not.toContain(world.token);
    expect(page.url()).not.toContain(world.token);
    expect(await status(world.port, '/api/world')).toBe(401);
    expect(await status(world.port, '/api/world', { authorization: 'Bearer nope' })).toBe(401);
    expect(await status(world.port, '/api/world', { authorization: `Bearer ${world.token}` })).toBe(200);
    expect(
      await status(world.port, '/api/world', { authorization: `Bearer ${world.token}`, host: 'evil.test' }),
    ).toBe(421);
    expect(await status(world.port, '/openapi.json')).toBe(200);
    const used = /dashboard: (\S+)/.exec(out)![1]!;
    expect(await status(world.port, new URL(used).pathname + new URL(used).search)).toBe(403); // spent
  });

  it('tops up a new org from the button: it turns served with its NID shown', async () => {
    await page.locator('#new-org').click();
    expect(await buttonResult()).toMatch(/^top-up org1 \(1 package\) in block \d+ \(\d+ ms\) ✓$/);
    await waitState('org1', 'served', profile.deadlines.provision);
    expect(await nidOf('org1')).toMatch(/^z6Mk\w+$/);
    // Served needs the probe's fresh handshake, so the same snapshot shows it.
    expect(await row('org1').locator('[data-field="p2p"]').textContent()).toBe('ok');
    expect(await row('org1').locator('[data-field="port"]').textContent()).toMatch(/^\d+$/);
  });

  it('gives the same result from oneclick world top-up as from the button', async () => {
    const r = await world_('top-up', 'org2', '--new', '--currency', 'eth');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.summary).toMatch(/^top-up org2 \(1 package\) in block \d+$/);
    expect(r.json.check.holds).toBe(true);
    await waitState('org2', 'served', profile.deadlines.provision);
    expect(await nidOf('org2')).toMatch(/^z6Mk\w+$/);
    expect(await nidOf('org2')).not.toBe(await nidOf('org1'));
    const s = await world_('status');
    expect(s.json.orgs.map((o: { state: string }) => o.state)).toEqual(['served', 'served']);
  });

  it('times peer operations through the API, as the k6 scripts call them', async () => {
    const api = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${world.port}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    const dial = await api('/api/peers/peer1/dial', { org: 'org1' });
    expect(dial.status, JSON.stringify(dial.json)).toBe(200);
    expect(dial.json.ms).toBeGreaterThan(0);
    expect(dial.json.nid).toBe(await nidOf('org1'));
    const push = await api('/api/peers/peer1/push', { repo: 'k6-vu1', org: 'org1' });
    expect(push.status, JSON.stringify(push.json)).toBe(200);
    expect(push.json.head).toMatch(/^[0-9a-f]{40}$/);
    const wait = await api('/api/peers/peer2/wait-ref', {
      org: 'org1',
      repo: 'k6-vu1',
      seconds: profile.deadlines.replicate,
    });
    expect(wait.status, JSON.stringify(wait.json)).toBe(200);
    expect(wait.json.holds, JSON.stringify(wait.json.observed)).toBe(true);
    expect(wait.json.ms).toBeGreaterThan(0);
    timing.dialMs = dial.json.ms as number;
    timing.pushMs = push.json.ms as number;
    timing.replicationMs = wait.json.ms as number;
    const bad = await api('/api/peers/peer9/dial', { org: 'org1' });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain('no peer "peer9"');
  });

  it('rejects bad input with a clear error and changes nothing', async () => {
    const expiries = async () => (await apiWorld()).orgs.map((o) => o.expiry);
    const before = await expiries();
    const r = await world_('mine-to', 'org9', 'expiry');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mine-to: org: unknown org "org9" (declared: org1, org2');
    const again = await world_('top-up', 'org1', '--packages', '0');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('packages: must be ≥ 1, got 0');
    const token = await world_('top-up', 'org1', '--currency', 'token');
    expect(token.code).toBe(2);
    expect(token.stderr).toContain(
      "currency: this world's provider contract is the EthProvider (ether only); for tokens start one with `oneclick up --currency token`",
    );
    expect(await expiries()).toEqual(before);
  });

  it('kills a node from the button and from the CLI: each comes back with the same NID', async () => {
    const nid1 = await nidOf('org1');
    const started1 = await startedAt('org1');
    await row('org1').locator('[data-act="kill-node"]').click();
    expect(await buttonResult()).toMatch(/^kill the org-node of org1 \(\d+ ms\)$/);
    await expect
      .poll(() => startedAt('org1'), { timeout: (profile.deadlines.recover + SLACK) * 1000 })
      .not.toBe(started1);
    await waitState('org1', 'served', profile.deadlines.recover);
    expect(await nidOf('org1')).toBe(nid1);

    const nid2 = await nidOf('org2');
    const started2 = await startedAt('org2');
    const r = await world_('kill', 'node:org2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.summary).toBe('kill the org-node of org2');
    await expect
      .poll(() => startedAt('org2'), { timeout: (profile.deadlines.recover + SLACK) * 1000 })
      .not.toBe(started2);
    await waitState('org2', 'served', profile.deadlines.recover);
    expect(await nidOf('org2')).toBe(nid2);
  });

  it('mines to grace end from the button and from the CLI: each org turns gone', async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await row('org1').locator('[data-act="mine-to-grace-end"]').click();
    expect(await buttonResult()).toMatch(/^mine to block \d+ \(grace-end of org1\) \(\d+ ms\)$/);
    await waitState('org1', 'gone', profile.deadlines.teardown);
    const r = await world_('mine-to', 'org2', 'grace-end');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.summary).toMatch(/^mine to block \d+ \(grace-end of org2\)$/);
    await waitState('org2', 'gone', profile.deadlines.teardown);
    const log = await page.locator('#events').textContent();
    expect(log).toContain('NewTopUp(org1');
    expect(log).toContain('org1: gone');
    expect(log).toMatch(/peer1 dials org1: a session after [\d.]+ ms/);
    expect(log).toMatch(/peer2 has the last ref of k6-vu1 from org1 after [\d.]+ ms/);
    expect(problems).toEqual([]);
    expect(external).toEqual([]);
    await page.screenshot({ path: join(REPORTS, 'playground-dashboard-gone.png'), fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('runs every other action of the issue from its dashboard control (the API oneclick world calls)', async () => {
    const ms = String.raw`\(\d+ ms\)`;
    const line = (text: string, checked = false) => new RegExp(`^${text} ${ms}${checked ? ' ✓' : ''}$`);
    const block = String.raw`in block \d+`;
    await clicked(page.locator('#register'), line('register org3 and top it up through the Entrance', true));
    await clicked(
      row('org3').locator('[data-act="top-up"]'),
      line(String.raw`top-up org3 \(1 package\) ${block}`, true),
    );
    await clicked(row('org3').locator('[data-act="suspend"]'), line(`suspend org3 ${block}`, true));
    await clicked(
      row('org3').locator('[data-act="mine-to-expiry"]'),
      line(String.raw`mine to block \d+ \(expiry of org3\)`),
    );
    await clicked(page.locator('#new-org'), line(String.raw`top-up org4 \(1 package\) ${block}`, true));
    await waitState('org4', 'served', profile.deadlines.provision);
    await clicked(row('org4').locator('[data-act="restart-node"]'), line('restart the org-node of org4'));
    await page.locator('#fault-peer').selectOption('peer1');
    await page.locator('#fault-org').selectOption('org4');
    await clicked(page.locator('#partition'), line("partition peer1 from org4's edge"));
    await clicked(page.locator('#latency'), line("200 ms latency on peer1's LAN"));
    await clicked(page.locator('#loss'), line("10% loss on peer1's uplink"));
    await clicked(page.locator('#heal'), line(String.raw`heal \d+ fault\(s\)`));
    await clicked(row('org4').locator('[data-act="cancel"]'), line(`cancel org4 ${block}`, true));
    await clicked(page.locator('#mine'), line(String.raw`mine 5 block\(s\) → \d+`));
    await clicked(page.locator('#reorg'), line(String.raw`reorg the last 1 block\(s\) away`));
    for (const a of ['kill', 'start', 'restart'])
      await clicked(
        page.locator(`[data-target-action="${a}"][data-target="controller"]`),
        line(String.raw`${a} the provider \(${summary.provider.container}\)`),
      );
    await page.screenshot({ path: join(REPORTS, 'playground-dashboard-actions.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('removes everything on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
    up.kill('SIGINT');
    await exited;
    const left = await dockerEngine().listContainers({
      all: true,
      filters: { label: [`${RUN_LABEL}=${summary.runId}`] },
    });
    expect(left).toEqual([]);
    expect(await readdir(env.ONECLICK_WORLDS_DIR!)).toEqual([]);
  }, 180_000);
});
