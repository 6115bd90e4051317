/** The runtime's pure parts and its store columns, without Docker: edge rules, DNS scripts, ports, metrics. */
import { describe, expect, it } from 'vitest';
import type { Address, Hash } from 'viem';
import { ConfigError, parseConfig, secret } from '../../harness/deployer/config.js';
import { createDns, orgLabel, recordsKey } from '../../harness/deployer/dns.js';
import { natRules, nginxConfig } from '../../harness/deployer/edge.js';
import { createMetrics } from '../../harness/deployer/metrics.js';
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

  it('routes each Host to its own node, in a stable order (no reload when nothing changed)', () => {
    const conf = nginxConfig(routes);
    expect(conf).toBe(nginxConfig([...routes].reverse()));
    expect(conf.indexOf('server_name aa.orgs.test;')).toBeLessThan(conf.indexOf('server_name bb.orgs.test;'));
    expect(conf).toContain('proxy_pass http://172.16.0.10:8080;');
    expect(conf).toContain('proxy_pass http://172.16.0.20:8080;');
  });
});

describe('DNS updates', () => {
  const dns = createDns({
    server: { host: '198.51.100.2', port: 53 },
    zone: 'orgs.test',
    tsig: secret({ name: 'k', algorithm: 'hmac-sha256', secret: SECRET }),
  });
  const records = {
    label: 'ab'.repeat(20),
    address: '198.51.100.40',
    port: 30000,
    nid: 'z6MkTest',
    expiry: 123n,
  };

  it('sends A, the browse PTR, SRV and TXT in one signed update; the key goes over stdin only', async () => {
    const calls: Array<{ cmd: string[]; stdin: string }> = [];
    await dns.publish(async (cmd, stdin) => {
      calls.push({ cmd, stdin });
      return { exitCode: 0, stdout: '', stderr: '' };
    }, records);
    expect(calls).toHaveLength(1);
    const [{ cmd, stdin }] = calls as [{ cmd: string[]; stdin: string }];
    expect(cmd.join(' ')).not.toContain(SECRET);
    const host = `${records.label}.orgs.test.`;
    const instance = `${records.label}._radicle-node._tcp.orgs.test.`;
    expect(stdin.split('\n')).toEqual([
      'server 198.51.100.2 53',
      'zone orgs.test.',
      `key hmac-sha256:k ${SECRET}`,
      `update delete ${host} A`,
      `update add ${host} 30 A 198.51.100.40`,
      `update add _radicle-node._tcp.orgs.test. 30 PTR ${instance}`,
      `update delete ${instance} SRV`,
      `update add ${instance} 30 SRV 0 0 30000 ${host}`,
      `update delete ${instance} TXT`,
      `update add ${instance} 30 TXT "nid=z6MkTest" "expiry=123"`,
      `update delete ${host} TXT`,
      `update delete _radicle._tcp.${host}`,
      'send',
      '',
    ]);
    expect(recordsKey(records)).not.toBe(recordsKey({ ...records, expiry: 124n }));
  });

  it("removes the org's own PTR from the browse RRset, its instance, its host and the v1 names", async () => {
    let sent = '';
    await dns.remove(async (_cmd, stdin) => {
      sent = stdin;
      return { exitCode: 0, stdout: '', stderr: '' };
    }, records.label);
    const host = `${records.label}.orgs.test.`;
    const instance = `${records.label}._radicle-node._tcp.orgs.test.`;
    expect(sent.split('\n').filter((l) => l.startsWith('update'))).toEqual([
      `update delete ${host}`,
      `update delete _radicle-node._tcp.orgs.test. PTR ${instance}`,
      `update delete ${instance}`,
      `update delete _radicle._tcp.${host}`,
    ]);
  });

  it('a refused update throws without the secret in its message', async () => {
    const failing = dns.remove(
      async () => ({ exitCode: 2, stdout: '', stderr: `update failed: NOTAUTH (key ${SECRET})` }),
      records.label,
    );
    await expect(failing).rejects.toThrow(/NOTAUTH/);
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
