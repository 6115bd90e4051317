/** What the network fault steps share: a peer's LAN router, an org's edge address. */
import type { Fault } from '../../../faults/index.js';
import type { ScenarioContext } from '../../context.js';
import { fqdnOf, lookup } from '../../../outside/index.js';
import { count, text, type RawStep, type StepOutcome } from '../define.js';
import { mapping, ref } from './forms.js';

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

type Lan = ReturnType<typeof lanOf>;

/**
 * Everything of a fault on a peer's LAN but its kind: `{ peer, <amount> }`, the fault injected on
 * the LAN's router (healed by heal or at the end), and what the report says.
 */
export function lanFaultStep<A extends string>(
  amount: A,
  description: string,
  amountSchema: Record<string, unknown>,
  inject: (lan: Lan, s: { peer: string } & Record<A, number>, ctx: ScenarioContext) => Promise<Fault>,
  summary: (s: { peer: string } & Record<A, number>) => string,
) {
  return {
    schema: mapping(description, { peer: ref('name'), [amount]: amountSchema }, ['peer', amount]),
    fields: ['peer', amount],
    build: (step: RawStep) =>
      ({ peer: text(step, 'peer'), [amount]: count(step, amount)! }) as { peer: string } & Record<A, number>,
    run: async (ctx: ScenarioContext, s: { peer: string } & Record<A, number>): Promise<StepOutcome> => {
      ctx.faults.push(await inject(lanOf(ctx, s.peer), s, ctx));
      return { summary: summary(s) };
    },
  };
}
