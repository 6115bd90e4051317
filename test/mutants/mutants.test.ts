/**
 * oneclick's mutant providers (harness/mutants, fixtures/providers/faulty/*): each mutant's policy
 * differs from the reference's in exactly its decisions. What each bug looks like from outside is
 * the certification's to show (test/certify/mutants.ts: each mutant fails exactly its `mustFail`,
 * with evidence that names its own bug).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { padHex } from 'viem';
import { parseConfig } from '../../harness/deployer/config.js';
import { memoryLogger } from '../../harness/deployer/log.js';
import { referencePolicy, type Policy } from '../../harness/deployer/policy.js';
import type { OrgRow } from '../../harness/deployer/state/index.js';
import { MUTANT_NAMES, mutantPolicy, type MutantName } from '../../harness/mutants/index.js';
import { tempDir } from '../deployer/fixture.js';

const NID = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

describe('mutant policies (units)', () => {
  const row = (desired: 'run' | 'stop' | 'purge', expiry = 100n, org = '0xa') =>
    ({ org, desired, expiry, active: false, block: 1n, status: 'pending' }) as unknown as OrgRow;
  const rows = [row('run'), row('stop'), row('purge'), row('purge', 0n)];
  const range = { min: 30000, max: 30009 };
  const store = { allocatePort: () => 30005 };
  const nid = 'z6MkgVQx1WrAqx7M8Ao743aKPvgpHL5cMdVp6DByZkJDrHRS';
  const upstreams = [
    { host: 'a.zone', port: 30000, address: '10.0.0.2' },
    { host: 'b.zone', port: 30001, address: '10.0.0.3' },
  ];
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
      nodeConfig: p.nodeConfig,
      nodeSysctls: p.nodeSysctls,
      publishedNid: p.publishedNid(nid),
      browsePtr: p.browsePtr,
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
      // Where each of two routes' Host goes (the routes in the order the edge writes them).
      httpUpstream: upstreams.map((r) => p.httpUpstream(r, upstreams)),
      // Where each of two routes' p2p port goes (the routes in the order the edge writes them).
      p2pTarget: upstreams.map((r) => p.p2pTarget(r, upstreams)),
      p2pTurnedAway: p.p2pTurnedAway,
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
      browsePtr: true,
      recreate: [false, false, false, false, false],
      seedsAnchors: true,
      httpPaths: ['/'],
      httpUpstream: ['10.0.0.2', '10.0.0.3'],
      p2pTarget: ['10.0.0.2', '10.0.0.3'],
      p2pTurnedAway: '',
      deploymentLogsFrom: 'provider',
      nodeConfig: {},
      nodeSysctls: {},
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
      'no-browse-ptr': { browsePtr: false },
      'idle-limits': { nodeConfig: { node: { limits: { connection: { inbound: 1 } } } } },
      'head-final': { start: { ...reference.start, confirmations: 0n, maxReorgDepth: 0n } },
      'early-teardown': { start: { ...reference.start, graceBlocks: 0n } },
      amnesia: { start: { ...reference.start, startBlock: 77n } },
      'any-emitter': { deploymentLogsFrom: 'any' },
      // On a chain it cannot read it takes the contract for an EthProvider (below: a TokenProvider).
      'eth-only': {},
      'last-upstream': { httpUpstream: ['10.0.0.3', '10.0.0.3'] },
      'next-p2p-node': { p2pTarget: ['10.0.0.3', '10.0.0.2'] },
      'one-per-address': { p2pTurnedAway: '-m connlimit --connlimit-above 1 --connlimit-mask 32' },
      'small-buffers': {
        nodeSysctls: {
          'net.ipv4.tcp_rmem': '4096 4096 4096',
          'net.ipv4.tcp_wmem': '1024 1024 1024',
          'net.ipv4.tcp_sack': '0',
          'net.ipv4.tcp_timestamps': '0',
        },
      },
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
