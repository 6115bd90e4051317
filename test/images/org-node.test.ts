import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, type StartedContainer } from '../../harness/docker/container.js';
import { createNetwork, createVolume } from '../../harness/docker/network.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage } from '../../harness/images/index.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../../harness/net/subnets.js';
import {
  control,
  createRepo,
  httpFrom,
  orgNodeEnv,
  proveHandshake,
  reaches,
  refs,
  waitReady,
  type NodeEnvOptions,
} from '../../harness/peers/index.js';

// These tests are about oneclick's own org-node image (its entrypoint, supervisor and API), so they
// use it even when ONECLICK_ORGNODE_IMAGE points the certification at another image.
let run: Run;
let image: string;
let network: string;
let n = 0;
/** A real node's NID (RAD_KEYGEN_SEED 11…, the test below) that no other node here holds. */
const OTHER_NID = 'z6MktULudTtAsAhRegYPiZ6631RV3viv12qd4GQF8z1xB22S';

beforeAll(async () => {
  run = startRun('orgnode');
  image = await ensureImage('org-node');
  network = await createOnFreeSubnet('org-node tests', SUBNET_POOLS.internet, async (subnet) => {
    const net = await createNetwork({ name: `${run.id}-net`, subnet, labels: run.labels() });
    return net.name;
  });
});

afterAll(async () => {
  await run?.dispose();
});

async function startNode(
  env: NodeEnvOptions = {},
  volume?: string,
  withoutEnv: readonly string[] = [],
): Promise<StartedContainer> {
  const vars = orgNodeEnv({ alias: `node${n + 1}`, ...env });
  for (const name of withoutEnv) delete vars[name];
  const b = container(image)
    .named(`${run.id}-node${++n}`)
    .withLabels(run.labels())
    .withNetwork(network)
    .withEnv(vars);
  if (volume) b.withMount(volume, '/radicle');
  const c = await b.start();
  await waitReady(c, 60_000);
  return c;
}

async function api<T>(c: StartedContainer, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://${await c.ipOn(network)}:8080${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

interface NodeInfo {
  id: string;
  agent: string;
  state: string;
  config: { network: string; externalAddresses: string[]; listen: string[]; seedingPolicy: unknown } | null;
  supervisor: { pid: number; restarts: number };
}

describe('the org-node image', () => {
  it('becomes ready, and /api/v1/node returns the NID that `rad self --nid` prints', async () => {
    const node = await startNode();
    const printed = (await node.run(['rad', 'self', '--nid'])).trim();
    // No engine health check: it would cost an exec per check and container.
    expect((await node.inspect()).Config.Healthcheck).toBeUndefined();
    expect((await node.run(['orgnode-api', 'ready', '5'])).trim()).toBe(printed);
    expect(printed).toMatch(/^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
    const { status, body } = await api<NodeInfo>(node, '/api/v1/node');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: printed, state: 'running', agent: 'radicle-node/0.21.1' });
    expect((await api(node, '/healthz')).status).toBe(200);

    // A harness peer (orgNodeEnv) is driven over its control listener, not an exec per command.
    const ip = await node.ipOn(network);
    const id = await control(node, { command: 'nodeId' }, 5_000);
    expect(id).toMatchObject({ ok: true, answer: JSON.stringify(printed) });
    expect(id.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(await reaches(node, ip, 8080, 2_000)).toBe(true);
    expect(await reaches(node, ip, 1, 2_000)).toBe(false);
    const got = await httpFrom(node, { address: ip, port: 8080, path: '/api/v1/node', timeoutMs: 3_000 });
    expect(got?.status).toBe(200);
    expect(JSON.parse(got!.body)).toMatchObject({ id: printed });

    // The stateless handshake prober: only the node holding the NID passes, whatever was asked before.
    const prove = (nid: string, port = 8776) =>
      proveHandshake(node, { nid, address: ip, port, timeoutMs: 3_000 });
    expect(await prove(printed)).toMatchObject({ ok: true });
    expect(await prove(OTHER_NID)).toMatchObject({ ok: false, kind: 'wrong-nid' });
    expect(await prove(printed)).toMatchObject({ ok: true });
    expect(await prove(printed, 1)).toMatchObject({ ok: false, kind: 'refused' });
  });

  it("serves no control listener unless asked (a provider's node): the harness falls back to exec", async () => {
    const node = await startNode({}, undefined, ['ONECLICK_CONTROL_LISTEN']);
    const ip = await node.ipOn(network);
    await expect(fetch(`http://${ip}:8781/control`, { method: 'POST', body: '{}' })).rejects.toThrow();
    const id = await control(node, { command: 'nodeId' }, 5_000);
    expect(id.ok).toBe(true);
    expect(id.answer).toMatch(/^"z6Mk/);
    expect(id.elapsedMs).toBeUndefined();
    expect(await reaches(node, ip, 8080, 2_000)).toBe(true);
    expect(
      await httpFrom(node, { address: ip, port: 8080, path: '/healthz', timeoutMs: 3_000 }),
    ).toBeUndefined();
    // The handshake prober by exec judges the same (a LAN peer's way).
    const prove = (nid: string) => proveHandshake(node, { nid, address: ip, port: 8776, timeoutMs: 3_000 });
    expect(await prove(JSON.parse(id.answer) as string)).toMatchObject({ ok: true });
    expect(await prove(OTHER_NID)).toMatchObject({ ok: false, kind: 'wrong-nid' });
  });

  it('writes config.json from the environment, and radicle-node 0.21.1 accepts every key', async () => {
    const node = await startNode({
      seedingPolicy: 'allow',
      listen: ['0.0.0.0:8776'],
      externalAddresses: ['seed.org.test:8776', '203.0.113.9:8776'],
      connect: ['z6MktULudTtAsAhRegYPiZ6631RV3viv12qd4GQF8z1xB22S@nowhere.org.test:8776'],
    });
    const file = JSON.parse(await node.run(['cat', '/radicle/config.json'])) as {
      preferredSeeds: string[];
      node: Record<string, unknown>;
    };
    expect(file.preferredSeeds).toEqual([]);
    expect(file.node).toMatchObject({
      alias: expect.stringMatching(/^node\d+$/),
      network: 'test',
      connect: ['z6MktULudTtAsAhRegYPiZ6631RV3viv12qd4GQF8z1xB22S@nowhere.org.test:8776'],
    });
    // What the running node actually loaded, from its control socket via the API.
    const { body } = await api<NodeInfo>(node, '/api/v1/node');
    expect(body.config).toMatchObject({
      network: 'test',
      listen: ['0.0.0.0:8776'],
      externalAddresses: ['seed.org.test:8776', '203.0.113.9:8776'],
      seedingPolicy: { default: 'allow', scope: 'all' },
    });
    // radicle-node only warns about keys it does not know: there must be none.
    expect(await node.logs(500)).not.toMatch(/Unused or deprecated configuration attribute/);
  });

  it('RAD_KEYGEN_SEED makes the identity deterministic', async () => {
    const node = await startNode({ keygenSeed: '11'.repeat(32) });
    expect((await api<NodeInfo>(node, '/api/v1/node')).body.id).toBe(
      'z6MktULudTtAsAhRegYPiZ6631RV3viv12qd4GQF8z1xB22S',
    );
  });

  it('a node recreated on the same volume keeps its NID and its repos', async () => {
    const volume = await createVolume(`${run.id}-keep`, run.labels());
    const first = await startNode({}, volume);
    const nidBefore = (await api<NodeInfo>(first, '/api/v1/node')).body.id;
    const repo = await createRepo(first, 'kept', { description: 'survives a recreate' });
    const refsBefore = await refs(first, repo.rid);
    expect(refsBefore['refs/heads/main']).toMatch(/^[0-9a-f]{40}$/);
    await first.remove();

    const second = await startNode({}, volume);
    expect((await api<NodeInfo>(second, '/api/v1/node')).body.id).toBe(nidBefore);
    // Every ref is unchanged, except that radicle-node 0.21.1 migrates sigrefs written by rad 0.23.0 on
    // its first start ("Migrating `rad/sigrefs` ... to force feature level parent"): a new signed-refs
    // commit on top of the old one. So the sigrefs must be the same commit or a descendant of it.
    const refsAfter = await refs(second, repo.rid);
    expect(Object.keys(refsAfter).sort()).toEqual(Object.keys(refsBefore).sort());
    for (const [name, oid] of Object.entries(refsBefore)) {
      if (!name.endsWith('/refs/rad/sigrefs')) {
        expect(refsAfter[name], name).toBe(oid);
        continue;
      }
      const storage = `/radicle/storage/${repo.rid.slice(4)}`;
      await second.run(['git', '-C', storage, 'merge-base', '--is-ancestor', oid, refsAfter[name]!]);
    }
    expect(await second.logs()).toContain(`reusing identity ${nidBefore}`);
    const listed = await api<Array<{ rid: string }>>(second, '/api/v1/repos?show=all');
    expect(listed.body.map((r) => r.rid)).toContain(repo.rid);
  });

  it('the supervisor restarts a killed radicle-node, and the API says stopped until it is back', async () => {
    const node = await startNode();
    const before = (await api<NodeInfo>(node, '/api/v1/node')).body;
    await node.run(['bash', '-c', 'kill -9 "$1"', '_', String(before.supervisor.pid)]);
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    let after = before;
    while (Date.now() < deadline) {
      after = (await api<NodeInfo>(node, '/api/v1/node')).body;
      seen.add(after.state);
      if (after.supervisor.restarts === 1 && after.state === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toContain('stopped');
    expect(after).toMatchObject({ id: before.id, state: 'running', supervisor: { restarts: 1 } });
    expect(after.supervisor.pid).not.toBe(before.supervisor.pid);
  });

  it('docker stop shuts radicle-node down cleanly (exit 0, well before the kill timeout)', async () => {
    const node = await startNode();
    const started = Date.now();
    await node.stop(10);
    const info = await node.inspect();
    expect(info.State.ExitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await node.logs(20)).toMatch(/radicle-node stopped/);
  });
});
