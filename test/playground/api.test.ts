/**
 * The world API without a world: action input is checked as a one-step scenario (the scenario's
 * wording, nothing run), the OpenAPI document covers every action and every call the k6 scripts
 * make, k6's summary export folds into the report's stats, and the world file stays private.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionRequest } from '../../harness/cli/commands/world.js';
import { k6Trends } from '../../harness/load/k6.js';
import { actionKinds, checkedStep } from '../../harness/playground/actions.js';
import { openApiDocument } from '../../harness/playground/openapi.js';
import { findWorld, writeWorldFile } from '../../harness/playground/state.js';
import type { ScenarioContext } from '../../harness/scenario/context.js';

const ETH_PROVIDER = '0x00000000000000000000000000000000000000e1';
const TOKEN_PROVIDER = '0x00000000000000000000000000000000000000e2';
const worldServing = (provider: string) =>
  ({
    world: {
      orgs: new Map([['org1', '0x0000000000000000000000000000000000000001']]),
      peers: new Map([['peer1', { lan: { name: 'lan1' } }]]),
      booted: { world: { contracts: { provider } }, deployment: { tokenProvider: TOKEN_PROVIDER } },
    },
  }) as unknown as ScenarioContext;
const ctx = worldServing(ETH_PROVIDER);
const tokenCtx = worldServing(TOKEN_PROVIDER);

const problem = (action: string, fields: Record<string, unknown>, create = false, on = ctx) => {
  try {
    checkedStep(on, action, fields, create);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('action input', () => {
  it('builds the step model a scenario would', () => {
    expect(checkedStep(ctx, 'top-up', { org: 'org1', packages: 2 })).toMatchObject({
      kind: 'top-up',
      org: 'org1',
      packages: 2,
    });
    expect(checkedStep(ctx, 'kill', { target: 'node:org1' })).toMatchObject({
      target: { kind: 'node', org: 'org1' },
    });
    expect(checkedStep(ctx, 'mine-to', { org: 'org1', at: 'grace-end' })).toMatchObject({ offset: 0 });
    expect(checkedStep(ctx, 'heal', {})).toMatchObject({ kind: 'heal' });
    expect(problem('top-up', { org: 'org2' }, true)).toBe('ok');
  });

  it('says what is wrong in the scenario language, naming the action and the field', () => {
    expect(problem('top-up', { org: 'nope' })).toBe('top-up: org: unknown org "nope" (declared: org1)');
    expect(problem('top-up', { org: 'org1', packages: 0 })).toBe('top-up: packages: must be ≥ 1, got 0');
    expect(problem('mine', { blocks: 'x' })).toMatch(/^mine: blocks: must be a whole number.*, got "x"$/);
    expect(problem('partition', { peer: 'peer9', org: 'org1' })).toContain('unknown peer "peer9"');
    expect(problem('kill', { target: 'node:zzz' })).toContain('unknown org "zzz"');
    expect(problem('top-up', { org: 'org1' }, true)).toBe('org: "org1" exists already');
    expect(problem('top-up', { org: 'org1', proves: 'CHAIN-TOPUP' })).toContain('proves');
    expect(problem('wait', { until: 'served', org: 'org1' })).toMatch(
      /^unknown action "wait" \(one of: top-up/,
    );
  });
});

describe('top-ups in either currency', () => {
  const kindOf = (on: ScenarioContext, action: string, fields: Record<string, unknown>) =>
    (checkedStep(on, action, fields) as { kind: string }).kind;

  it("pays the world's currency with top-up, and ether to a TokenProvider with swap-top-up", () => {
    expect(kindOf(ctx, 'top-up', { org: 'org1' })).toBe('top-up');
    expect(kindOf(ctx, 'top-up', { org: 'org1', currency: 'eth' })).toBe('top-up');
    expect(kindOf(tokenCtx, 'top-up', { org: 'org1', currency: 'token', packages: 2 })).toBe('top-up');
    expect(kindOf(tokenCtx, 'top-up', { org: 'org1', currency: 'eth' })).toBe('swap-top-up');
    expect(kindOf(ctx, 'register-then-top-up', { org: 'org2', currency: 'eth' })).toBe(
      'register-then-top-up',
    );
  });

  it('refuses what the contract cannot take, saying why', () => {
    expect(problem('top-up', { org: 'org1', currency: 'token' })).toBe(
      "currency: this world's provider contract is the EthProvider (ether only); for tokens start one with `oneclick up --currency token`",
    );
    expect(problem('top-up', { org: 'org1', currency: 'btc' })).toBe(
      'currency: expected eth or token, got "btc"',
    );
    expect(problem('mine', { blocks: 1, currency: 'eth' })).toBe(
      'currency: only top-up and register-then-top-up pay',
    );
    expect(problem('register-then-top-up', { org: 'org2' }, false, tokenCtx)).toBe(
      "register-then-top-up: the Entrance registers orgs of an EthProvider only; this world's provider serves token",
    );
  });
});

describe('oneclick world', () => {
  it('sends every action of the issue as the body its step accepts', () => {
    const calls: Array<[string, string[], Record<string, string | boolean>?]> = [
      ['top-up', ['org1'], { packages: '2', currency: 'eth' }],
      ['top-up', ['org2'], { new: true }],
      ['register-then-top-up', ['org3']],
      ['cancel', ['org1']],
      ['suspend', ['org1']],
      ['mine', ['5']],
      ['mine-to', ['org1', 'expiry']],
      ['mine-to', ['org1', 'grace-end'], { offset: '1' }],
      ['reorg', ['2']],
      ['kill', ['node:org1']],
      ['restart', ['node:org1']],
      ['kill', ['controller']],
      ['start', ['controller']],
      ['restart', ['controller']],
      ['partition', ['peer1', 'org1']],
      ['heal', []],
      ['latency', ['peer1', '200']],
      ['loss', ['peer1', '10']],
    ];
    for (const [name, args, flags] of calls) {
      const { path, body } = actionRequest(name, args, flags ?? {});
      expect(path).toBe(`/api/actions/${name}`);
      const { create, ...fields } = body;
      expect(problem(name, fields, create === true), `${name} ${args.join(' ')}`).toBe('ok');
    }
    expect(actionRequest('dial', ['peer1', 'org1'], {})).toEqual({
      path: '/api/peers/peer1/dial',
      body: { org: 'org1' },
    });
    expect(() => actionRequest('mine', [], {})).toThrow('mine takes <blocks>, got 0');
  });
});

describe('the OpenAPI document', () => {
  const doc = openApiDocument(actionKinds()) as {
    openapi: string;
    paths: Record<
      string,
      { post?: { requestBody?: { content: Record<string, { schema: { properties?: object } }> } } }
    >;
  };

  it('has a path per action, its body the step mapping form', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const kind of actionKinds()) expect(doc.paths[`/api/actions/${kind}`]?.post).toBeDefined();
    const topUp = doc.paths['/api/actions/top-up']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(topUp.properties ?? {})).toEqual(['org', 'packages', 'currency', 'create']);
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('documents every call the k6 scripts make, with the fields they send', async () => {
    for (const script of ['peering.js', 'replication.js']) {
      const file = join('scenarios/load/k6', script);
      execFileSync(process.execPath, ['--check', file]); // parses as a module
      const text = await readFile(file, 'utf8');
      const calls = [
        ...text.matchAll(/\/api\/peers\/\$\{\w+\}\/([a-z-]+)`, JSON\.stringify\(\{([^}]*)\}\)/g),
      ];
      expect(calls.length, script).toBeGreaterThan(0);
      for (const [, op, fields] of calls) {
        const body =
          doc.paths[`/api/peers/{peer}/${op}`]?.post?.requestBody?.content['application/json']?.schema;
        expect(body, `${script}: ${op}`).toBeDefined();
        const sent = fields!.split(',').map((f) => f.split(':')[0]!.trim());
        for (const f of sent)
          expect(Object.keys(body!.properties ?? {}), `${script}: ${op}.${f}`).toContain(f);
      }
    }
  });
});

describe('k6 summary export', () => {
  it('folds the custom Trends and leaves k6 built-ins out', () => {
    const trend = { avg: 12.5, min: 3, med: 10, max: 40, 'p(90)': 30, 'p(95)': 35, 'p(99)': 39 };
    const stats = k6Trends({
      metrics: {
        peering_ms: trend,
        iteration_duration: trend,
        http_req_duration: trend,
        iterations: { count: 7, rate: 1 },
        checks: { passes: 7, fails: 0, value: 1 },
      },
    });
    expect(Object.keys(stats)).toEqual(['peering_ms']);
    expect(stats.peering_ms).toEqual({
      count: 7,
      errors: 0,
      min: 3,
      mean: 12.5,
      p50: 10,
      p90: 30,
      p95: 35,
      p99: 39,
      max: 40,
    });
  });
});

describe('the world file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oneclick-worlds-'));
    process.env.ONECLICK_WORLDS_DIR = join(dir, 'worlds');
  });
  afterAll(async () => {
    delete process.env.ONECLICK_WORLDS_DIR;
    await rm(dir, { recursive: true, force: true });
  });

  it('is private, found by run id or as the only one up, and gone when removed', async () => {
    await expect(findWorld()).rejects.toThrow('no world is up: start one with `oneclick up`');
    const w = { runId: 'up-1', pid: process.pid, port: 1, token: 't', startedAt: '' };
    const remove = await writeWorldFile(w);
    const file = join(process.env.ONECLICK_WORLDS_DIR!, 'up-1.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(process.env.ONECLICK_WORLDS_DIR!)).mode & 0o777).toBe(0o700);
    expect(await findWorld()).toEqual(w);
    await expect(findWorld('up-2')).rejects.toThrow('no world "up-2" is up (up: up-1)');
    // A world whose process died is not up.
    await writeFile(
      join(process.env.ONECLICK_WORLDS_DIR!, 'up-9.json'),
      JSON.stringify({ ...w, runId: 'up-9', pid: 2 ** 22 + 1 }),
    );
    expect((await findWorld()).runId).toBe('up-1');
    await remove();
    await expect(findWorld('up-1')).rejects.toThrow('no world "up-1" is up');
  });
});
