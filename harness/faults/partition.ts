import type { StartedContainer } from '../docker/container.js';
import { faultId, makeFault, serialized, type Fault } from './fault.js';
import { insertRules, type Rule } from './iptables.js';
import { addressList, type AddressSet } from './links.js';

export type DisconnectFault = Fault<'disconnect'> & {
  readonly network: string;
  /** The address the container had, and gets back on heal. */
  readonly address: string;
  readonly aliases: readonly string[];
};

export type PartitionFault = Fault<'partition'> & {
  readonly sides: readonly [readonly string[], readonly string[]];
  readonly oneWay: boolean;
  /** The DROP rules, as inserted (each also carries the fault's comment). */
  readonly rules: readonly Rule[];
};

/**
 * Unplugs a container from a network. Heal plugs it back with the same address and aliases, then
 * puts back the gateway routes (`<dst> via <gw>`) that the unplugging removed, e.g. a default route
 * via a router (needs `ip` and NET_ADMIN in the container, as setting that route did).
 */
export async function disconnectContainer(
  target: StartedContainer,
  network: string,
  options: { restoreRoutes?: boolean } = {},
): Promise<DisconnectFault> {
  const info = await target.inspect();
  const endpoint = info.NetworkSettings.Networks[network];
  if (!endpoint) throw new Error(`${target.name} is not on network ${network}`);
  const address = endpoint.IPAMConfig?.IPv4Address || endpoint.IPAddress;
  if (!address) throw new Error(`${target.name} has no IPv4 address on network ${network}`);
  const shortId = info.Id.slice(0, 12);
  const aliases = ((endpoint.Aliases ?? []) as string[]).filter((a) => a !== shortId && a !== info.Id);
  const restoreRoutes = options.restoreRoutes ?? true;
  const routesBefore = restoreRoutes ? await gatewayRoutes(target) : [];
  await target.disconnect(network);
  return makeFault(
    {
      kind: 'disconnect',
      target: target.name,
      description: `disconnect ${target.name} (${address}) from ${network}`,
    },
    async () => {
      await target.connect(network, { ip: address, ...(aliases.length ? { aliases } : {}) });
      if (!routesBefore.length) return;
      const now = new Set((await gatewayRoutes(target)).map((r) => r.key));
      for (const route of routesBefore) {
        if (now.has(route.key)) continue;
        await target.run(['ip', 'route', 'replace', ...route.args]);
      }
    },
    { network, address, aliases },
  );
}

/** `<dst> via <gw>` routes of the main table (the device may be renamed by a reconnect, so it is left out). */
async function gatewayRoutes(target: StartedContainer): Promise<Array<{ key: string; args: string[] }>> {
  const result = await target.exec(['ip', '-4', 'route', 'show']);
  if (result.exitCode !== 0) return [];
  const routes: Array<{ key: string; args: string[] }> = [];
  for (const line of result.stdout.split('\n')) {
    const match = /^(\S+)\s+via\s+(\S+)/.exec(line.trim());
    if (!match) continue;
    const args = [match[1]!, 'via', match[2]!];
    const metric = /\smetric\s+(\d+)/.exec(line);
    if (metric) args.push('metric', metric[1]!);
    routes.push({ key: args.join(' '), args });
  }
  return routes;
}

/**
 * Drops every packet between two sets of addresses (or CIDRs) that passes through the container:
 * routed (FORWARD) as well as its own (INPUT/OUTPUT). Inserted first in their chains, so established
 * sessions break too. `oneWay` drops only from the first side to the second. Heal deletes exactly
 * these rules. Needs iptables and NET_ADMIN (the router image has both).
 */
export async function partition(
  target: StartedContainer,
  options: { between: readonly [AddressSet, AddressSet]; oneWay?: boolean },
): Promise<PartitionFault> {
  const a = addressList(options.between[0]);
  const b = addressList(options.between[1]);
  if (!a.length || !b.length) throw new Error('partition: both sides need at least one address');
  const oneWay = options.oneWay ?? false;
  const rules: Rule[] = [];
  const drop = (from: string[], to: string[]) => {
    for (const chain of ['FORWARD', 'INPUT', 'OUTPUT'] as const) {
      rules.push({ table: 'filter', chain, spec: ['-s', from.join(','), '-d', to.join(','), '-j', 'DROP'] });
    }
  };
  drop(a, b);
  if (!oneWay) drop(b, a);
  const id = faultId();
  return serialized(target, async () => {
    const remove = await insertRules(target, rules, id);
    return makeFault(
      {
        kind: 'partition',
        id,
        target: target.name,
        description: `partition ${a.join(',')} ${oneWay ? '->' : '<->'} ${b.join(',')} at ${target.name}`,
      },
      () => serialized(target, remove),
      { sides: [a, b] as const, oneWay, rules },
    );
  });
}
