/** `connect`: A peer connects to an org's node at its SRV address and port; the session is kept for same-node. */
import { connect } from '../../peers/index.js';
import { fqdnOf, lookup, nodeInfo } from '../../outside/index.js';
import { defineStep, text } from './define.js';
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
    const session = await connect(ctx.peer(s.peer), `${node.nid}@${srv.target}:${srv.port}`, {
      timeoutMs: ctx.world.profile.deadlines.connect * 1000,
    });
    ctx.connections.set(`${s.peer} ${s.org}`, { peer: s.peer, org: s.org, session });
    return {
      summary: `${s.peer} connects to ${s.org} (${srv.target}:${srv.port})`,
      facts: { nid: node.nid, port: srv.port },
    };
  },
  order: 240,
});
