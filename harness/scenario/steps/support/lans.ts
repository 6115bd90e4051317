/** What the network fault steps share: a peer's LAN router, an org's edge address. */
import type { ScenarioContext } from '../../context.js';
import { fqdnOf, lookup } from '../../observe.js';

export function lanOf(ctx: ScenarioContext, peerName: string) {
  const lan = ctx.peer(peerName).lan;
  if (!lan) throw new Error(`peer "${peerName}" is not in a LAN: network faults act on its LAN's router`);
  return lan;
}

export async function edgeAddress(ctx: ScenarioContext, org: string): Promise<string> {
  const fqdn = fqdnOf(ctx.org(org), ctx.zone);
  const a = (await lookup(ctx.dnsServer, fqdn)).a[0] ?? ctx.seen.get(org)?.address;
  if (!a) throw new Error(`${org} has no A record to partition from`);
  return a;
}
