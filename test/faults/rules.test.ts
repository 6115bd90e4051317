import { describe, expect, it } from 'vitest';
import { formatRate, parseRate } from '../../harness/faults/bandwidth.js';
import { directionRules } from '../../harness/faults/iptables.js';
import { delayerRules, parseRoutes, parseStats } from '../../harness/faults/delayer.js';
import { addressList } from '../../harness/faults/links.js';

describe('fault rule building (no engine)', () => {
  it('parses tc-style rates and bits per second, and rejects anything else', () => {
    expect(parseRate('1mbit')).toBe(1_000_000);
    expect(parseRate('512kbit')).toBe(512_000);
    expect(parseRate('1.5mbit')).toBe(1_500_000);
    expect(parseRate(64_000)).toBe(64_000);
    expect(() => parseRate('1 MB/s')).toThrow(/512kbit/);
    expect(() => parseRate(0)).toThrow();
    expect(formatRate(1_500_000)).toBe('1.5mbit');
  });

  it('matches a link direction in FORWARD (routed) and INPUT/OUTPUT (own traffic)', () => {
    const target = ['-j', 'DROP'];
    expect(directionRules('filter', 'eth1', 'ingress', target)).toEqual([
      { table: 'filter', chain: 'FORWARD', spec: ['-i', 'eth1', '-j', 'DROP'] },
      { table: 'filter', chain: 'INPUT', spec: ['-i', 'eth1', '-j', 'DROP'] },
    ]);
    expect(directionRules('filter', 'eth1', 'both', target).map((r) => `${r.chain} ${r.spec[0]}`)).toEqual([
      'FORWARD -i',
      'INPUT -i',
      'FORWARD -o',
      'OUTPUT -o',
    ]);
  });

  it('judges each routed packet once when no link is given, and never touches loopback', () => {
    const rules = directionRules('mangle', undefined, 'both', ['-j', 'NFQUEUE'], {
      from: ['198.51.100.0/28', '198.51.100.20'],
      to: '203.0.113.5',
    });
    expect(rules.map((r) => r.chain)).toEqual(['FORWARD', 'INPUT', 'OUTPUT']);
    expect(rules[1]!.spec).toEqual([
      '!',
      '-i',
      'lo',
      '-s',
      '198.51.100.0/28,198.51.100.20',
      '-d',
      '203.0.113.5',
      '-j',
      'NFQUEUE',
    ]);
  });

  it('accepts only IPv4 addresses and CIDRs as addresses', () => {
    expect(addressList('198.51.100.7')).toEqual(['198.51.100.7']);
    expect(() => addressList('eth0')).toThrow(/not an IPv4/);
    expect(() => addressList(['198.51.100.7; reboot'])).toThrow(/not an IPv4/);
  });

  it("reads the delayer's exit counters from its log", () => {
    const log = [
      'delayer: ready queue=100 delay=40ms jitter=0s max_queue=8192',
      'delayer: stats queue=100 received=3 released=2 held=1',
      'delayer: terminated: releasing held packets',
      'delayer: exit queue=100 received=9 released=9 held=0 max_held=2 dropped_overflow=0',
    ].join('\n');
    expect(parseStats(log)).toEqual({
      queue: 100,
      received: 9,
      released: 9,
      held: 0,
      max_held: 2,
      dropped_overflow: 0,
    });
    expect(parseStats('delayer: ready queue=1')).toBeUndefined();
  });
});

describe('delayer rules (no engine)', () => {
  const routes = parseRoutes(
    [
      'default via 203.0.113.1 dev eth1',
      '198.51.100.0/28 dev eth0 proto kernel scope link src 198.51.100.2',
      '198.51.100.64/26 via 198.51.100.3 dev eth0 metric 20',
      '203.0.113.0/28 dev eth1 proto kernel scope link src 203.0.113.2',
      'blackhole 203.0.113.99',
    ].join('\n'),
  );

  it('reads the main routing table, default and host routes included', () => {
    expect(routes.map((r) => [r.dst, r.devs.join(','), r.unicast, r.metric])).toEqual([
      ['0.0.0.0/0', 'eth1', true, 0],
      ['198.51.100.0/28', 'eth0', true, 0],
      ['198.51.100.64/26', 'eth0', true, 20],
      ['203.0.113.0/28', 'eth1', true, 0],
      ['203.0.113.99/32', '', false, 0],
    ]);
  });

  it('queues ingress before conntrack, in raw PREROUTING', () => {
    const { rules, chains } = delayerRules({
      iface: 'eth0',
      direction: 'ingress',
      queueNum: 100,
      match: {},
      chainName: 'OCF-x',
      routes,
    });
    expect(chains).toEqual([]);
    expect(rules).toEqual([
      {
        table: 'raw',
        chain: 'PREROUTING',
        spec: ['-i', 'eth0', '-j', 'NFQUEUE', '--queue-num', '100', '--queue-bypass'],
      },
    ]);
  });

  it('picks routed egress by replaying the longest-prefix match of the routing table', () => {
    const { rules, chains } = delayerRules({
      iface: 'eth1',
      direction: 'egress',
      queueNum: 101,
      match: { from: '198.51.100.3' },
      chainName: 'OCF-y',
      routes,
    });
    expect(rules.map((r) => `${r.chain} ${r.spec.join(' ')}`)).toEqual([
      'OUTPUT -o eth1 -s 198.51.100.3 -j NFQUEUE --queue-num 101 --queue-bypass',
      'PREROUTING ! -i eth1 -s 198.51.100.3 -j OCF-y',
    ]);
    const q = '-j NFQUEUE --queue-num 101 --queue-bypass';
    expect(chains[0]!.specs.map((s) => s.join(' '))).toEqual([
      '-m addrtype --dst-type LOCAL -j RETURN',
      '-m addrtype --dst-type BROADCAST -j RETURN',
      '-m addrtype --dst-type MULTICAST -j RETURN',
      '-d 203.0.113.99/32 -j RETURN',
      '-d 198.51.100.0/28 -j RETURN',
      `-d 203.0.113.0/28 ${q}`,
      '-d 198.51.100.64/26 -j RETURN',
      `-d 0.0.0.0/0 ${q}`,
    ]);
  });

  it('without a link, judges each routed packet once and the own traffic by direction', () => {
    const both = delayerRules({
      iface: undefined,
      direction: 'both',
      queueNum: 5,
      match: {},
      chainName: 'c',
      routes,
    });
    expect(both.rules.map((r) => `${r.chain} ${r.spec.slice(0, 3).join(' ')}`)).toEqual([
      'PREROUTING ! -i lo',
      'OUTPUT ! -o lo',
    ]);
    const egress = delayerRules({
      iface: undefined,
      direction: 'egress',
      queueNum: 5,
      match: {},
      chainName: 'c',
      routes,
    });
    expect(egress.rules[0]!.spec.slice(0, 7)).toEqual(['!', '-i', 'lo', '-m', 'addrtype', '!', '--dst-type']);
  });
});
