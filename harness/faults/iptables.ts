import type { StartedContainer } from '../docker/container.js';
import { netnsStillThere } from './fault.js';
import { addressList, type AddressSet, type Direction } from './links.js';

export type Table = 'filter' | 'mangle' | 'raw';

/** One iptables rule, inserted at the top of its chain and deleted by the same spec. */
export interface Rule {
  table: Table;
  /** A built-in chain, or a chain the fault made (see insertRules' `chains`). */
  chain: string;
  /** Matches and target, without the chain, e.g. ['-i', 'eth1', '-j', 'DROP']. */
  spec: string[];
}

/** The comment every rule of a fault carries: `oneclick-fault:<id>`. */
export const commentOf = (faultId: string) => `oneclick-fault:${faultId}`;

const iptables = (rule: Rule, op: '-I' | '-D', faultId: string): string[] => [
  'iptables',
  '-w',
  '5',
  '-t',
  rule.table,
  op,
  rule.chain,
  ...(op === '-I' ? ['1'] : []),
  ...withComment(rule.spec, faultId),
];

/** The comment goes before the target (`-j ...`), as iptables-save prints it. */
function withComment(spec: string[], faultId: string): string[] {
  const j = spec.indexOf('-j');
  const at = j < 0 ? spec.length : j;
  return [...spec.slice(0, at), '-m', 'comment', '--comment', commentOf(faultId), ...spec.slice(at)];
}

/** A chain a fault creates for itself, with rules appended in order; rules elsewhere may jump to it. */
export interface OwnChain {
  table: Table;
  name: string;
  specs: string[][];
}

/**
 * Creates the fault's own chains, then inserts the rules (all or none: a failure removes what is
 * already in) and returns the function that deletes exactly them, rules first. Deleting tolerates
 * rules already gone, and a container whose namespace is gone.
 */
export async function insertRules(
  target: StartedContainer,
  rules: Rule[],
  faultId: string,
  chains: OwnChain[] = [],
): Promise<() => Promise<void>> {
  const inserted: Rule[] = [];
  const created: OwnChain[] = [];
  const remove = async () => {
    if (!(await netnsStillThere(target, `iptables rules ${commentOf(faultId)}`))) return;
    const failures: string[] = [];
    const tolerate = (r: { exitCode: number; stderr: string }, what: string) => {
      if (r.exitCode !== 0 && !/does a matching rule exist|No chain\/target\/match/i.test(r.stderr)) {
        failures.push(`${what}: ${r.stderr.trim()}`);
      }
    };
    for (const rule of [...inserted].reverse()) {
      tolerate(await target.exec(iptables(rule, '-D', faultId)), `${rule.table} ${rule.chain}`);
    }
    for (const chain of [...created].reverse()) {
      const base = ['iptables', '-w', '5', '-t', chain.table];
      tolerate(await target.exec([...base, '-F', chain.name]), `${chain.table} ${chain.name}`);
      tolerate(await target.exec([...base, '-X', chain.name]), `${chain.table} ${chain.name}`);
    }
    if (failures.length) throw new Error(`${target.name}: could not delete rules: ${failures.join('; ')}`);
  };
  try {
    for (const chain of chains) {
      await target.run(['iptables', '-w', '5', '-t', chain.table, '-N', chain.name]);
      created.push(chain);
      for (const spec of chain.specs) {
        await target.run([
          'iptables',
          '-w',
          '5',
          '-t',
          chain.table,
          '-A',
          chain.name,
          ...withComment(spec, faultId),
        ]);
      }
    }
    for (const rule of rules) {
      await target.run(iptables(rule, '-I', faultId));
      inserted.push(rule);
    }
  } catch (error) {
    await remove().catch(() => undefined);
    throw new Error(`${target.name}: ${(error as Error).message}`);
  }
  return remove;
}

/**
 * The rules that catch a direction's packets: on a link, `-i`/`-o` in FORWARD (routed) and
 * INPUT/OUTPUT (the container's own); on all links, every routed packet once plus the container's own
 * (loopback excluded). `from`/`to` narrow by source/destination.
 */
export function directionRules(
  table: Table,
  iface: string | undefined,
  direction: Direction,
  target: string[],
  match: { from?: AddressSet; to?: AddressSet } = {},
): Rule[] {
  const extra = [...addressMatch('-s', match.from), ...addressMatch('-d', match.to)];
  const rule = (chain: string, ...m: string[]): Rule => ({
    table,
    chain,
    spec: [...m, ...extra, ...target],
  });
  const ingress = direction !== 'egress';
  const egress = direction !== 'ingress';
  const rules: Rule[] = [];
  if (iface) {
    if (ingress) rules.push(rule('FORWARD', '-i', iface), rule('INPUT', '-i', iface));
    if (egress) rules.push(rule('FORWARD', '-o', iface), rule('OUTPUT', '-o', iface));
  } else {
    rules.push(rule('FORWARD'));
    if (ingress) rules.push(rule('INPUT', '!', '-i', 'lo'));
    if (egress) rules.push(rule('OUTPUT', '!', '-o', 'lo'));
  }
  return rules;
}

export function addressMatch(flag: '-s' | '-d', set: AddressSet | undefined): string[] {
  const list = addressList(set);
  // iptables expands a comma list into one rule per address, and -D with the same list deletes them all.
  return list.length ? [flag, list.join(',')] : [];
}
