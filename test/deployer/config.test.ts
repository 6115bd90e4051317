import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULTS,
  parseConfig,
  redactions,
  requireRuntime,
  safeUrl,
} from '../../harness/deployer/config.js';
import { createLogger } from '../../harness/deployer/log.js';

const SECRET = 'c3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbA==';
const TSIG = `oneclick-key:hmac-sha256:${SECRET}`;
const BASE = {
  ONECLICK_RPC_URL: 'http://127.0.0.1:8545',
  ONECLICK_CHAIN_ID: '31337',
  ONECLICK_PROVIDER_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  ONECLICK_CONFIRMATIONS: '2',
  ONECLICK_GRACE_BLOCKS: '10',
};
const FULL = {
  ...BASE,
  ONECLICK_WS_URL: 'ws://127.0.0.1:8545',
  ONECLICK_ORG_FACTORY_ADDRESS: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  ONECLICK_DNS_SERVER: '10.77.0.53',
  ONECLICK_DNS_ZONE: 'Orgs.Oneclick.Test.',
  ONECLICK_DNS_TSIG: TSIG,
  ONECLICK_ORGNODE_IMAGE: 'oneclick/org-node:abc123',
  ONECLICK_PUBLIC_NETWORK: 'oneclick-internet',
  ONECLICK_RUN_ID: 'run-1234',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('deployer config', () => {
  it('parses the SPEC §3 environment with defaults for the deployer-own knobs', () => {
    const config = parseConfig(FULL);
    expect(config).toMatchObject({
      rpcUrl: 'http://127.0.0.1:8545',
      chainId: 31337,
      providerAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      orgFactoryAddress: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      confirmations: 2n,
      graceBlocks: 10n,
      dns: { server: { host: '10.77.0.53', port: 53 }, zone: 'orgs.oneclick.test' },
      orgNodeImage: 'oneclick/org-node:abc123',
      publicNetwork: 'oneclick-internet',
      runId: 'run-1234',
      stateDir: DEFAULTS.stateDir,
      pollIntervalMs: 1000,
      logRangeBlocks: 2000n,
      retentionBlocks: DEFAULTS.retentionBlocks,
      startBlock: 0n,
    });
    expect(config.dns!.tsig.reveal()).toEqual({
      name: 'oneclick-key',
      algorithm: 'hmac-sha256',
      secret: SECRET,
    });
    expect(requireRuntime(config)).toBe(config);
    const own = parseConfig({
      ...BASE,
      DEPLOYER_STATE_DIR: '/tmp/x',
      DEPLOYER_POLL_MS: '250',
      DEPLOYER_LOG_RANGE: '500',
      DEPLOYER_RETENTION_BLOCKS: '7',
      DEPLOYER_START_BLOCK: '12',
      DEPLOYER_MAX_REORG_DEPTH: '9',
      DEPLOYER_BACKOFF_MAX_MS: '5000',
      LOG_LEVEL: 'debug',
    });
    expect(own).toMatchObject({
      stateDir: '/tmp/x',
      pollIntervalMs: 250,
      logRangeBlocks: 500n,
      retentionBlocks: 7n,
      startBlock: 12n,
      maxReorgDepth: 9n,
      backoffMaxMs: 5000,
      logLevel: 'debug',
    });
  });

  it('reports every problem at once, each naming the variable and what was expected', () => {
    const problems = problemsOf({
      ONECLICK_RPC_URL: 'not a url',
      ONECLICK_CHAIN_ID: 'abc',
      ONECLICK_PROVIDER_ADDRESS: '0x1234',
      ONECLICK_CONFIRMATIONS: '-1',
      DEPLOYER_LOG_RANGE: '0',
      ONECLICK_DNS_ZONE: 'orgs.test',
    });
    expect(problems).toEqual([
      'ONECLICK_RPC_URL: expected a http or https or ws or wss URL, got a value that is not a URL',
      'ONECLICK_CHAIN_ID: expected an integer ≥ 1, got "abc"',
      'ONECLICK_PROVIDER_ADDRESS: expected a 0x-prefixed 20-byte address, got "0x1234"',
      'ONECLICK_CONFIRMATIONS: expected an integer ≥ 0, got "-1"',
      'ONECLICK_GRACE_BLOCKS: expected an integer ≥ 0 (it is not set)',
      'ONECLICK_DNS_SERVER: expected to be set together with ONECLICK_DNS_ZONE (the DNS variables go together)',
      'ONECLICK_DNS_TSIG: expected to be set together with ONECLICK_DNS_ZONE (the DNS variables go together)',
      'DEPLOYER_LOG_RANGE: expected an integer from 1 to 1000000, got "0"',
    ]);
    expect(() => requireRuntime(parseConfig(BASE))).toThrow(/ONECLICK_ORGNODE_IMAGE: expected to be set/);
  });

  it('never shows the TSIG secret: not in errors, JSON, inspect, String or log lines', () => {
    for (const bad of [
      `oneclick-key:hmac-sha256`,
      `oneclick-key:hmac-nope:${SECRET}`,
      `oneclick-key:hmac-sha256:${SECRET}!!`,
    ]) {
      const problems = problemsOf({ ...FULL, ONECLICK_DNS_TSIG: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^ONECLICK_DNS_TSIG: expected name:algorithm:secret/);
      expect(problems[0]).not.toContain(SECRET.slice(0, 12));
      expect(problems[0]).not.toContain('hmac-nope');
    }
    const config = parseConfig(FULL);
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.dns!.tsig)]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).toContain('[redacted]');
    }
    const lines: string[] = [];
    const log = createLogger({ redact: redactions(config), write: (l) => lines.push(l) });
    log.warn('oops', { error: new Error(`bad key ${TSIG} and ${SECRET}`), config });
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'oops' });
  });

  it('cuts credential-bearing RPC URLs to their origin', () => {
    expect(safeUrl('https://user:pw@rpc.example:8443/v3/KEY?x=1')).toBe('https://rpc.example:8443/…');
    expect(safeUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    const problems = problemsOf({ ...BASE, ONECLICK_RPC_URL: 'ftp://user:KEY@host/' });
    expect(problems).toEqual(['ONECLICK_RPC_URL: expected a http or https or ws or wss URL, got a ftp: URL']);
  });
});
