/**
 * The reference provider end to end: real Anvil, real Docker, real radicle, the deployer as a child
 * process. Everything is judged from outside (SPEC.md §4): DNS asked from a peer behind NAT, a p2p
 * session through the edge, HTTP routed by Host.
 */
import { anchorIdOf } from '../../harness/chain/anchors.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, type Address } from 'viem';
import {
  anchor,
  cancel,
  createOrg,
  createdOrg,
  expiryOf,
  suspend,
  topUp,
} from '../../harness/chain/actions.js';
import { mine, reorg } from '../../harness/chain/mining.js';
import { execIn } from '../../harness/deployer/docker.js';
import type { StartedContainer } from '../../harness/docker/container.js';
import { dockerEngine } from '../../harness/docker/engine.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage, orgNodeImage } from '../../harness/images/index.js';
import { startTopology, type Topology } from '../../harness/net/index.js';
import { parseTxt } from '../../harness/outside/index.js';
import {
  connect,
  createRepo,
  orgNodeEnv,
  proveHandshake,
  sessions,
  waitReady,
} from '../../harness/peers/index.js';
import { useWorld, type World } from '../contracts/fixture.js';
import { tempDir } from './fixture.js';
import {
  eventually,
  httpGet,
  labelled,
  labelOf,
  orgContainers,
  startDeployer,
  type RunningDeployer,
} from './runtime-fixture.js';

const world = useWorld();
const ORG_A: Address = getAddress('0x00000000000000000000000000000000000a11ce');
const ORG_B: Address = getAddress('0x0000000000000000000000000000000000000b0b');
let run: Run;
let topology: Topology;
let peer: StartedContainer;
let images: { orgNode: string; edge: string };

beforeAll(async () => {
  run = startRun('rt');
  const [orgNode, edge] = [await orgNodeImage(), await ensureImage('edge')];
  images = { orgNode, edge };
  topology = await startTopology(run, { lans: [{ name: 'home' }] });
  peer = await topology.addHost('home', orgNode, {
    name: 'alice',
    configure: (b) => b.withEnv(orgNodeEnv({ alias: 'alice' })),
  });
  await waitReady(peer);
});

afterAll(async () => {
  await run?.dispose();
});

/** Per test: the deployer's own run id (its containers and volumes), disposed after the test. */
let current: { dep: Run; deployers: RunningDeployer[]; stateDir: string; orgs: Address[] } | undefined;

function deployerRun() {
  const dep = startRun('dep');
  current = { dep, deployers: [], stateDir: tempDir(), orgs: [ORG_A, ORG_B] };
  return current;
}

function launch(
  w: World,
  overrides: { graceBlocks?: number; retentionBlocks?: number; useTopologyCluster?: boolean } = {},
) {
  const c = current!;
  const d = startDeployer({
    world: w,
    topology,
    runId: c.dep.id,
    stateDir: c.stateDir,
    orgNodeImage: images.orgNode,
    edgeImage: images.edge,
    ...overrides,
  });
  c.deployers.push(d);
  return d;
}

afterEach(async () => {
  const c = current;
  current = undefined;
  if (!c) return;
  for (const d of c.deployers) await d.stop();
  const secret = topology.dns.tsig.secret;
  for (const d of c.deployers) expect(d.lines.join('\n')).not.toContain(secret);
  await c.dep.dispose();
  // The DNS server outlives the test: drop whatever the deployer left there too.
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

/** The org's records as a peer behind NAT resolves them, once all three are there (and expiry ≥ `minExpiry`). */
async function published(org: Address, minExpiry = 0n, timeoutMs = 120_000): Promise<Published> {
  const name = labelOf(org);
  return eventually(
    `records of ${name}`,
    async () => {
      const [txt] = await topology.resolve(peer, `${name}._radicle-node._tcp`, 'TXT');
      const { nid, expiry } = parseTxt(txt ?? []);
      if (!nid || expiry === undefined || expiry < minExpiry) return undefined;
      const [address] = await topology.resolve(peer, name, 'A');
      const [srv] = await topology.resolve(peer, `${name}._radicle-node._tcp`, 'SRV');
      const ptr = await topology.resolve(peer, '_radicle-node._tcp', 'PTR');
      if (!address || !srv || !ptr.includes(`${name}._radicle-node._tcp.${topology.dns.zone}.`))
        return undefined;
      const [, , port, target] = srv.split(' ');
      expect(target).toBe(`${name}.${topology.dns.zone}.`);
      return { nid, port: Number(port), expiry: BigInt(expiry), address };
    },
    timeoutMs,
    500,
  );
}

async function unpublished(org: Address, timeoutMs = 60_000): Promise<void> {
  const name = labelOf(org);
  await eventually(
    `records of ${name} gone`,
    async () => {
      const [a, txt, srv, ptr] = await Promise.all([
        topology.resolve(peer, name, 'A'),
        topology.resolve(peer, `${name}._radicle-node._tcp`, 'TXT'),
        topology.resolve(peer, `${name}._radicle-node._tcp`, 'SRV'),
        topology.resolve(peer, '_radicle-node._tcp', 'PTR'),
      ]);
      const listed = ptr.some((p) => p.startsWith(`${name}.`));
      return a.length + txt.length + srv.length === 0 && !listed ? true : undefined;
    },
    timeoutMs,
    500,
  );
}

/** `GET http://<label>.<zone>/api/v1/node` sent to the edge's public address. */
async function nodeOverHttp(org: Address, edgeAddress: string): Promise<{ id: string }> {
  return eventually(`HTTP of ${labelOf(org)}`, async () => {
    const r = await httpGet(edgeAddress, '/api/v1/node', { host: `${labelOf(org)}.${topology.dns.zone}` });
    return r.status === 200 ? (JSON.parse(r.body) as { id: string }) : undefined;
  });
}

/** The edge's NAT rules and conntrack, and each org-node's address and sessions (for a failure message). */
async function crossEvidence(nidA: string): Promise<string> {
  const docker = dockerEngine();
  const all = await docker.listContainers({ filters: { label: [`oneclick.run=${current!.dep.id}`] } });
  const lines: string[] = [];
  for (const c of all) {
    const ips = Object.values(c.NetworkSettings?.Networks ?? {}).map((n) => n.IPAddress);
    const cmd =
      c.Labels['oneclick.role'] === 'edge'
        ? ['sh', '-c', 'iptables -t nat -S; cat /proc/net/nf_conntrack 2>/dev/null | grep -w tcp']
        : ['orgnode-api', 'ctl', JSON.stringify({ command: 'sessions' })];
    const r = await execIn(docker, c.Id, cmd).catch((e: Error) => ({ stdout: e.message, stderr: '' }));
    lines.push(`${c.Names[0]} ${ips.join(',')}: ${(r.stdout + r.stderr).trim()}`);
  }
  return `A is ${nidA}\n${lines.join('\n')}`;
}

async function pay(w: World, org: Address, packages = 1): Promise<bigint> {
  await w.send(topUp(w.user, w.d.ethProvider, org, packages));
  await mine(w.test, 1); // one confirmation
  return expiryOf(w.test, w.d.ethProvider, org);
}

describe('reference deployer runtime', () => {
  it('a top-up publishes A/SRV/TXT, a p2p port and an HTTP route; an extension keeps container, NID and session', async () => {
    const w = world();
    deployerRun();
    const d = launch(w);
    await d.waitFor((e) => e.msg === 'caught up');
    const t0 = Date.now();
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, expiry);
    const provisionedMs = Date.now() - t0;
    expect(rec.expiry).toBe(expiry);

    // HTTP by Host through the edge's public address returns the published NID.
    expect((await nodeOverHttp(ORG_A, rec.address)).id).toBe(rec.nid);
    // A peer behind NAT connects by name and port, and sees the session.
    const session = await connect(peer, `${rec.nid}@${labelOf(ORG_A)}.${topology.dns.zone}:${rec.port}`, {
      timeoutMs: 20_000,
    });
    expect(session.state).toBe('connected');
    const [before] = await orgContainers(current!.dep.id, ORG_A);
    expect(before).toBeDefined();
    const startedAt = (await dockerEngine().getContainer(before!.Id).inspect()).State.StartedAt;

    // Health and metrics.
    const port = await d.httpPort();
    expect((await httpGet('127.0.0.1', '/healthz', { port })).status).toBe(200);
    const metrics = (await httpGet('127.0.0.1', '/metrics', { port })).body;
    expect(metrics).toContain('oneclick_deployer_deployments{status="active"} 1');
    expect(metrics).toMatch(/oneclick_deployer_provisioning_seconds_count 1/);
    expect(metrics).toMatch(/oneclick_deployer_events_lag_blocks \d+/);

    // Extension: only the TXT expiry moves.
    const extended = await pay(w, ORG_A);
    expect(extended).toBeGreaterThan(expiry);
    const after = await published(ORG_A, extended);
    expect(after).toEqual({ ...rec, expiry: extended });
    const containers = await orgContainers(current!.dep.id, ORG_A);
    expect(containers.map((c) => c.Id)).toEqual([before!.Id]);
    expect((await dockerEngine().getContainer(before!.Id).inspect()).State.StartedAt).toBe(startedAt);
    const still = (await sessions(peer)).find((s) => s.nid === rec.nid);
    expect(still).toMatchObject({ state: 'connected', since: session.since });
    // SIGTERM stops the controller cleanly; the deployment keeps running without it.
    expect(await d.stop()).toBe(0);
    expect((await dockerEngine().getContainer(before!.Id).inspect()).State.Running).toBe(true);
    expect((await nodeOverHttp(ORG_A, rec.address)).id).toBe(rec.nid);
    const line = await d.waitFor((e) => e.msg === 'org published');
    console.info(
      `[runtime] provisioning: top-up → records published ${Date.parse(String(line.time)) - t0} ms ` +
        `(deployer's own measure from its first pass seeing the org: ${Number(line.provisioningSeconds).toFixed(2)} s); ` +
        `top-up → records resolved by the peer behind NAT ${provisionedMs} ms`,
    );
  });

  it('expiry + grace tears down (records, route, container; the volume stays); a renewal within retention restores the NID; retention ends in a purge', async () => {
    const w = world();
    const { dep } = deployerRun();
    const d = launch(w, { graceBlocks: 5, retentionBlocks: 40 });
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, expiry);
    const [node] = await orgContainers(dep.id, ORG_A);
    expect(node).toBeDefined();
    const volumes = async () =>
      (
        (
          await dockerEngine().listVolumes({
            filters: { label: [`oneclick.run=${dep.id}`, `oneclick.org=${ORG_A.toLowerCase()}`] },
          })
        ).Volumes ?? []
      ).map((v) => v.Name);
    expect(await volumes()).toHaveLength(1);

    // Still served during grace.
    const head = await w.test.getBlockNumber({ cacheTime: 0 });
    await mine(w.test, Number(expiry - head) + 2);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await nodeOverHttp(ORG_A, rec.address)).id).toBe(rec.nid);

    // expiry + grace (+1 confirmation): gone.
    await mine(w.test, 5);
    await unpublished(ORG_A);
    await eventually('org-node container removed', async () =>
      (await orgContainers(dep.id, ORG_A)).length === 0 ? true : undefined,
    );
    expect(
      (await httpGet(rec.address, '/api/v1/node', { host: `${labelOf(ORG_A)}.${topology.dns.zone}` })).status,
    ).toBe(404);
    expect(await volumes()).toHaveLength(1);
    const metricsPort = await d.httpPort();
    expect((await httpGet('127.0.0.1', '/metrics', { port: metricsPort })).body).toContain(
      'oneclick_deployer_deployments{status="stopped"} 1',
    );

    // Renewal within retention: same NID (same volume), same port.
    const renewed = await pay(w, ORG_A);
    const back = await published(ORG_A, renewed);
    expect(back).toMatchObject({ nid: rec.nid, port: rec.port, expiry: renewed });
    expect((await nodeOverHttp(ORG_A, rec.address)).id).toBe(rec.nid);

    // Past expiry + grace + retention: purged, volume and all.
    const now = await w.test.getBlockNumber({ cacheTime: 0 });
    await mine(w.test, Number(renewed + 5n + 40n - now) + 2);
    await unpublished(ORG_A);
    await eventually('volume purged', async () => ((await volumes()).length === 0 ? true : undefined));
    expect(await orgContainers(dep.id, ORG_A)).toHaveLength(0);
    await eventually('status gone', async () =>
      (await httpGet('127.0.0.1', '/metrics', { port: metricsPort })).body.includes(
        'oneclick_deployer_deployments{status="gone"} 1',
      )
        ? true
        : undefined,
    );
  });

  it('two orgs are isolated: each name and port reaches only its own node', async () => {
    const w = world();
    deployerRun();
    launch(w);
    await w.send(topUp(w.user, w.d.ethProvider, ORG_A, 1));
    await pay(w, ORG_B);
    const [a, b] = await Promise.all([published(ORG_A), published(ORG_B)]);
    expect(a.nid).not.toBe(b.nid);
    expect(a.port).not.toBe(b.port);
    expect((await nodeOverHttp(ORG_A, a.address)).id).toBe(a.nid);
    expect((await nodeOverHttp(ORG_B, b.address)).id).toBe(b.nid);
    const zone = topology.dns.zone;
    await connect(peer, `${a.nid}@${labelOf(ORG_A)}.${zone}:${a.port}`, { timeoutMs: 20_000 });
    await connect(peer, `${b.nid}@${labelOf(ORG_B)}.${zone}:${b.port}`, { timeoutMs: 20_000 });
    // B's port does not answer as A: radicle's handshake for A's NID fails there (the stateless
    // prober: no session of the peer's node stands in, and radicle's own dial would answer connected
    // to B's node before the handshake fails). If it passes, say what the edge and the nodes looked
    // like, so a routing fault can be told from a radicle one.
    const atB = { address: `${labelOf(ORG_B)}.${zone}`, port: b.port, timeoutMs: 5_000 };
    const cross = await proveHandshake(peer, { nid: a.nid, ...atB });
    if (cross?.ok) throw new Error(`B's endpoint answered as A\n${await crossEvidence(a.nid)}`);
    expect(cross).toMatchObject({ ok: false, kind: 'wrong-nid' });
    expect(await proveHandshake(peer, { nid: b.nid, ...atB })).toMatchObject({ ok: true });
  });

  it('a controller SIGKILLed mid-provision converges after a restart, with no duplicate container', async () => {
    const w = world();
    const { dep } = deployerRun();
    const first = launch(w);
    const expiry = await pay(w, ORG_A);
    await first.waitFor((e) => e.msg === 'org-node created', 60_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const second = launch(w);
    const rec = await published(ORG_A, expiry);
    expect((await nodeOverHttp(ORG_A, rec.address)).id).toBe(rec.nid);
    const nodes = await orgContainers(dep.id, ORG_A);
    expect(nodes).toHaveLength(1);
    const all = await dockerEngine().listContainers({
      all: true,
      filters: { label: [`oneclick.run=${dep.id}`] },
    });
    expect(all.map((c) => c.Labels['oneclick.role']).sort()).toEqual(['edge', 'org-node']);
    // The restarted controller adopted the container the first one created.
    const created = second.entries().filter((e) => e.msg === 'org-node created');
    expect(created).toEqual([]);

    // Drift: a container removed behind the controller's back comes back on the next pass, same NID.
    await dockerEngine().getContainer(nodes[0]!.Id).remove({ force: true });
    await eventually(
      'org-node recreated',
      async () => {
        const now = await orgContainers(dep.id, ORG_A);
        return now.length === 1 && now[0]!.Id !== nodes[0]!.Id && now[0]!.State === 'running'
          ? true
          : undefined;
      },
      30_000,
    );
    expect((await nodeOverHttp(ORG_A, rec.address)).id).toBe(rec.nid);
    expect(await orgContainers(dep.id, ORG_A)).toHaveLength(1);
  });

  it('DeploymentStopped (cancel) tears down at once, without waiting for expiry or grace', async () => {
    const w = world();
    const { dep } = deployerRun();
    launch(w);
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, expiry);
    await w.send(cancel(w.user, w.d.ethProvider, ORG_A));
    await mine(w.test, 1);
    expect(await w.test.getBlockNumber({ cacheTime: 0 })).toBeLessThan(expiry);
    await unpublished(ORG_A);
    await eventually('org-node container removed', async () =>
      (await orgContainers(dep.id, ORG_A)).length === 0 ? true : undefined,
    );
    const host = `${labelOf(ORG_A)}.${topology.dns.zone}`;
    expect((await httpGet(rec.address, '/api/v1/node', { host })).status).toBe(404);
  });

  it('a renewal after expiry within retention restores the same NID and the repositories made before expiry', async () => {
    const w = world();
    const { dep } = deployerRun();
    launch(w, { graceBlocks: 5, retentionBlocks: 40 });
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, expiry);
    const [node] = await orgContainers(dep.id, ORG_A);
    expect(node).toBeDefined();

    // A repository made inside the org-node (its own storage, on the org's volume).
    const docker = dockerEngine();
    const name = `kept-${Date.now().toString(36)}`;
    const made = await execIn(docker, node!.Id, [
      'bash',
      '-c',
      'set -e; d=/tmp/$1; mkdir -p $d; cd $d; git init -q -b main; echo "# $1" > README.md; git add -A; ' +
        'git commit -q -m init; rad init --name $1 --description kept --default-branch main --public ' +
        '--no-confirm >/dev/null 2>&1; rad .; git rev-parse HEAD',
      '_',
      name,
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const [rid, head] = made.stdout.trim().split('\n').slice(-2);
    expect(rid).toMatch(/^rad:z/);
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    const refsIn = async (id: string) => {
      const r = await execIn(docker, id, [
        'bash',
        '-c',
        'git -C "$RAD_HOME/storage/${1#rad:}" show-ref',
        '_',
        rid!,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout;
    };
    const mainRef = `${head} refs/namespaces/${rec.nid}/refs/heads/main`;
    expect(await refsIn(node!.Id)).toContain(mainRef);

    // Expiry + grace (+1 confirmation): torn down, the volume kept.
    const now = await w.test.getBlockNumber({ cacheTime: 0 });
    await mine(w.test, Number(expiry - now) + 5 + 2);
    await unpublished(ORG_A);
    await eventually('org-node container removed', async () =>
      (await orgContainers(dep.id, ORG_A)).length === 0 ? true : undefined,
    );

    // Renewal within retention: a new container on the same volume, same NID, the repository's refs.
    const renewed = await pay(w, ORG_A);
    const back = await published(ORG_A, renewed);
    expect(back).toMatchObject({ nid: rec.nid, port: rec.port, expiry: renewed });
    const [again] = await orgContainers(dep.id, ORG_A);
    expect(again).toBeDefined();
    expect(again!.Id).not.toBe(node!.Id);
    expect(await refsIn(again!.Id)).toContain(mainRef);
    const host = `${labelOf(ORG_A)}.${topology.dns.zone}`;
    const served = await eventually('the kept repository served', async () => {
      const r = await httpGet(back.address, `/api/v1/repos/${rid}`, { host });
      return r.status === 200 ? r.body : undefined;
    });
    expect(served).toContain(rid!.slice(4));
  });

  it('suspend by the provider owner tears down at once, like a cancel', async () => {
    const w = world();
    const { dep } = deployerRun();
    launch(w);
    const expiry = await pay(w, ORG_A);
    const rec = await published(ORG_A, expiry);
    await w.send(suspend(w.providerOwner, w.d.ethProvider, ORG_A));
    await mine(w.test, 1);
    expect(await w.test.getBlockNumber({ cacheTime: 0 })).toBeLessThan(expiry);
    await unpublished(ORG_A);
    await eventually('org-node container removed', async () =>
      (await orgContainers(dep.id, ORG_A)).length === 0 ? true : undefined,
    );
    const host = `${labelOf(ORG_A)}.${topology.dns.zone}`;
    expect((await httpGet(rec.address, '/api/v1/node', { host })).status).toBe(404);
  });

  it('a top-up reorged away before its confirmation never creates an org-node nor a record', async () => {
    const w = world();
    const { dep } = deployerRun();
    const d = launch(w);
    await d.waitFor((e) => e.msg === 'caught up');
    // Mined in its own block (automine), not confirmed yet (ONECLICK_CONFIRMATIONS=1): reorged away.
    await w.send(topUp(w.user, w.d.ethProvider, ORG_A, 1));
    await reorg(w.test, 1);
    expect(await expiryOf(w.test, w.d.ethProvider, ORG_A)).toBe(0n);
    // Over a few blocks (each a watcher poll and a pass later), nothing for that org, ever.
    const name = labelOf(ORG_A);
    for (let i = 0; i < 5; i++) {
      await mine(w.test, 1);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await orgContainers(dep.id, ORG_A)).toEqual([]);
      expect(await topology.resolve(peer, `${name}._radicle-node._tcp`, 'TXT')).toEqual([]);
      expect(await topology.resolve(peer, name, 'A')).toEqual([]);
    }
    expect(d.entries().filter((e) => e.msg === 'org-node created' || e.msg === 'org published')).toEqual([]);
  });

  it('an Anchored repository is seeded by its org-node (rad seed), fetched from a peer that has it (on a cluster network the deployer made)', async () => {
    const w = world();
    const { dep } = deployerRun();
    const d = launch(w, { useTopologyCluster: false });
    const org = createdOrg(await w.send(createOrg(w.orgOwner, w.d.orgFactory)));
    current!.orgs.push(org);
    const expiry = await pay(w, org);
    const rec = await published(org, expiry);
    const repo = await createRepo(peer, `anchored-${Date.now().toString(36)}`);
    await connect(peer, `${rec.nid}@${labelOf(org)}.${topology.dns.zone}:${rec.port}`, { timeoutMs: 20_000 });

    await w.send(anchor(w.orgOwner, org, anchorIdOf(repo.rid), 0, '0x1220aa'));
    await mine(w.test, 1);
    const seeded = await d.waitFor((e) => e.msg === 'seeding anchored repository', 60_000);
    expect(seeded.repo).toBe(repo.rid);
    const host = `${labelOf(org)}.${topology.dns.zone}`;
    const info = await eventually(
      'anchored repository served by the org-node',
      async () => {
        const r = await httpGet(rec.address, `/api/v1/repos/${repo.rid}`, { host });
        return r.status === 200 ? (JSON.parse(r.body) as { rid?: string; id?: string }) : undefined;
      },
      60_000,
      500,
    );
    expect(JSON.stringify(info)).toContain(repo.rid.slice(4));
    expect((await labelled(dep.id)).networks).toEqual([`oc-${dep.id}-cluster`]);
  });
});
