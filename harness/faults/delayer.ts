import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedContainer } from '../docker/container.js';
import { netnsStillThere } from './fault.js';
import { addressMatch, type OwnChain, type Rule } from './iptables.js';
import type { AddressSet, Direction } from './links.js';

/** Where the router image (harness/images/recipes/router) installs the NFQUEUE delayer. */
export const DELAYER_PATH = '/usr/local/bin/delayer';

/** A route of the main table, as far as choosing a packet's way out goes. */
export interface Route {
  /** CIDR; `default` is 0.0.0.0/0. */
  dst: string;
  prefixLen: number;
  metric: number;
  /** Devices of its next hop(s). */
  devs: string[];
  /** False for blackhole, unreachable, prohibit, throw and the like. */
  unicast: boolean;
}

/** Parses `ip -4 route show table main` (multipath next hops on the lines that follow). */
export function parseRoutes(out: string): Route[] {
  const routes: Route[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    if (/^\s/.test(line)) {
      const dev = /\bdev\s+(\S+)/.exec(line);
      if (dev && routes.length) routes[routes.length - 1]!.devs.push(dev[1]!);
      continue;
    }
    const words = line.trim().split(/\s+/);
    let type = 'unicast';
    if (
      /^(unicast|local|broadcast|multicast|unreachable|prohibit|blackhole|throw|nat|anycast)$/.test(words[0]!)
    ) {
      type = words.shift()!;
    }
    const first = words[0]!;
    const dst = first === 'default' ? '0.0.0.0/0' : first.includes('/') ? first : `${first}/32`;
    const metric = /\bmetric\s+(\d+)/.exec(line);
    const dev = /\bdev\s+(\S+)/.exec(line);
    routes.push({
      dst,
      prefixLen: Number(dst.split('/')[1]),
      metric: metric ? Number(metric[1]) : 0,
      devs: dev ? [dev[1]!] : [],
      unicast: type === 'unicast',
    });
  }
  return routes;
}

export interface DelayerRulesInput {
  iface: string | undefined;
  direction: Direction;
  queueNum: number;
  match: { from?: AddressSet; to?: AddressSet };
  /** Name of the fault's own raw-table chain (routed egress on a link needs one). */
  chainName: string;
  /** The main routing table, for routed egress on a link. */
  routes: Route[];
}

/**
 * The raw-table rules that hand packets to the delayer. Raw hooks run before conntrack: a packet held
 * after conntrack saw it (mangle or filter FORWARD) leaves an unconfirmed entry behind, and every
 * later packet of that new flow sent while it is held (a fast ping, a SYN retransmit) is dropped as a
 * clash when it is released. Ingress is `-i` in PREROUTING; the container's own egress is `-o` in
 * OUTPUT; routed egress cannot be told by interface before routing, so it goes through a chain that
 * replays the main routing table's longest-prefix match (routes as they were at injection; policy
 * routing is not followed).
 */
export function delayerRules(input: DelayerRulesInput): { rules: Rule[]; chains: OwnChain[] } {
  const { iface, direction } = input;
  const extra = [...addressMatch('-s', input.match.from), ...addressMatch('-d', input.match.to)];
  const queue = ['-j', 'NFQUEUE', '--queue-num', String(input.queueNum), '--queue-bypass'];
  const rule = (chain: string, matches: string[], jump = queue): Rule => ({
    table: 'raw',
    chain,
    spec: [...matches, ...extra, ...jump],
  });
  const ingress = direction !== 'egress';
  const egress = direction !== 'ingress';
  if (!iface) {
    // Every routed packet once (in PREROUTING), plus the container's own in the chosen directions.
    const routedOnly = ingress ? [] : ['-m', 'addrtype', '!', '--dst-type', 'LOCAL'];
    const rules = [rule('PREROUTING', ['!', '-i', 'lo', ...routedOnly])];
    if (egress) rules.push(rule('OUTPUT', ['!', '-o', 'lo']));
    return { rules, chains: [] };
  }
  const rules: Rule[] = [];
  const chains: OwnChain[] = [];
  if (ingress) rules.push(rule('PREROUTING', ['-i', iface]));
  if (egress) {
    rules.push(rule('OUTPUT', ['-o', iface]));
    const specs: string[][] = [
      ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'RETURN'],
      ['-m', 'addrtype', '--dst-type', 'BROADCAST', '-j', 'RETURN'],
      ['-m', 'addrtype', '--dst-type', 'MULTICAST', '-j', 'RETURN'],
    ];
    const ordered = [...input.routes].sort((a, b) => b.prefixLen - a.prefixLen || a.metric - b.metric);
    for (const route of ordered) {
      const out = route.unicast && route.devs.includes(iface);
      specs.push(['-d', route.dst, ...(out ? queue : ['-j', 'RETURN'])]);
    }
    chains.push({ table: 'raw', name: input.chainName, specs });
    rules.push(rule('PREROUTING', ['!', '-i', iface], ['-j', input.chainName]));
  }
  return { rules, chains };
}

/** The lowest queue number from 100 on that no rule uses and no program has bound. */
export async function freeQueueNum(target: StartedContainer): Promise<number> {
  const used = new Set<number>();
  const rules = await target.exec(['iptables-save']);
  for (const m of rules.stdout.matchAll(/--queue-num (\d+)/g)) used.add(Number(m[1]));
  const bound = await target.exec(['cat', '/proc/net/netfilter/nfnetlink_queue']);
  for (const line of bound.stdout.split('\n')) {
    const n = /^\s*(\d+)\s/.exec(line);
    if (n) used.add(Number(n[1]));
  }
  let q = 100;
  while (used.has(q)) q++;
  return q;
}

export interface RunningDelayer {
  pid: number;
  /** SIGTERM, wait for it to release its packets and exit, then its exit counters. */
  stop(): Promise<Record<string, number> | undefined>;
}

export async function startDelayer(
  target: StartedContainer,
  o: {
    path: string;
    queueNum: number;
    delayMs: number;
    jitterMs: number;
    maxQueue?: number;
    logFile: string;
  },
): Promise<RunningDelayer> {
  const present = await target.exec(['test', '-x', o.path]);
  if (present.exitCode !== 0) {
    throw new Error(
      `${target.name} has no delayer at ${o.path}: latency without sch_netem needs the router image ` +
        '(harness/images/recipes/router builds it in) or options.delayer.path',
    );
  }
  const args = [
    '-queue',
    String(o.queueNum),
    '-delay',
    `${o.delayMs}ms`,
    '-jitter',
    `${o.jitterMs}ms`,
    ...(o.maxQueue ? ['-max-queue', String(o.maxQueue)] : []),
  ];
  // Detached from the exec: stdin closed, output to a log file, so the exec returns at once.
  const started = await target.run([
    'sh',
    '-c',
    'log=$1; shift; "$@" </dev/null >"$log" 2>&1 & echo $!',
    'sh',
    o.logFile,
    o.path,
    ...args,
  ]);
  const pid = Number(started.trim());
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error(`${target.name}: could not start the delayer: ${started}`);
  const log = async () => (await target.exec(['cat', o.logFile])).stdout;
  const alive = async () => {
    const stat = await target.exec(['cat', `/proc/${pid}/stat`]);
    // A zombie (state Z) has exited; the container's PID 1 may not reap it.
    return stat.exitCode === 0 && !/^\d+ \(.*\) Z /.test(stat.stdout);
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await log();
    if (/delayer: ready/.test(text)) break;
    if (!(await alive())) throw new Error(`${target.name}: the delayer exited at start: ${text.trim()}`);
    if (Date.now() > deadline) {
      await target.exec(['kill', '-KILL', String(pid)]);
      throw new Error(`${target.name}: the delayer did not get ready in 10 s: ${text.trim()}`);
    }
    await sleep(50);
  }
  return {
    pid,
    async stop() {
      if (!(await netnsStillThere(target, `the delayer (pid ${pid})`))) return undefined;
      await target.exec(['kill', '-TERM', String(pid)]);
      const until = Date.now() + 10_000;
      while (await alive()) {
        if (Date.now() > until) {
          await target.exec(['kill', '-KILL', String(pid)]);
          throw new Error(`${target.name}: the delayer (pid ${pid}) ignored SIGTERM for 10 s; killed`);
        }
        await sleep(50);
      }
      const text = await log();
      await target.exec(['rm', '-f', o.logFile]);
      return parseStats(text);
    },
  };
}

/** The counters of the delayer's last `delayer: exit key=value ...` line. */
export function parseStats(log: string): Record<string, number> | undefined {
  const line = log
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('delayer: exit '));
  if (!line) return undefined;
  const stats: Record<string, number> = {};
  for (const m of line.matchAll(/(\w+)=(\d+)/g)) stats[m[1]!] = Number(m[2]);
  return stats;
}
