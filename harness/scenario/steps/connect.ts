/**
 * `connect`: A peer connects to an org's node at its SRV address and port; the session is kept for
 * same-node. A node that refuses the peer is a failed check (for the step's `proves`, e.g. PROV-NAT
 * for a peer behind NAT), not the end of the scenario: what later steps prove is still judged.
 */
import { connect } from '../../peers/index.js';
import { fqdnOf, lookup, nodeInfo } from '../../outside/index.js';
import { defineStep, text, type StepCheck } from './define.js';
import { mapping, ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    connect: { peer: string; org: string };
  }
}

export const connectStep = defineStep({
  kind: 'connect',
  schema: mapping(
    "The peer connects to the org's node (at its SRV address and port): `{ peer, org }`.",
    { peer: ref('name'), org: ref('name') },
    ['peer', 'org'],
  ),
  fields: ['peer', 'org'],
  build: (step) => ({ peer: text(step, 'peer'), org: text(step, 'org') }),
  run: async (ctx, s) => {
    const fqdn = fqdnOf(ctx.org(s.org), ctx.zone);
    const records = await lookup(ctx.dnsServer, fqdn);
    const srv = records.srv[0];
    const address = records.a[0];
    const node = address ? await nodeInfo(address, fqdn, ctx.world.probe) : undefined;
    if (!srv || !node?.nid)
      throw new Error(
        `${s.org} is not served (SRV ${srv ? 'found' : 'missing'}, NID ${node?.nid ?? 'missing'})`,
      );
    const target = `${node.nid}@${srv.target}:${srv.port}`;
    const seconds = ctx.world.profile.deadlines.connect;
    const judged = (check: Omit<StepCheck, 'expected' | 'deadline'>) => ({
      summary: `${s.peer} connects to ${s.org} (${srv.target}:${srv.port})`,
      facts: { nid: node.nid, port: srv.port },
      check: {
        ...check,
        expected: `${s.peer} holds a connected session with ${s.org}'s node ${target}`,
        deadline: { name: 'connect', seconds },
      },
    });
    try {
      const session = await connect(ctx.peer(s.peer), target, { timeoutMs: seconds * 1000 });
      ctx.connections.set(`${s.peer} ${s.org}`, { peer: s.peer, org: s.org, session });
      return judged({ holds: true, observed: { since: session.since } });
    } catch (error) {
      const failure = (error as Error).message;
      return { ...judged({ holds: false, failure, observed: { target } }), stopsOnFailure: true };
    }
  },
  order: 240,
});
