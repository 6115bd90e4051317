/**
 * The deployer's own RFC 2136 updates against the world's real DNS server (Knot): one signed
 * message carrying many orgs' records, their removal, and a wrong key refused. Sent from the host,
 * as the deployer process sends them (its container sits on the same `internet` network).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../../harness/deployer/config.js';
import { createDns, type OrgRecords } from '../../harness/deployer/dns.js';
import { startRun, type Run } from '../../harness/docker/index.js';
import { resolve, startTopology, type Topology } from '../../harness/net/index.js';

let run: Run;
let topo: Topology;

beforeAll(async () => {
  run = startRun('dnsupd');
  topo = await startTopology(run, { lans: [] });
});

afterAll(async () => {
  await run?.dispose();
});

const config = () => ({
  server: { host: topo.dns.address, port: 53 },
  zone: topo.dns.zone,
  tsig: secret({
    name: topo.dns.tsig.name,
    algorithm: topo.dns.tsig.algorithm,
    secret: topo.dns.tsig.secret,
  }),
});
const ask = (name: string, type: 'A' | 'PTR' | 'SRV') =>
  resolve(topo.dns.container, name, type, { server: '127.0.0.1' });
const askTxt = (name: string) => resolve(topo.dns.container, name, 'TXT', { server: '127.0.0.1' });
const orgRecords = (i: number): OrgRecords => ({
  label: i.toString(16).padStart(40, '0'),
  address: '198.51.100.40',
  port: 30000 + i,
  nid: `z6MkTest${i}`,
  expiry: 1000n + BigInt(i),
});

describe('RFC 2136 updates from the deployer (real Knot)', () => {
  it('publishes many orgs at once (coalesced), replaces on republish, removes', async () => {
    const sent: number[] = [];
    const dns = createDns(config());
    const orgs = Array.from({ length: 60 }, (_, i) => orgRecords(i + 1));
    await Promise.all(orgs.map((r) => dns.publish(r).then(() => sent.push(r.port))));
    expect(sent).toHaveLength(60);
    const zone = topo.dns.zone;
    const last = orgs[59]!;
    expect(await ask(`${last.label}.${zone}`, 'A')).toEqual(['198.51.100.40']);
    const instance = (label: string) => `${label}._radicle-node._tcp.${zone}`;
    expect(await ask(instance(last.label), 'SRV')).toEqual([`0 0 ${last.port} ${last.label}.${zone}.`]);
    expect(await askTxt(instance(last.label))).toEqual([[`nid=${last.nid}`, `expiry=${last.expiry}`]]);
    expect(await ask(`_radicle-node._tcp.${zone}`, 'PTR')).toHaveLength(60);

    await dns.publish({ ...last, expiry: 5000n });
    expect(await askTxt(instance(last.label))).toEqual([[`nid=${last.nid}`, 'expiry=5000']]);

    await dns.remove(orgs[0]!.label);
    expect(await ask(`_radicle-node._tcp.${zone}`, 'PTR')).toHaveLength(59);
    await Promise.all(orgs.map((r) => dns.remove(r.label)));
    expect(await askTxt(instance(last.label))).toEqual([]);
    expect(await ask(instance(orgs[0]!.label), 'SRV')).toEqual([]);
    expect(await ask(`_radicle-node._tcp.${zone}`, 'PTR')).toEqual([]);
  });

  it('a wrong key is refused (NOTAUTH), nothing is written, and the error shows no secret', async () => {
    const wrong = Buffer.from('not the key of this zone, 32 byte').toString('base64');
    const dns = createDns({ ...config(), tsig: secret({ ...config().tsig.reveal(), secret: wrong }) });
    const r = orgRecords(99);
    const error = await dns.publish(r).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/NOTAUTH/);
    expect(error?.message).not.toContain(wrong);
    expect(error?.message).not.toContain(topo.dns.tsig.secret);
    expect(await ask(`${r.label}.${topo.dns.zone}`, 'A')).toEqual([]);
  });
});
