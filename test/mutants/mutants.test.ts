/**
 * oneclick's mutant providers (harness/mutants, fixtures/providers/faulty/*): each mutant's policy
 * differs from the reference's in exactly its decisions (units); then per mutant one short run of
 * the mutants' entry (a child process, as in test/deployer/runtime.test.ts, against real Anvil,
 * Docker and radicle) shows the bug from outside: DNS asked from a peer behind NAT, HTTP by Host
 * through the edge, the run's containers. The full certification of each mutant (does the
 * conformance suite fail exactly its `mustFail`) is the suite's own test.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, padHex, toHex, type Address } from 'viem';
import { anchor, cancel, createOrg, createdOrg, expiryOf, topUp } from '../../harness/chain/actions.js';
import { mine, reorg } from '../../harness/chain/mining.js';
import { parseConfig } from '../../harness/deployer/config.js';
import { execIn } from '../../harness/deployer/docker.js';
import { memoryLogger } from '../../harness/deployer/log.js';
import { referencePolicy, type Policy } from '../../harness/deployer/policy.js';
import type { OrgRow } from '../../harness/deployer/state/index.js';
import type { StartedContainer } from '../../harness/docker/container.js';
import { dockerEngine } from '../../harness/docker/engine.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage, orgNodeImage } from '../../harness/images/index.js';
import { MUTANT_NAMES, mutantPolicy, type MutantName } from '../../harness/mutants/index.js';
import { startTopology, type Topology } from '../../harness/net/index.js';
import { orgNodeEnv, waitReady } from '../../harness/peers/index.js';
import { useWorld, type World } from '../contracts/fixture.js';
import { tempDir } from '../deployer/fixture.js';
import {
  eventually,
  httpGet,
  labelled,
  labelOf,
  orgContainers,
  startDeployer,
  type RunningDeployer,
} from '../deployer/runtime-fixture.js';

const NID = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

describe('mutant policies (units)', () => {
  const row = (desired: 'run' | 'stop' | 'purge', expiry = 100n, org = '0xa') =>
    ({ org, desired, expiry, active: false, block: 1n, status: 'pending' }) as unknown as OrgRow;
  const rows = [row('run'), row('stop'), row('purge'), row('purge', 0n)];
  const range = { min: 30000, max: 30009 };
  const store = { allocatePort: () => 30005 };
  const nid = 'z6MkgVQx1WrAqx7M8Ao743aKPvgpHL5cMdVp6DByZkJDrHRS';
  const config = parseConfig({
    // Nothing listens there: a mutant that reads the chain at start (eth-only) reads nothing.
    ONECLICK_RPC_URL: 'http://127.0.0.1:9',
    ONECLICK_CHAIN_ID: '31337',
    ONECLICK_PROVIDER_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    ONECLICK_CONFIRMATIONS: '2',
    ONECLICK_GRACE_BLOCKS: '10',
  });
  /** Every decision of `p` on the same inputs (the stateful `recreate` on a row whose expiry moves). */
  const decisions = async (p: Policy) => {
    const { log } = memoryLogger();
    const started = await p.start(config, { stateFile: `${tempDir()}/none`, head: async () => 77n, log });
    const ports = p.ports(store, range);
    return {
      start: {
        confirmations: started.confirmations,
        graceBlocks: started.graceBlocks,
        startBlock: started.startBlock,
        maxReorgDepth: started.maxReorgDepth,
      },
      wanted: rows.map((r) => p.wanted(r)),
      ports: [ports.recorded({ ...row('run'), port: 30002 }), ports.allocate(row('run'))],
      dataMount: p.dataMount('v'),
      publishedNid: p.publishedNid(nid),
      recreate: [
        p.recreate(row('run', 10n)),
        p.recreate(row('run', 10n)),
        p.recreate(row('run', 20n)),
        p.recreate(row('run', 20n, '0xb')),
        // A top-up seen at block 25, after the expiry (20) it was served with: in grace.
        p.recreate({ ...row('run', 30n), block: 25n }),
      ],
      seedsAnchors: p.seedsAnchors,
      httpPaths: p.httpPaths,
      deploymentLogsFrom: p.deploymentLogsFrom,
    };
  };

  it('the reference: runs what says run, its own recorded ports, a volume, the real NID, no restarts, seeds, routes every path, reads its contract only', async () => {
    expect(await decisions(referencePolicy)).toEqual({
      start: { confirmations: 2n, graceBlocks: 10n, startBlock: 0n, maxReorgDepth: 128n },
      wanted: [true, false, false, false],
      ports: [30002, 30005],
      dataMount: { Type: 'volume', Source: 'v', Target: '/radicle' },
      publishedNid: nid,
      recreate: [false, false, false, false, false],
      seedsAnchors: true,
      httpPaths: ['/'],
      deploymentLogsFrom: 'provider',
    });
  });

  it('each mutant changes exactly its decisions', async () => {
    const reference = await decisions(referencePolicy);
    const changed: Record<MutantName, Partial<typeof reference>> = {
      // An ended deployment stays; one reorged away (expiry 0) goes, as in the reference.
      'never-teardown': { wanted: [true, true, true, false] },
      'shared-port': { ports: [30000, 30000] },
      'ephemeral-storage': { dataMount: { Type: 'tmpfs', Source: '', Target: '/radicle' } },
      'wrong-nid': { publishedNid: `${nid.slice(0, -1)}T` },
      'restart-on-extend': { recreate: [false, false, true, false, true] },
      'restart-in-grace': { recreate: [false, false, false, false, true] },
      'api-only-edge': { httpPaths: ['/api/'] },
      'ignore-anchors': { seedsAnchors: false },
      'ignore-confirmations': { start: { ...reference.start, confirmations: 0n } },
      'early-by-one': { start: { ...reference.start, confirmations: 1n } },
      'reorg-final': { start: { ...reference.start, maxReorgDepth: 0n } },
      'early-teardown': { start: { ...reference.start, graceBlocks: 0n } },
      amnesia: { start: { ...reference.start, startBlock: 77n } },
      'any-emitter': { deploymentLogsFrom: 'any' },
      // On a chain it cannot read it takes the contract for an EthProvider (below: a TokenProvider).
      'eth-only': {},
    };
    expect(Object.keys(changed).sort()).toEqual([...MUTANT_NAMES].sort());
    for (const name of MUTANT_NAMES) {
      expect(await decisions(mutantPolicy(name)), name).toEqual({ ...reference, ...changed[name] });
    }
  });

  it('wrong-nid still publishes a z6Mk… NID, wrapping at the end of the alphabet', () => {
    const wrong = mutantPolicy('wrong-nid').publishedNid;
    expect(wrong(nid)).toMatch(NID);
    expect(wrong(`${nid.slice(0, -1)}z`).slice(-1)).toBe('1');
  });

  it("eth-only serves nothing once the contract's currency() is a token, and as the reference for ether", async () => {
    /** A JSON-RPC endpoint whose every eth_call answers `word` (what `currency()` returns). */
    const chainAnswering = async (word: string) => {
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const { id, method } = JSON.parse(body) as { id: number; method: string };
          res.setHeader('content-type', 'application/json');
          res.setHeader('connection', 'close');
          res.end(JSON.stringify({ jsonrpc: '2.0', id, result: method === 'eth_call' ? word : '0x7a69' }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    for (const [currency, wanted] of [
      [padHex('0x', { size: 32 }), [true, false, false, false]],
      [padHex('0x7e57', { size: 32 }), [false, false, false, false]],
    ] as const) {
      const { server, url } = await chainAnswering(currency);
      try {
        const p = mutantPolicy('eth-only');
        const { log } = memoryLogger();
        await p.start({ ...config, rpcUrl: url }, { stateFile: 'x', head: async () => 1n, log });
        expect(
          rows.map((r) => p.wanted(r)),
          currency,
        ).toEqual(wanted);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  it('says at start that it is deliberately faulty, and which bug it has', async () => {
    const { log, entries } = memoryLogger();
    await mutantPolicy('shared-port').start(config, { stateFile: 'x', head: async () => 1n, log });
    expect(entries()).toMatchObject([
      { level: 'warn', msg: 'deliberately faulty (a oneclick mutant provider)', mutant: 'shared-port' },
    ]);
  });
});

// ---- each mutant, from outside ----------------------------------------------------------------

const world = useWorld();
const ORG_A: Address = getAddress('0x00000000000000000000000000000000000da1a1');
const ORG_B: Address = getAddress('0x00000000000000000000000000000000000db0b0');
let run: Run;
let topology: Topology;
let peer: StartedContainer;
let images: { orgNode: string; edge: string };

beforeAll(async () => {
  run = startRun('mutants');
  const [orgNode, edge] = [await orgNodeImage(), await ensureImage('edge')];
  images = { orgNode, edge };
  topology = await startTopology(run, { lans: [{ name: 'home' }] });
  peer = await topology.addHost('home', orgNode, {
    name: 'alice',
    configure: (b) => b.withEnv(orgNodeEnv({ alias: 'alice' })),
  });
  await waitReady(peer);
}, 300_000);

afterAll(async () => {
  await run?.dispose();
});

let current: { dep: Run; deployers: RunningDeployer[]; stateDir: string; orgs: Address[] } | undefined;

/** Mutant `name`, in its own run (removed after the test); `again` reuses the state of the last. */
function launch(w: World, name: MutantName, { again = false }: { again?: boolean } = {}): RunningDeployer {
  if (!again) current = { dep: startRun('mut'), deployers: [], stateDir: tempDir(), orgs: [ORG_A, ORG_B] };
  const c = current!;
  const d = startDeployer({
    world: w,
    topology,
    runId: c.dep.id,
    stateDir: c.stateDir,
    orgNodeImage: images.orgNode,
    edgeImage: images.edge,
    graceBlocks: 5,
    env: { MUTANT: name },
    entry: 'harness/mutants/main.ts',
  });
  c.deployers.push(d);
  return d;
}

afterEach(async () => {
  const c = current;
  current = undefined;
  if (!c) return;
  for (const d of c.deployers) await d.stop();
  await c.dep.dispose();
  await topology.dnsUpdate(
    c.orgs.flatMap((org) => [
      { delete: { name: labelOf(org) } },
      { delete: { name: `${labelOf(org)}._radicle-node._tcp` } },
    ]),
  );
  expect(await labelled(c.dep.id)).toEqual({ containers: [], volumes: [], networks: [] });
});

interface Published {
  nid: string;
  port: number;
  expiry: bigint;
  address: string;
}

/** The org's records as the peer behind NAT resolves them, or undefined while incomplete. */
async function lookup(org: Address): Promise<Published | undefined> {
  const name = labelOf(org);
  const [[txt], [address], [srv]] = await Promise.all([
    topology.resolve(peer, `${name}._radicle-node._tcp`, 'TXT'),
    topology.resolve(peer, name, 'A'),
    topology.resolve(peer, `${name}._radicle-node._tcp`, 'SRV'),
  ]);
  // resolve() joins a TXT record's strings: "nid=…" "expiry=…" reads nid=…expiry=… (a NID has no '=').
  const [, nid, expiry] = /^nid=(.+?)expiry=(\d+)$/.exec(txt ?? '') ?? [];
  if (!nid || !expiry || !address || !srv) return undefined;
  return { nid, port: Number(srv.split(' ')[2]), expiry: BigInt(expiry), address };
}

function published(org: Address, test: (p: Published) => boolean = () => true, timeoutMs = 60_000) {
  return eventually(
    `records of ${labelOf(org)}`,
    async () => {
      const p = await lookup(org);
      return p && test(p) ? p : undefined;
    },
    timeoutMs,
    300,
  );
}

function unpublished(org: Address, timeoutMs = 30_000) {
  return eventually(
    `records of ${labelOf(org)} gone`,
    async () => ((await lookup(org)) === undefined && (await noRecords(org)) ? true : undefined),
    timeoutMs,
    300,
  );
}

async function noRecords(org: Address): Promise<boolean> {
  const name = labelOf(org);
  const all = await Promise.all([
    topology.resolve(peer, name, 'A'),
    topology.resolve(peer, `${name}._radicle-node._tcp`, 'TXT'),
    topology.resolve(peer, `${name}._radicle-node._tcp`, 'SRV'),
  ]);
  return all.every((r) => r.length === 0);
}

interface NodeInfo {
  id: string;
  supervisor: { startedAt: string };
}

/** `GET /api/v1/node` by Host through `address`, or undefined while it does not answer 200. */
async function node(org: Address, address: string): Promise<NodeInfo | undefined> {
  const r = await httpGet(address, '/api/v1/node', { host: `${labelOf(org)}.${topology.dns.zone}` });
  return r.status === 200 ? (JSON.parse(r.body) as NodeInfo) : undefined;
}

const nodeOf = (org: Address, address: string) =>
  eventually(`HTTP of ${labelOf(org)}`, () => node(org, address), 30_000, 300);

async function pay(w: World, org: Address): Promise<bigint> {
  await w.send(topUp(w.user, w.d.ethProvider, org, 1));
  await mine(w.test, 1); // ONECLICK_CONFIRMATIONS=1
  return expiryOf(w.test, w.d.ethProvider, org);
}

const head = (w: World) => w.test.getBlockNumber({ cacheTime: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Enough for a pass to act on what the watcher read (the reference tears down within ~1 s). */
const SETTLE_MS = 3_000;

/** Waits until the watcher has read the newest confirmed block, then lets a pass act on it. */
async function settled(d: RunningDeployer, w: World): Promise<void> {
  const safe = (await head(w)) - 1n;
  await d.waitFor((e) => e.msg === 'step' && BigInt(String(e.to)) >= safe);
  await sleep(SETTLE_MS);
}

describe('each mutant acts (a deployer run per mutant)', () => {
  it('restart-on-extend: a top-up of a live org recreates its node: same NID, a new container and start', async () => {
    const w = world();
    launch(w, 'restart-on-extend');
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, (p) => p.expiry === expiry);
    const before = await nodeOf(ORG_A, rec.address);
    const [container] = await orgContainers(current!.dep.id, ORG_A);

    const extended = await pay(w, ORG_A);
    const after = await published(ORG_A, (p) => p.expiry === extended);
    expect(after).toEqual({ ...rec, expiry: extended });
    const now = await nodeOf(ORG_A, rec.address);
    expect(now.id).toBe(before.id);
    expect(now.supervisor.startedAt).not.toBe(before.supervisor.startedAt);
    const containers = await orgContainers(current!.dep.id, ORG_A);
    expect(containers).toHaveLength(1);
    expect(containers[0]!.Id).not.toBe(container!.Id);
  });

  it('never-teardown: after DeploymentStopped and past expiry + grace the records and the node stay', async () => {
    const w = world();
    const d = launch(w, 'never-teardown');
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, (p) => p.expiry === expiry);
    await w.send(cancel(w.user, w.d.ethProvider, ORG_A));
    await mine(w.test, 1);
    await settled(d, w);
    expect(await lookup(ORG_A)).toMatchObject({ nid: rec.nid, port: rec.port });
    await mine(w.test, Number(expiry + 5n - (await head(w))) + 2);
    await settled(d, w);
    expect(await lookup(ORG_A)).toMatchObject({ nid: rec.nid, port: rec.port });
    expect((await node(ORG_A, rec.address))?.id).toBe(rec.nid);
    expect((await orgContainers(current!.dep.id, ORG_A)).map((c) => c.State)).toEqual(['running']);
  });

  it('wrong-nid: TXT carries a z6Mk… NID that is not the one the node answers with', async () => {
    const w = world();
    launch(w, 'wrong-nid');
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, (p) => p.expiry === expiry);
    const real = (await nodeOf(ORG_A, rec.address)).id;
    expect(rec.nid).toMatch(NID);
    expect(real).toMatch(NID);
    expect(rec.nid).not.toBe(real);
    const [container] = await orgContainers(current!.dep.id, ORG_A);
    const inNode = await execIn(dockerEngine(), container!.Id, ['rad', 'node', 'status', '--only', 'nid']);
    expect(inNode.stdout.trim()).toBe(real);
  });

  it('ephemeral-storage: /radicle is a tmpfs, and a restarted org-node comes back with a new NID', async () => {
    const w = world();
    launch(w, 'ephemeral-storage');
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, (p) => p.expiry === expiry);
    const [container] = await orgContainers(current!.dep.id, ORG_A);
    const docker = dockerEngine();
    const info = await docker.getContainer(container!.Id).inspect();
    expect(info.Mounts.map((m) => [m.Type, m.Destination])).toEqual([['tmpfs', '/radicle']]);

    await docker.getContainer(container!.Id).restart({ t: 2 });
    const again = await published(ORG_A, (p) => p.nid !== rec.nid);
    expect(again).toMatchObject({ port: rec.port, expiry });
    const served = await eventually(
      'HTTP serves the new NID',
      async () => ((await node(ORG_A, rec.address))?.id === again.nid ? true : undefined),
      30_000,
      300,
    );
    expect(served).toBe(true);
  });

  it('ignore-confirmations: an unconfirmed top-up is served; after a reorg drops it, it goes away', async () => {
    const w = world();
    const d = launch(w, 'ignore-confirmations');
    await d.waitFor((e) => e.msg === 'caught up');
    // Mined in its own block (automine), no block on top: at depth 0, unconfirmed with ONECLICK_CONFIRMATIONS=1.
    await w.send(topUp(w.user, w.d.ethProvider, ORG_A, 1));
    const tip = await head(w);
    const rec = await published(ORG_A);
    expect(await head(w)).toBe(tip);
    expect((await nodeOf(ORG_A, rec.address)).id).toBe(rec.nid);

    // The reorg: the top-up is gone from the chain, and from what the mutant serves (PROV-REORG still holds after it).
    await reorg(w.test, 1);
    expect(await expiryOf(w.test, w.d.ethProvider, ORG_A)).toBe(0n);
    await unpublished(ORG_A);
    await eventually('org-node removed', async () =>
      (await orgContainers(current!.dep.id, ORG_A)).length === 0 ? true : undefined,
    );
    expect((await labelled(current!.dep.id)).volumes).toEqual([]);
  });

  it('shared-port: two orgs get the same public p2p port', async () => {
    const w = world();
    launch(w, 'shared-port');
    await w.send(topUp(w.user, w.d.ethProvider, ORG_A, 1));
    await pay(w, ORG_B);
    const [a, b] = await Promise.all([published(ORG_A), published(ORG_B)]);
    expect(a.nid).not.toBe(b.nid);
    expect(a.port).toBe(b.port);
  });

  it('early-teardown: the records go at expiry, before expiry + grace', async () => {
    const w = world();
    launch(w, 'early-teardown');
    const expiry = await pay(w, ORG_A);
    await published(ORG_A, (p) => p.expiry === expiry);
    await mine(w.test, Number(expiry - (await head(w))) + 1); // expiry, confirmed
    await unpublished(ORG_A);
    expect(await head(w)).toBeLessThan(expiry + 5n); // grace is 5 blocks
    expect(await orgContainers(current!.dep.id, ORG_A)).toEqual([]);
  });

  it('amnesia: restarted, it removes the node it made as a stray and never serves a top-up made while it was down', async () => {
    const w = world();
    const first = launch(w, 'amnesia');
    await first.waitFor((e) => e.msg === 'caught up'); // it starts from the head it finds
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, (p) => p.expiry === expiry);
    expect((await nodeOf(ORG_A, rec.address)).id).toBe(rec.nid);
    first.child.kill('SIGKILL');
    await first.exited;

    await pay(w, ORG_B); // while it is down
    const second = launch(w, 'amnesia', { again: true });
    await second.waitFor((e) => e.msg === 'removed a stray org-node container');
    await eventually('org-node of A removed', async () =>
      (await orgContainers(current!.dep.id, ORG_A)).length === 0 ? true : undefined,
    );
    await mine(w.test, 2);
    await settled(second, w);
    expect(await node(ORG_A, rec.address)).toBeUndefined();
    expect(await orgContainers(current!.dep.id, ORG_B)).toEqual([]);
    expect(await noRecords(ORG_B)).toBe(true);
  });

  it('ignore-anchors: an anchored repository gets no seeding policy in its org-node', async () => {
    const w = world();
    const d = launch(w, 'ignore-anchors');
    const org = createdOrg(await w.send(createOrg(w.orgOwner, w.d.orgFactory)));
    current!.orgs.push(org);
    const expiry = await pay(w, org);
    await published(org, (p) => p.expiry === expiry);
    const id = padHex(toHex(randomBytes(20)), { size: 32, dir: 'right' });
    await w.send(anchor(w.orgOwner, org, id, 0, '0x1220aa'));
    await mine(w.test, 1);
    await d.waitFor((e) => e.msg === 'step' && Number(e.anchors) > 0);
    await settled(d, w);
    const [container] = await orgContainers(current!.dep.id, org);
    const policies = await execIn(dockerEngine(), container!.Id, ['rad', 'seed']);
    expect(policies.exitCode, policies.stderr).toBe(0);
    expect(policies.stdout).not.toContain('rad:z');
    expect(d.entries().filter((e) => e.msg === 'seeding anchored repository')).toEqual([]);
  });
});
