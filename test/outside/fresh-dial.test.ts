/**
 * Judgements owe nothing to earlier ones (real radicle nodes): a probe whose earlier dials of a NID
 * failed still sees a healthy node as served, and a session left from an earlier dial does not
 * stand in for a handshake with a node that no longer answers. HTTP is asked from inside a peer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedContainer } from '../../harness/docker/container.js';
import { createNetwork } from '../../harness/docker/network.js';
import { startRun, type Run } from '../../harness/docker/run.js';
import { ensureImage } from '../../harness/images/index.js';
import { createOnFreeSubnet, SUBNET_POOLS } from '../../harness/net/subnets.js';
import { disconnect, freshHandshake, httpGet } from '../../harness/outside/index.js';
import { nid, sessions, startPeer } from '../../harness/peers/index.js';

describe('a fresh handshake per judgement', () => {
  let run: Run;
  let probe: StartedContainer;
  let org: StartedContainer;
  let orgIp: string;
  let orgNid: string;
  let network: string;
  /** Takes the org-node off the network (pausing is not reliable on every engine): dials go nowhere. */
  const unreachable = async <T>(during: () => Promise<T>): Promise<T> => {
    await org.disconnect(network);
    try {
      return await during();
    } finally {
      await org.connect(network, { ip: orgIp });
    }
  };

  beforeAll(async () => {
    run = startRun('fresh');
    await ensureImage('org-node');
    network = await createOnFreeSubnet('fresh-dial test', SUBNET_POOLS.internet, async (subnet) => {
      return (await createNetwork({ name: `${run.id}-net`, subnet, labels: run.labels() })).name;
    });
    [probe, org] = await Promise.all([
      startPeer(run, { alias: 'probe', network }),
      startPeer(run, { alias: 'org', network }),
    ]);
    orgIp = await org.ipOn(network);
    orgNid = await nid(org);
  }, 180_000);

  afterAll(async () => {
    await run?.dispose();
  });

  it('a healthy org does not look unserved after failed dials of its NID', async () => {
    // What earlier failed judgements leave behind: a dial at a port nothing listens on, and one at
    // the right port while the node was unreachable.
    expect((await freshHandshake(probe, orgNid, orgIp, 9, 2_000)).ok).toBe(false);
    await unreachable(async () =>
      expect((await freshHandshake(probe, orgNid, orgIp, 8776, 2_000)).ok).toBe(false),
    );
    const hs = await freshHandshake(probe, orgNid, orgIp, 8776);
    expect(hs, hs.error).toMatchObject({ ok: true });
    // And it leaves no session behind for the next judgement to lean on.
    expect((await sessions(probe)).filter((s) => s.nid === orgNid && s.state === 'connected')).toEqual([]);
  }, 120_000);

  it('a session from an earlier dial does not stand in for a node that stopped answering', async () => {
    // Dial until the session stands. A dial that timed out (a loaded machine) leaves a persistent
    // session `disconnected` until its back-off ends, and radicle refuses a new dial while it
    // exists: end it first.
    await expect
      .poll(
        async () => {
          const before = (await sessions(probe)).find((s) => s.nid === orgNid)?.state;
          if (before && before !== 'connected') await disconnect(probe, orgNid);
          await probe.exec(['rad', 'node', 'connect', `${orgNid}@${orgIp}:8776`, '--timeout', '10s']);
          return (await sessions(probe)).find((s) => s.nid === orgNid)?.state;
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe('connected');
    // The session outlives the node's reachability (nothing closes it), as after a SIGKILL behind NAT.
    await unreachable(async () =>
      expect((await freshHandshake(probe, orgNid, orgIp, 8776, 2_000)).ok).toBe(false),
    );
    expect((await freshHandshake(probe, orgNid, orgIp, 8776)).ok).toBe(true);
  }, 180_000);

  it('asks HTTP from inside the peer', async () => {
    const answer = await httpGet(orgIp, '/api/v1/node', { port: 8080, from: probe });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ id: orgNid });
    await expect(httpGet(orgIp, '/', { port: 9, from: probe, timeoutMs: 2_000 })).rejects.toThrow(/from /);
  }, 60_000);
});
