import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedContainer } from '../../harness/docker/container.js';
import { createNetwork } from '../../harness/docker/network.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage } from '../../harness/images/index.js';
import { startTopology, type Host, type Topology } from '../../harness/net/index.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../../harness/net/subnets.js';
import {
  clone,
  commit,
  connect,
  createRepo,
  fetch,
  nid,
  orgNodeEnv,
  push,
  refs,
  seed,
  sessions,
  startPeer,
  waitForRefs,
  waitReady,
  type LocalRepo,
  type Refs,
} from '../../harness/peers/index.js';

interface RepoView {
  rid: string;
  payloads: { 'xyz.radicle.project': { data: Record<string, string>; meta: { head: string } } };
  delegates: Array<{ id: string }>;
  threshold: number;
  visibility: { type: string };
  seeding: number;
}

/**
 * The replication scenario both topologies run: A pushes to the seed B over a session A opened,
 * and C, which only knows B, fetches the repository from B. Returns what each side holds.
 */
async function pushThroughSeed(a: StartedContainer, b: StartedContainer, c: StartedContainer, bDial: string) {
  const [nidA, nidB] = await Promise.all([nid(a), nid(b)]);
  await connect(a, `${nidB}@${bDial}:8776`);
  const repo = await createRepo(a, 'hello', { description: 'pushed by A, fetched by C via B' });
  const head = await commit(a, repo, { 'src/main.txt': 'second commit\n' }, 'Second commit');
  expect((await push(a, repo)).head).toBe(head);
  // B replicates A's namespace over the session A opened (B never dials A).
  const atB = await waitForRefs(b, repo.rid, (r) => r[`refs/namespaces/${nidA}/refs/heads/main`] === head);

  await connect(c, `${nidB}@${bDial}:8776`);
  await seed(c, repo.rid);
  const fetched = await fetch(c, repo.rid, nidB);
  expect(fetched.fetchedFrom).toContain(nidB);
  return { nidA, nidB, repo, head, atA: await refs(a, repo.rid), atB, atC: await refs(c, repo.rid) };
}

function expectSameRefs(atA: Refs, atB: Refs, atC: Refs, nidA: string, head: string): void {
  expect(atA[`refs/namespaces/${nidA}/refs/heads/main`]).toBe(head);
  expect(atA['refs/heads/main']).toBe(head);
  // Same ref names, same object ids: git objects are content-addressed, so the replicas are byte-identical.
  expect(atB).toEqual(atA);
  expect(atC).toEqual(atA);
}

async function apiRepos(host: string): Promise<RepoView[]> {
  const res = await fetch_(`http://${host}:8080/api/v1/repos?show=all`);
  expect(res.status).toBe(200);
  return (await res.json()) as RepoView[];
}
const fetch_ = globalThis.fetch;

function expectListed(list: RepoView[], repo: LocalRepo, head: string, nidA: string): void {
  const view = list.find((r) => r.rid === repo.rid);
  expect(view).toMatchObject({
    rid: repo.rid,
    payloads: {
      'xyz.radicle.project': {
        data: { name: 'hello', description: 'pushed by A, fetched by C via B', defaultBranch: 'main' },
        meta: { head },
      },
    },
    delegates: [{ id: `did:key:${nidA}` }],
    threshold: 1,
    visibility: { type: 'public' },
  });
  expect(view!.seeding).toBeGreaterThanOrEqual(1);
}

/** git smart-HTTP from B's API, cloned inside C: the same head and tree as A pushed. */
async function expectHttpClone(
  c: StartedContainer,
  bHttp: string,
  repo: LocalRepo,
  head: string,
  a: StartedContainer,
) {
  const url = `http://${bHttp}:8080/${repo.rid.slice(4)}.git`;
  await c.run(['git', 'clone', '-q', url, '/work/http-clone']);
  expect((await c.run(['git', '-C', '/work/http-clone', 'rev-parse', 'HEAD'])).trim()).toBe(head);
  const tree = (x: StartedContainer, dir: string) => x.run(['git', '-C', dir, 'ls-tree', '-r', 'HEAD']);
  expect(await tree(c, '/work/http-clone')).toBe(await tree(a, repo.dir));
}

describe('outside peers on one plain bridge (no NAT)', () => {
  let run: Run;
  let network: string;
  let a: StartedContainer;
  let b: StartedContainer;
  let c: StartedContainer;
  let bIp: string;

  beforeAll(async () => {
    run = startRun('peers');
    await ensureImage('org-node');
    network = await createOnFreeSubnet('peer tests', SUBNET_POOLS.internet, async (subnet) => {
      return (await createNetwork({ name: `${run.id}-net`, subnet, labels: run.labels() })).name;
    });
    [a, b, c] = await Promise.all([
      startPeer(run, { alias: 'alice', network }),
      startPeer(run, { alias: 'seed-b', network, seedingPolicy: 'allow' }),
      startPeer(run, { alias: 'carol', network }),
    ]);
    bIp = await b.ipOn(network);
  });

  afterAll(async () => {
    await run?.dispose();
  });

  it('a repo pushed by A reaches C through B, and the refs match byte for byte on all three', async () => {
    const r = await pushThroughSeed(a, b, c, bIp);
    expectSameRefs(r.atA, r.atB, r.atC, r.nidA, r.head);

    const atB = await sessions(b);
    expect(atB.filter((s) => s.state === 'connected' && s.link === 'inbound').map((s) => s.nid)).toEqual(
      expect.arrayContaining([r.nidA, await nid(c)]),
    );
    expectListed(await apiRepos(bIp), r.repo, r.head, r.nidA);
    await expectHttpClone(c, bIp, r.repo, r.head, a);

    const copy = await clone(c, r.repo.rid, { seed: r.nidB, name: 'rad-clone' });
    expect((await c.run(['git', '-C', copy.dir, 'rev-parse', 'HEAD'])).trim()).toBe(r.head);
  });
});

describe('outside peers behind NAT (harness/net): clients only dial out to a public seed', () => {
  let run: Run;
  let topo: Topology;
  let a: Host;
  let b: Host;
  let c: Host;
  let d: Host;

  beforeAll(async () => {
    run = startRun('peersnat');
    const image = await ensureImage('org-node');
    topo = await startTopology(run, { lans: [{ name: 'home' }, { name: 'office' }], cluster: false });
    const env = (alias: string, policy: 'allow' | 'block' = 'block') => ({
      name: alias,
      hostname: alias,
      configure: (builder: { withEnv(e: Record<string, string>): unknown }) =>
        void builder.withEnv(
          orgNodeEnv({ alias, seedingPolicy: policy, externalAddresses: ['seed.oneclick.test:8776'] }),
        ),
    });
    [a, b, c, d] = await Promise.all([
      topo.addHost('home', image, env('alice')),
      topo.addPublicHost(image, env('seed-b', 'allow')),
      topo.addHost('office', image, env('carol')),
      topo.addPublicHost(image, env('dave')),
    ]);
    await Promise.all([a, b, c, d].map((p) => waitReady(p)));
    await topo.dnsUpdate({ add: { type: 'A', name: 'seed', address: b.address } });
  });

  afterAll(async () => {
    await run?.dispose();
  });

  // A public node other than B: radicle keeps retrying a failed dial (rad node connect is persistent),
  // and while that dial hangs it may close the NATed client's own inbound session as a "conflict".
  it('a public node cannot dial a NATed client', async () => {
    const nidA = await nid(a);
    await expect(connect(d, `${nidA}@${a.publicAddress}:8776`, { timeoutMs: 3_000 })).rejects.toThrow(
      /could not connect/,
    );
  });

  it('a repo pushed by A (home NAT) reaches C (office NAT) through the public seed B, by DNS name', async () => {
    const r = await pushThroughSeed(a, b, c, 'seed.oneclick.test');
    const nidC = await nid(c);
    expectSameRefs(r.atA, r.atB, r.atC, r.nidA, r.head);
    // B sees A and C as their routers' public addresses: the sessions run through the NATs.
    const atB = await sessions(b);
    const fromA = atB.find((s) => s.nid === r.nidA && s.state === 'connected');
    const fromC = atB.find((s) => s.nid === nidC && s.state === 'connected');
    expect(fromA).toMatchObject({ link: 'inbound' });
    expect(fromA!.addr.split(':')[0]).toBe(a.publicAddress);
    expect(fromC).toMatchObject({ link: 'inbound' });
    expect(fromC!.addr.split(':')[0]).toBe(c.publicAddress);
    expectListed(await apiRepos(b.address), r.repo, r.head, r.nidA);
    await expectHttpClone(c, 'seed.oneclick.test', r.repo, r.head, a);
  });
});
