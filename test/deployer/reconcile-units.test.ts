/**
 * The reconciler's phases alone, without Docker: the plan of a pass, teardown's decisions, the
 * edge's routes and their serialized applies, the records, the org-node's spec and readiness, the
 * seeding, the loop. (The whole against a real engine, chain and DNS: runtime.test.ts.)
 */
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { Address } from 'viem';
import type { ExecResult } from '../../harness/deployer/docker.js';
import type { EdgeRoute, EdgeState } from '../../harness/deployer/edge.js';
import { memoryLogger } from '../../harness/deployer/log.js';
import { referencePolicy } from '../../harness/deployer/policy.js';
import { initialState } from '../../harness/deployer/reconcile/context.js';
import { passLoop, waitAfter, type PassResult } from '../../harness/deployer/reconcile/loop.js';
import { orgNodeSpec, readiness, waitForNid } from '../../harness/deployer/reconcile/node.js';
import {
  endState,
  markWanted,
  mayHaveRecords,
  planPass,
  servedStatus,
  settled,
} from '../../harness/deployer/reconcile/plan.js';
import { recordsOf, wasServed } from '../../harness/deployer/reconcile/publish.js';
import { routeTable, runningRoutes } from '../../harness/deployer/reconcile/routes.js';
import { seedAnchors } from '../../harness/deployer/reconcile/seed.js';
import type { OrgRow, StoredAnchor } from '../../harness/deployer/state/index.js';

const orgN = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
const NID = 'z6MkgVQx1WrAqx7M8Ao743aKPvgpHL5cMdVp6DByZkJDrHRS';

function row(n: number, desired: OrgRow['desired'], more: Partial<OrgRow> = {}): OrgRow {
  return { org: orgN(n), expiry: 100n, active: true, desired, block: 1n, status: 'pending', ...more };
}

const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });

describe('the plan of a pass', () => {
  const rows = [row(1, 'run'), row(2, 'stop'), row(3, 'purge'), row(4, 'run')];

  it('serves what says run, tears down the rest (purging what says purge), keeps volumes but the purged', () => {
    const plan = planPass(rows, referencePolicy);
    expect(plan.wanted.map((r) => r.org)).toEqual([orgN(1), orgN(4)]);
    expect(plan.ended.map(({ row: r, purge }) => [r.org, purge])).toEqual([
      [orgN(2), false],
      [orgN(3), true],
    ]);
    expect([...plan.keepContainers]).toEqual([orgN(1), orgN(4)].map((o) => o.toLowerCase()));
    expect([...plan.keepVolumes]).toEqual([orgN(1), orgN(2), orgN(4)].map((o) => o.toLowerCase()));
  });

  it('follows the policy for what is wanted', () => {
    const plan = planPass(rows, { wanted: (r) => r.desired !== 'purge' });
    expect(plan.wanted).toHaveLength(3);
    expect(plan.ended.map(({ purge }) => purge)).toEqual([true]);
  });

  it('starts the provisioning clock once, for orgs not published yet', () => {
    const since = new Map<Address, number>([[orgN(4), 5]]);
    markWanted(since, new Map([[orgN(2), 'key']]), [row(1, 'run'), row(2, 'run'), row(4, 'run')], 9);
    expect([...since]).toEqual([
      [orgN(4), 5],
      [orgN(1), 9],
    ]);
  });
});

describe('teardown decisions', () => {
  it('an org stopped or purged in an earlier pass is settled', () => {
    expect(settled(row(1, 'stop', { status: 'stopped' }), false)).toBe(true);
    expect(settled(row(1, 'stop', { status: 'stopped', containerId: 'c' }), false)).toBe(false);
    expect(settled(row(1, 'purge', { status: 'gone' }), true)).toBe(true);
    expect(settled(row(1, 'purge', { status: 'gone', port: 30000 }), true)).toBe(false);
    expect(settled(row(1, 'purge', { status: 'stopped' }), true)).toBe(false);
  });

  it('records may exist when this process sent them or the org was served', () => {
    expect(mayHaveRecords(row(1, 'stop', { status: 'stopped' }), true)).toBe(true);
    expect(mayHaveRecords(row(1, 'stop', { status: 'active' }), false)).toBe(true);
    expect(mayHaveRecords(row(1, 'stop', { status: 'pending' }), false)).toBe(true);
    expect(mayHaveRecords(row(1, 'stop', { status: 'stopped' }), false)).toBe(false);
    expect(mayHaveRecords(row(1, 'purge', { status: 'gone' }), false)).toBe(false);
  });

  it('a stop keeps volume and port; a purge clears every runtime column; nothing when already so', () => {
    expect(endState(row(1, 'stop', { status: 'active', containerId: 'c', port: 30000 }), false)).toEqual({
      status: 'stopped',
      containerId: null,
    });
    expect(endState(row(1, 'stop', { status: 'stopped' }), false)).toBeUndefined();
    expect(endState(row(1, 'purge', { status: 'stopped', volume: 'v', port: 30000 }), true)).toEqual({
      status: 'gone',
      containerId: null,
      volume: null,
      port: null,
      nid: null,
    });
    expect(endState(row(1, 'purge', { status: 'gone' }), true)).toBeUndefined();
  });

  it('a served org is active until expiry, expiring in grace', () => {
    expect(servedStatus({ active: true })).toBe('active');
    expect(servedStatus({ active: false })).toBe('expiring');
  });
});

describe('edge routes', () => {
  const container = (org: Address, state: string, address?: string) =>
    ({
      Labels: { 'oneclick.org': org.toLowerCase() },
      State: state,
      NetworkSettings: { Networks: address ? { cluster: { IPAddress: address } } : {} },
    }) as unknown as Docker.ContainerInfo;

  it('routes the running, wanted, addressed nodes with a recorded port, and nothing else', () => {
    const wanted = [row(1, 'run', { port: 30001 }), row(2, 'run'), row(3, 'run', { port: 30003 })];
    const routes = runningRoutes(
      [
        container(orgN(1), 'running', '172.16.0.11'),
        container(orgN(2), 'running', '172.16.0.12'), // no port recorded
        container(orgN(3), 'exited', '172.16.0.13'),
        container(orgN(4), 'running', '172.16.0.14'), // not wanted
        container(orgN(1), 'running'), // no address on the network
      ],
      wanted,
      'cluster',
      referencePolicy.ports({ allocatePort: () => 1 }, { min: 1, max: 2 }),
      (label) => `${label}.orgs.test`,
    );
    expect([...routes]).toEqual([
      [orgN(1), { host: `${orgN(1).slice(2).toLowerCase()}.orgs.test`, port: 30001, address: '172.16.0.11' }],
    ]);
  });

  /** A fake edge recording each apply's routes; the first apply hangs until `release`. */
  function edgeHoldingFirstApply() {
    const applied: EdgeRoute[][] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((r) => (release = r));
    const edge = {
      apply: async (_s: EdgeState, routes: readonly EdgeRoute[]) => {
        applied.push([...routes]);
        if (applied.length === 1) await first;
        return true;
      },
    };
    return { edge, applied, release: () => release() };
  }

  it('applies one at a time, the routes as they are when its turn comes; syncs asked meanwhile share the next', async () => {
    const { edge, applied, release } = edgeHoldingFirstApply();
    const state = initialState();
    const table = routeTable(state, edge, { id: 'edge', publicAddress: '198.51.100.40' });
    const a = { host: 'a', port: 1, address: '10.0.0.1' };
    const b = { host: 'b', port: 2, address: '10.0.0.2' };
    const c = { host: 'c', port: 3, address: '10.0.0.3' };
    table.routes.set(orgN(1), a);
    const one = table.sync();
    await new Promise((r) => setImmediate(r)); // the first apply runs (and hangs)
    table.routes.set(orgN(2), b);
    const two = table.sync();
    table.routes.set(orgN(3), c);
    const three = table.sync();
    release();
    await Promise.all([one, two, three]);
    // Two applies for three syncs: the second carries both routes asked while the first ran.
    expect(applied).toEqual([[a], [a, b, c]]);
  });

  it('forward: a route an apply carried (or is carrying) waits for no further apply', async () => {
    const { edge, applied, release } = edgeHoldingFirstApply();
    const table = routeTable(initialState(), edge, { id: 'edge', publicAddress: '198.51.100.40' });
    const a = { host: 'a', port: 1, address: '10.0.0.1' };
    const b = { host: 'b', port: 2, address: '10.0.0.2' };
    const early = table.forward(orgN(1), a); // routed while its node comes up
    await new Promise((r) => setImmediate(r));
    const answered = table.forward(orgN(1), a); // its node answers during that apply
    release();
    await Promise.all([early, answered]);
    await table.forward(orgN(1), a);
    expect(applied).toEqual([[a]]);
    await table.forward(orgN(2), b);
    expect(applied).toEqual([[a], [a, b]]);
  });

  it('a failed apply fails its own sync only; without an edge a sync fails', async () => {
    let calls = 0;
    const edge = {
      apply: async () => {
        calls += 1;
        if (calls === 1) throw new Error('iptables-restore failed');
        return true;
      },
    };
    const state = initialState();
    const table = routeTable(state, edge, { id: 'edge', publicAddress: '198.51.100.40' });
    await expect(table.sync()).rejects.toThrow('iptables-restore failed');
    await expect(table.sync()).resolves.toBeUndefined();
    await expect(routeTable(state, edge, undefined).sync()).rejects.toThrow('the edge is not available');
  });
});

describe('records', () => {
  it('A → the edge, SRV → the port, TXT → the NID as the policy publishes it and the expiry', () => {
    const r = row(10, 'run', { expiry: 1234n });
    const node = { nid: NID, port: 30007 };
    const edge = { publicAddress: '198.51.100.40' };
    expect(recordsOf(r, node, edge, referencePolicy.publishedNid)).toEqual({
      label: r.org.slice(2).toLowerCase(),
      address: '198.51.100.40',
      port: 30007,
      nid: NID,
      expiry: 1234n,
    });
    expect(recordsOf(r, node, edge, (nid) => `${nid}!`).nid).toBe(`${NID}!`);
  });

  it('an org active or expiring was served before (no provisioning to measure)', () => {
    expect(
      ['pending', 'active', 'expiring', 'stopped', 'gone'].map((s) => wasServed(s as OrgRow['status'])),
    ).toEqual([false, true, true, false, false]);
  });
});

describe('the org-node', () => {
  it("runs the org-node image on the cluster network with the org's labels, address and data mount", () => {
    const spec = orgNodeSpec({
      name: 'oc-run-ab',
      label: 'ab'.repeat(20),
      org: orgN(0xab),
      runId: 'run',
      image: 'oneclick/org-node:x',
      host: 'abab.orgs.test',
      port: 30002,
      network: 'cluster',
      mount: referencePolicy.dataMount('oc-run-ab'),
    });
    expect(spec).toMatchObject({
      name: 'oc-run-ab',
      Image: 'oneclick/org-node:x',
      Hostname: 'org-abababababab',
      Labels: {
        'oneclick.run': 'run',
        'oneclick.org': orgN(0xab).toLowerCase(),
        'oneclick.role': 'org-node',
      },
      HostConfig: {
        NetworkMode: 'cluster',
        RestartPolicy: { Name: 'unless-stopped' },
        Mounts: [{ Type: 'volume', Source: 'oc-run-ab', Target: '/radicle' }],
      },
    });
    expect(spec.Env).toEqual([
      'RAD_ALIAS=org-abababababab',
      'RAD_LISTEN=0.0.0.0:8776',
      'RAD_EXTERNAL_ADDRESSES=abab.orgs.test:30002',
      'RAD_SEEDING_POLICY=block',
    ]);
  });

  const running = { Running: true, Restarting: false, ExitCode: 0 };

  it('its NID is what the node answers once its socket is up; a changed NID is a warning', async () => {
    const { log, entries } = memoryLogger();
    const answers = [{ exitCode: 1, stdout: '', stderr: 'socket not ready' }, ok(`${NID}\n`)];
    const nid = await waitForNid({
      name: 'oc-run-ab',
      known: 'z6MkOld',
      log,
      status: async () => answers.shift()!,
      state: async () => running,
    });
    expect(nid).toBe(NID);
    expect(answers).toEqual([]);
    expect(entries()).toMatchObject([
      { level: 'warn', msg: 'org-node NID changed', was: 'z6MkOld', now: NID },
    ]);
  });

  it('waits with one `orgnode-api ready` exec; an image without it is asked `rad node status` from then on', async () => {
    const asked: string[] = [];
    const answer = (r: ExecResult) => async (cmd: string[]) => {
      asked.push(cmd.slice(0, 2).join(' '));
      return cmd[0] === 'orgnode-api' ? r : ok(`${NID}\n`);
    };
    await readiness(answer(ok(`${NID}\n`)))();
    expect(asked).toEqual(['orgnode-api ready']);
    asked.length = 0;
    const missing = readiness(answer({ exitCode: 127, stdout: '', stderr: 'executable file not found' }));
    await missing();
    await missing();
    expect(asked).toEqual(['orgnode-api ready', 'rad node', 'rad node']);
  });

  it('gives up when the container exited, or the process is stopping', async () => {
    const { log } = memoryLogger();
    const never = async () => ({ exitCode: 1, stdout: '', stderr: 'no socket' });
    await expect(
      waitForNid({
        name: 'n',
        known: undefined,
        log,
        status: never,
        state: async () => ({ Running: false, Restarting: false, ExitCode: 3 }),
      }),
    ).rejects.toThrow('org-node n exited (3) before its node came up');
    const stopping = AbortSignal.abort();
    await expect(
      waitForNid({ name: 'n', known: undefined, log, stopping, status: never, state: async () => running }),
    ).rejects.toThrow('stopping: gave up waiting for org-node n');
  });

  it('a stopping process does not wait out a wait in progress inside the node', async () => {
    const { log } = memoryLogger();
    const stop = new AbortController();
    const hanging = () => new Promise<never>(() => undefined);
    const waiting = waitForNid({
      name: 'n',
      known: undefined,
      log,
      stopping: stop.signal,
      status: hanging,
      state: async () => running,
    });
    stop.abort();
    await expect(waiting).rejects.toThrow('stopping: gave up waiting for org-node n');
  });
});

describe('seeding anchors', () => {
  const anchor = (repo: string) => ({ repo }) as StoredAnchor;

  it('seeds each anchored repository once per container (then fetches it in the background)', async () => {
    const calls: string[] = [];
    const exec = async (cmd: string[]) => {
      calls.push(cmd.join(' '));
      return ok('');
    };
    const seeded = new Set<string>();
    const { log } = memoryLogger();
    const o = { org: orgN(1), containerId: 'c1', anchors: [anchor('rad:z1'), anchor('rad:z2')], seeded, log };
    await seedAnchors(exec, o);
    await seedAnchors(exec, o);
    await seedAnchors(exec, { ...o, containerId: 'c2', anchors: [anchor('rad:z1')] });
    expect(calls.filter((c) => c.startsWith('rad seed'))).toEqual([
      'rad seed rad:z1 --scope all --no-fetch',
      'rad seed rad:z2 --scope all --no-fetch',
      'rad seed rad:z1 --scope all --no-fetch',
    ]);
    expect(calls.filter((c) => c.startsWith('rad sync'))).toHaveLength(3);
    expect([...seeded]).toEqual(['c1 rad:z1', 'c1 rad:z2', 'c2 rad:z1']);
  });

  it('a failed seed fails with its output and is tried again next time', async () => {
    const seeded = new Set<string>();
    const { log } = memoryLogger();
    const failing = async () => ({ exitCode: 2, stdout: '', stderr: 'no such repository' });
    const o = { org: orgN(1), containerId: 'c1', anchors: [anchor('rad:z1')], seeded, log };
    await expect(seedAnchors(failing, o)).rejects.toThrow(
      'rad seed rad:z1 failed (exit 2): no such repository',
    );
    expect(seeded.size).toBe(0);
  });
});

describe('the loop', () => {
  it('waits long after a clean pass, short after errors or a failed pass', () => {
    const ms = { resync: 10, retry: 2 };
    expect(waitAfter({ running: 1, errors: 0 }, ms)).toBe(10);
    expect(waitAfter({ running: 1, errors: 1 }, ms)).toBe(2);
    expect(waitAfter(undefined, ms)).toBe(2);
  });

  it('kicks during a pass make exactly one more pass; a kick while waiting starts one at once', async () => {
    const { log } = memoryLogger();
    const stop = new AbortController();
    let passes = 0;
    const seen: number[] = [];
    // Long waits: a pass after the first two can only come from a kick.
    const loop = passLoop(
      async (): Promise<PassResult> => {
        passes += 1;
        seen.push(passes);
        if (passes === 1) for (let i = 0; i < 3; i++) loop.kick();
        if (passes === 3) stop.abort();
        return { running: 0, errors: 0 };
      },
      { log, ms: { resync: 3_600_000, retry: 3_600_000 } },
    );
    const done = loop.run({ signal: stop.signal });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([1, 2]);
    loop.kick();
    await done;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a pass that throws is logged and counted, and the loop goes on', async () => {
    const { log, entries } = memoryLogger();
    const stop = new AbortController();
    let passes = 0;
    const loop = passLoop(
      async (): Promise<PassResult> => {
        passes += 1;
        if (passes === 1) throw new Error('engine down');
        stop.abort();
        return { running: 0, errors: 0 };
      },
      { log, ms: { resync: 1, retry: 1 } },
    );
    await loop.run({ signal: stop.signal });
    expect(passes).toBe(2);
    expect(entries()).toMatchObject([{ level: 'error', msg: 'reconcile pass failed', error: 'engine down' }]);
  });
});
