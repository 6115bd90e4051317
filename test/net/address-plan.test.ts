import { describe, expect, it } from 'vitest';
import {
  contains,
  fqdn,
  hostAt,
  overlaps,
  parseCidr,
  subnetsOf,
  SUBNET_POOLS,
  tsigKey,
} from '../../harness/net/index.js';

describe('address plan', () => {
  it('does CIDR arithmetic on the blocks the topology uses', () => {
    expect(hostAt('198.51.100.64/26', 2)).toBe('198.51.100.66');
    expect(hostAt('10.100.0.0/24', -2)).toBe('10.100.0.254');
    expect(parseCidr('10.100.0.77/24')).toEqual(parseCidr('10.100.0.0/24'));
    expect(overlaps(parseCidr('198.51.100.0/24'), parseCidr('198.51.100.64/26'))).toBe(true);
    expect(overlaps(parseCidr('198.51.100.0/26'), parseCidr('198.51.100.64/26'))).toBe(false);
    expect(contains('172.16.3.0/24', '172.16.3.200')).toBe(true);
    expect([...subnetsOf('203.0.113.0/24', 26)]).toHaveLength(4);
  });

  it('draws "public" addresses only from RFC 5737 TEST-NETs and LANs from private space', () => {
    for (const s of SUBNET_POOLS.internet) expect(s).toMatch(/^(198\.51\.100|203\.0\.113)\.\d+\/26$/);
    for (const s of SUBNET_POOLS.lan) expect(contains('10.0.0.0/8', s.split('/')[0]!)).toBe(true);
    for (const s of SUBNET_POOLS.cluster) expect(contains('172.16.0.0/12', s.split('/')[0]!)).toBe(true);
  });

  it('qualifies record names inside the zone', () => {
    expect(fqdn('seed', 'oneclick.test')).toBe('seed.oneclick.test.');
    expect(fqdn('_radicle._tcp.seed', 'oneclick.test')).toBe('_radicle._tcp.seed.oneclick.test.');
    expect(fqdn('seed.oneclick.test', 'oneclick.test')).toBe('seed.oneclick.test.');
    expect(fqdn('elsewhere.test.', 'oneclick.test')).toBe('elsewhere.test.');
    expect(fqdn('@', 'oneclick.test')).toBe('oneclick.test.');
    expect(() => fqdn('bad name', 'oneclick.test')).toThrow();
  });

  it('keeps a TSIG secret out of JSON, logs and spreads', () => {
    const key = tsigKey('k1');
    expect(key.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(JSON.stringify(key)).not.toContain(key.secret);
    expect({ ...key }).not.toHaveProperty('secret');
    expect(() => tsigKey('k1', 'not base64!')).toThrow(/not shown/);
  });
});
