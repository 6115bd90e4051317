/** The runtime's pure parts and its store columns, without Docker: edge rules, DNS updates and TSIG, ports, metrics. */
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { Address, Hash } from 'viem';
import { ConfigError, parseConfig, secret } from '../../harness/deployer/config.js';
import {
  coalescing,
  createDns,
  orgLabel,
  publishChanges,
  recordsKey,
  removeChanges,
} from '../../harness/deployer/dns.js';
import { natRules, nginxConfig } from '../../harness/deployer/edge.js';
import { createMetrics } from '../../harness/deployer/metrics.js';
import { updateMessage, type Change } from '../../harness/deployer/rfc2136.js';
import { signMessage, verifyAnswer } from '../../harness/deployer/tsig.js';
import { containerName } from '../../harness/deployer/reconcile/index.js';
import { openStore, type StepWrite } from '../../harness/deployer/state/index.js';
import { tempDir } from './fixture.js';

const SECRET = 'c3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbA==';
const ID = { chainId: 31337, provider: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address };
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hash;
const orgN = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;

function stepFor(orgs: Address[]): StepWrite {
  return {
    cursor: { number: 10n, hash: hash(10) },
    events: [],
    anchors: [],
    orgs: orgs.map((org) => ({
      org,
      deployment: { expiry: 110n },
      verdict: { active: true, desired: 'run' as const, changesAt: 110n },
      block: 10n,
    })),
    removed: [],
    scans: [],
    keepBlocksFrom: 0n,
  };
}

describe('edge rules', () => {
  const routes = [
    { host: 'bb.orgs.test', port: 30001, address: '172.16.0.20' },
    { host: 'aa.orgs.test', port: 30000, address: '172.16.0.10' },
  ];

  it('forwards each org port to its own node only (DNAT + MASQUERADE), rewriting only its own chains', () => {
    expect(natRules(routes)).toBe(
      [
        '*nat',
        '-F ONECLICK-DNAT',
        '-F ONECLICK-SNAT',
        '-A ONECLICK-DNAT -p tcp --dport 30000 -j DNAT --to-destination 172.16.0.10:8776',
        '-A ONECLICK-SNAT -d 172.16.0.10/32 -p tcp --dport 8776 -j MASQUERADE',
        '-A ONECLICK-DNAT -p tcp --dport 30001 -j DNAT --to-destination 172.16.0.20:8776',
        '-A ONECLICK-SNAT -d 172.16.0.20/32 -p tcp --dport 8776 -j MASQUERADE',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(natRules([])).toBe('*nat\n-F ONECLICK-DNAT\n-F ONECLICK-SNAT\nCOMMIT\n');
  });

  it('leaves the connections a policy turns away to the edge itself, before forwarding the rest', () => {
    const lines = natRules(routes.slice(1), undefined, '-m connlimit --connlimit-above 1').split('\n');
    expect(lines.slice(3, 5)).toEqual([
      '-A ONECLICK-DNAT -p tcp --dport 30000 -m connlimit --connlimit-above 1 -j RETURN',
      '-A ONECLICK-DNAT -p tcp --dport 30000 -j DNAT --to-destination 172.16.0.10:8776',
    ]);
  });

  it('routes each Host to its own node, in a stable order (no reload when nothing changed)', () => {
    const conf = nginxConfig(routes);
    expect(conf).toBe(nginxConfig([...routes].reverse()));
    expect(conf.indexOf('server_name aa.orgs.test;')).toBeLessThan(conf.indexOf('server_name bb.orgs.test;'));
    expect(conf).toContain('proxy_pass http://172.16.0.10:8080;');
    expect(conf).toContain('proxy_pass http://172.16.0.20:8080;');
  });

  it('routes every path of a Host by default (git over HTTP too); a narrower list only those', () => {
    expect(nginxConfig(routes).match(/location \/ \{/g)).toHaveLength(routes.length);
    const apiOnly = nginxConfig(routes, ['/api/']);
    expect(apiOnly).toContain('location /api/ {');
    expect(apiOnly).not.toContain('location / {');
  });
});

describe('DNS updates', () => {
  const config = {
    server: { host: '198.51.100.2', port: 53 },
    zone: 'orgs.test',
    tsig: secret({ name: 'k', algorithm: 'hmac-sha256', secret: SECRET }),
  };
  const records = {
    label: 'ab'.repeat(20),
    address: '198.51.100.40',
    port: 30000,
    nid: 'z6MkTest',
    expiry: 123n,
  };
  const host = `${records.label}.orgs.test.`;

  it('replaces A, SRV and TXT (DNS-SD names), adds its browse PTR; removal takes only its own PTR', () => {
    const instance = `${records.label}._radicle-node._tcp.orgs.test.`;
    const browse = '_radicle-node._tcp.orgs.test.';
    expect(publishChanges('orgs.test', records)).toEqual([
      { op: 'delete-rrset', name: host, type: 'A' },
      { op: 'delete-rrset', name: instance, type: 'SRV' },
      { op: 'delete-rrset', name: instance, type: 'TXT' },
      { op: 'delete-rrset', name: host, type: 'TXT' },
      { op: 'delete-name', name: `_radicle._tcp.${host}` },
      { op: 'add', name: host, type: 'A', ttl: 30, data: '198.51.100.40' },
      {
        op: 'add',
        name: instance,
        type: 'SRV',
        ttl: 30,
        data: { priority: 0, weight: 0, port: 30000, target: host },
      },
      { op: 'add', name: instance, type: 'TXT', ttl: 30, data: ['nid=z6MkTest', 'expiry=123'] },
      { op: 'add', name: browse, type: 'PTR', ttl: 30, data: instance },
    ]);
    // A deployer that does not list its orgs (policy browsePtr: false) sends the rest unchanged.
    expect(publishChanges('orgs.test', records, false)).toEqual(
      publishChanges('orgs.test', records).slice(0, -1),
    );
    expect(removeChanges('orgs.test', records.label)).toEqual([
      { op: 'delete-name', name: host },
      { op: 'delete-name', name: instance },
      { op: 'delete-name', name: `_radicle._tcp.${host}` },
      { op: 'delete-record', name: browse, type: 'PTR', data: instance },
    ]);
    expect(recordsKey(records)).not.toBe(recordsKey({ ...records, expiry: 124n }));
  });

  it('takes one PTR out of a shared RRset with class NONE (RFC 2136 §2.5.4)', () => {
    const instance = `${records.label}._radicle-node._tcp.orgs.test.`;
    const message = updateMessage('orgs.test', removeChanges('orgs.test', records.label), 7);
    const decoded = dnsPacket.decode(message);
    const ptr = decoded.authorities?.find((r) => r.type === 'PTR');
    expect(ptr).toMatchObject({ name: '_radicle-node._tcp.orgs.test', class: 'UNKNOWN_254', ttl: 0 });
    expect((ptr as { data: string }).data).toBe(instance.replace(/\.$/, ''));
  });

  it('what is asked while an update is in flight goes out together in the next message', async () => {
    const sent: Change[][] = [];
    let release: () => void = () => undefined;
    const dns = createDns(config, async (changes) => {
      sent.push([...changes]);
      if (sent.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = dns.publish(records);
    const rest = [1, 2, 3].map((i) => dns.publish({ ...records, label: `${i}`.repeat(40) }));
    const removal = dns.remove('cd'.repeat(20));
    release();
    await Promise.all([first, ...rest, removal]);
    expect(sent.map((m) => m.length)).toEqual([9, 3 * 9 + 4]);
  });

  it('a batch splits at the message limit; a failed message fails only its own requests', async () => {
    const sent: number[] = [];
    const update = coalescing(async (changes) => {
      sent.push(changes.length);
      if (sent.length === 2) throw new Error('refused');
    }, 10);
    const change: Change = { op: 'delete-name', name: 'a.orgs.test.' };
    const results = await Promise.allSettled(
      [4, 4, 4, 4].map((n) => update(Array.from({ length: n }, () => change))),
    );
    expect(sent).toEqual([4, 8, 4]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  });

  it('the UPDATE message: opcode 5, the zone, the changes; TSIG signed and checked both ways', () => {
    const key = config.tsig.reveal();
    const changes = publishChanges('orgs.test', records);
    // dns-packet cannot decode an empty A rdata (an RRset deletion): decode the additions alone.
    const adds = dnsPacket.decode(
      updateMessage(
        'orgs.test',
        changes.filter((c) => c.op === 'add'),
        0x1234,
      ),
    );
    expect((adds as { opcode?: string }).opcode).toBe('UPDATE');
    expect(adds.questions).toEqual([{ name: 'orgs.test', type: 'SOA', class: 'IN' }]);
    expect(adds.authorities?.map((a) => `${a.name} ${a.type}`)).toEqual([
      `${records.label}.orgs.test A`,
      `${records.label}._radicle-node._tcp.orgs.test SRV`,
      `${records.label}._radicle-node._tcp.orgs.test TXT`,
      `_radicle-node._tcp.orgs.test PTR`,
    ]);
    const message = updateMessage('orgs.test', changes, 0x1234);
    // Deleting the A RRset: type A, class ANY, TTL 0, no rdata (RFC 2136 §2.5.2).
    expect(message.toString('hex')).toContain('0001' + '00ff' + '00000000' + '0000');
    const now = 1_700_000_000_000;
    const { signed, mac } = signMessage(message, key, now);
    expect(signed.readUInt16BE(10)).toBe(1);
    expect(signed.toString('latin1')).not.toContain(Buffer.from(SECRET, 'base64').toString('latin1'));

    // The server's answer: the request's header as a response, signed over the request's MAC.
    const answer = Buffer.from(message.subarray(0, 12));
    answer.writeUInt16BE(0xa800, 2);
    answer.fill(0, 4, 12);
    const signedAnswer = signMessage(answer, key, now, mac).signed;
    expect(verifyAnswer(signedAnswer, key, mac, now)).toBeUndefined();
    const otherKey = { ...key, secret: Buffer.from('another key, another mac').toString('base64') };
    expect(verifyAnswer(signedAnswer, otherKey, mac, now)).toBe('the answer has a bad MAC');
    expect(verifyAnswer(answer, key, mac, now)).toBe('the answer is not signed with the key');
    expect(verifyAnswer(signedAnswer, key, mac, now + 3_600_000)).toMatch(/time window/);
  });

  it('a refused update throws without the secret in its message', async () => {
    const dns = createDns({ ...config, server: { host: '127.0.0.1', port: 9 } });
    const failing = dns.remove(records.label);
    await expect(failing).rejects.toThrow(/DNS update of orgs.test via 127.0.0.1:9 failed/);
    await expect(failing).rejects.not.toThrow(SECRET);
  });

  it('labels and names are deterministic', () => {
    expect(orgLabel('0x00000000000000000000000000000000000A11CE')).toBe(
      '00000000000000000000000000000000000a11ce',
    );
    expect(containerName('run-1', 'ab')).toBe('oc-run-1-ab');
  });
});

describe('store: reconciler columns', () => {
  it('hands out the lowest free port once per org, keeps it, and never shares one', () => {
    const store = openStore(tempDir(), ID);
    try {
      const orgs = [1, 2, 3].map(orgN);
      store.commitStep(stepFor(orgs));
      expect(store.allocatePort(orgs[0]!, 30000, 30001)).toBe(30000);
      expect(store.allocatePort(orgs[0]!, 30000, 30001)).toBe(30000);
      expect(store.allocatePort(orgs[1]!, 30000, 30001)).toBe(30001);
      expect(() => store.allocatePort(orgs[2]!, 30000, 30001)).toThrow(/no free p2p port/);
      // A purge frees the port for the next org.
      store.setRuntime(orgs[0]!, { status: 'gone', port: null });
      expect(store.allocatePort(orgs[2]!, 30000, 30001)).toBe(30000);
      store.setRuntime(orgs[1]!, { status: 'active', nid: 'z6MkX', containerId: 'c1', volume: 'v1' });
      expect(store.org(orgs[1]!)).toMatchObject({
        status: 'active',
        port: 30001,
        nid: 'z6MkX',
        containerId: 'c1',
        volume: 'v1',
      });
      expect(store.statusCounts()).toEqual({ pending: 1, active: 1, expiring: 0, stopped: 0, gone: 1 });
      // The watcher's own upserts leave the reconciler's columns alone.
      store.commitStep(stepFor(orgs));
      expect(store.org(orgs[1]!)).toMatchObject({ status: 'active', port: 30001, nid: 'z6MkX' });
    } finally {
      store.close();
    }
  });
});

describe('metrics', () => {
  it('renders Prometheus text: deployments by status, lag, provisioning histogram, errors', () => {
    const m = createMetrics();
    m.observeProvisioning(1.5);
    m.observeProvisioning(40);
    m.reconcileError();
    const text = m.render({
      statusCounts: () => ({ pending: 0, active: 2, expiring: 1, stopped: 0, gone: 0 }),
      lagBlocks: () => 3n,
    });
    expect(text).toContain('oneclick_deployer_deployments{status="active"} 2');
    expect(text).toContain('oneclick_deployer_events_lag_blocks 3');
    expect(text).toContain('oneclick_deployer_provisioning_seconds_bucket{le="1"} 0');
    expect(text).toContain('oneclick_deployer_provisioning_seconds_bucket{le="2"} 1');
    expect(text).toContain('oneclick_deployer_provisioning_seconds_bucket{le="60"} 2');
    expect(text).toContain('oneclick_deployer_provisioning_seconds_count 2');
    expect(text).toContain('oneclick_deployer_reconcile_errors_total 1');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('runtime configuration', () => {
  const BASE = {
    ONECLICK_RPC_URL: 'http://127.0.0.1:8545',
    ONECLICK_CHAIN_ID: '31337',
    ONECLICK_PROVIDER_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    ONECLICK_CONFIRMATIONS: '2',
    ONECLICK_GRACE_BLOCKS: '10',
  };

  it('reads the edge image, cluster network, HTTP port and port range, with defaults', () => {
    expect(parseConfig(BASE)).toMatchObject({
      edgeImage: 'oneclick/edge:latest',
      httpPort: 9100,
      portRange: { min: 30000, max: 32767 },
    });
    expect(
      parseConfig({
        ...BASE,
        DEPLOYER_EDGE_IMAGE: 'oneclick/edge:abc',
        DEPLOYER_CLUSTER_NETWORK: 'net-cluster',
        DEPLOYER_HTTP_PORT: '0',
        DEPLOYER_PORT_RANGE: '40000-40010',
      }),
    ).toMatchObject({
      edgeImage: 'oneclick/edge:abc',
      clusterNetwork: 'net-cluster',
      httpPort: 0,
      portRange: { min: 40000, max: 40010 },
    });
  });

  it('names a bad port range', () => {
    try {
      parseConfig({ ...BASE, DEPLOYER_PORT_RANGE: '500-20' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(
        /DEPLOYER_PORT_RANGE: expected a port range/,
      );
    }
  });
});
