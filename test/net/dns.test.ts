import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun, type Run } from '../../harness/docker/index.js';
import {
  DnsUpdateError,
  resolve,
  startTopology,
  tsigKey,
  type Host,
  type Topology,
} from '../../harness/net/index.js';
import { ensureBase } from '../../harness/images/index.js';
import { idle, leftovers } from './probes.js';

let run: Run;
let topo: Topology;
let peer: Host; // in a NATed home LAN
let clusterHost: Host;
const errors: string[] = []; // every refusal message, checked for the secret at the end

beforeAll(async () => {
  run = startRun('nettest');
  topo = await startTopology(run, { lans: [{ name: 'home' }] });
  [peer, clusterHost] = await Promise.all([
    topo.addHost('home', topo.images.router, { name: 'peer', configure: idle }),
    topo.addClusterHost(topo.images.router, { name: 'node', configure: idle }),
  ]);
});

afterAll(async () => {
  if (!run) return;
  await run.dispose();
  expect(await leftovers(run.id)).toEqual([]);
});

async function refusal(promise: Promise<unknown>): Promise<DnsUpdateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DnsUpdateError);
  errors.push((error as Error).message);
  return error as DnsUpdateError;
}

describe('authoritative DNS with TSIG-only dynamic updates', () => {
  it('serves the zone (SOA, NS glue) to a peer in a NATed LAN through the topology resolver', async () => {
    expect(topo.dns.zone).toBe('oneclick.test');
    expect(await topo.resolve(peer, 'ns', 'A')).toEqual([topo.dns.address]);
    // No explicit server: the peer's own /etc/resolv.conf is used.
    expect(await resolve(peer, 'oneclick.test', 'NS')).toEqual(['ns.oneclick.test.']);
  });

  it('refuses an unsigned update (NOTAUTH)', async () => {
    const error = await refusal(
      topo.dnsUpdate({ add: { type: 'A', name: 'unsigned', address: '198.51.100.200' } }, { tsig: null }),
    );
    expect(error.rcode).toMatch(/^(NOTAUTH|REFUSED)$/);
    expect(error.tsigError).toBeUndefined();
    expect(await topo.resolve(peer, 'unsigned', 'A')).toEqual([]);
  });

  it('refuses an update signed with a wrong secret, and one signed with an unknown key name', async () => {
    const wrongSecret = tsigKey(topo.dns.tsig.name);
    const badSig = await refusal(
      topo.dnsUpdate(
        { add: { type: 'A', name: 'forged', address: '198.51.100.201' } },
        { tsig: wrongSecret },
      ),
    );
    expect(badSig).toMatchObject({ rcode: 'NOTAUTH', tsigError: 'BADSIG' });
    const unknown = tsigKey('someone-else', topo.dns.tsig.secret);
    const badKey = await refusal(
      topo.dnsUpdate({ add: { type: 'A', name: 'forged', address: '198.51.100.201' } }, { tsig: unknown }),
    );
    expect(badKey).toMatchObject({ rcode: 'NOTAUTH', tsigError: 'BADKEY' });
    expect(await topo.resolve(peer, 'forged', 'A')).toEqual([]);
    for (const message of errors) {
      expect(message).not.toContain(wrongSecret.secret);
      expect(message).not.toContain(topo.dns.tsig.secret);
    }
  });

  it('applies signed A, SRV and TXT updates, which resolve from a LAN peer and from the cluster', async () => {
    await topo.dnsUpdate([
      { add: { type: 'A', name: 'seed1', address: '198.51.100.61' } },
      { add: { type: 'A', name: 'seed1', address: '198.51.100.62' } },
      {
        add: {
          type: 'SRV',
          name: '_radicle._tcp.seed1',
          target: 'seed1',
          port: 8776,
          priority: 10,
          weight: 5,
        },
      },
      { add: { type: 'TXT', name: 'seed1', text: ['rid=z42', 'did:key:z6Mk "quoted"'] } },
    ]);
    expect((await topo.resolve(peer, 'seed1', 'A')).sort()).toEqual(['198.51.100.61', '198.51.100.62']);
    expect(await topo.resolve(peer, '_radicle._tcp.seed1', 'SRV')).toEqual([
      '10 5 8776 seed1.oneclick.test.',
    ]);
    expect(await topo.resolve(peer, 'seed1', 'TXT')).toEqual([['rid=z42', 'did:key:z6Mk "quoted"']]);
    expect(clusterHost.resolver).toBe(topo.dns.clusterAddress);
    expect((await topo.resolve(clusterHost, 'seed1.oneclick.test', 'A')).sort()).toEqual([
      '198.51.100.61',
      '198.51.100.62',
    ]);
  });

  it('deletes one record, an RRset, and a whole name', async () => {
    await topo.dnsUpdate({ delete: { type: 'A', name: 'seed1', address: '198.51.100.62' } });
    expect(await topo.resolve(peer, 'seed1', 'A')).toEqual(['198.51.100.61']);
    await topo.dnsUpdate({ delete: { name: '_radicle._tcp.seed1', type: 'SRV' } });
    expect(await topo.resolve(peer, '_radicle._tcp.seed1', 'SRV')).toEqual([]);
    await topo.dnsUpdate({ delete: { name: 'seed1' } });
    expect(await topo.resolve(peer, 'seed1', 'A')).toEqual([]);
    expect(await topo.resolve(peer, 'seed1', 'TXT')).toEqual([]);
  });

  it('accepts an update sent from a peer behind NAT with the key', async () => {
    await topo.dnsUpdate({ add: { type: 'A', name: 'from-lan', address: '203.0.113.9' } }, { via: peer });
    expect(await topo.resolve(peer, 'from-lan', 'A')).toEqual(['203.0.113.9']);
  });

  it('resolves from a container without dig or kdig through a sidecar in its network namespace', async () => {
    const base = (await ensureBase(() => undefined)).tag;
    const bare = await topo.addHost('home', base, { name: 'bare', configure: idle });
    expect((await bare.exec(['sh', '-c', 'command -v dig kdig'])).stdout.trim()).toBe('');
    await topo.dnsUpdate({ add: { type: 'TXT', name: 'bare', text: 'hello' } });
    expect(await topo.resolve(bare, 'bare', 'TXT')).toEqual([['hello']]);
  });

  it('never shows the TSIG secret: not in the key object, the container env or its logs', async () => {
    const secret = topo.dns.tsig.secret;
    expect(secret).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(JSON.stringify(topo.dns)).not.toContain(secret);
    const info = await topo.dns.container.inspect();
    expect(JSON.stringify(info.Config.Env)).not.toContain(secret);
    expect(JSON.stringify(info.Config.Cmd)).not.toContain(secret);
    expect(await topo.dns.container.logs(1000)).not.toContain(secret);
    for (const message of errors) expect(message).not.toContain(secret);
  });
});
