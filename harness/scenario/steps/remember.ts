/** `remember`: Remembers an org's node (NID, start, repositories, sessions) under a name, for a later `since:`. */
import { fqdnOf, lookup, nodeInfo, servesRepo } from '../../outside/index.js';
import { defineStep, text } from './define.js';
import { mapping, NAME, ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    remember: { org: string; as: string };
  }
}

export const rememberStep = defineStep({
  kind: 'remember',
  schema: mapping(
    "Remember the org's node (NID, start, sessions) as `as`, for a later `since:`: `{ org, as }`.",
    { org: ref('name'), as: ref('name') },
    ['org', 'as'],
  ),
  fields: ['org', 'as'],
  declare: (step, declarations) => {
    const as = step.fields.get('as')?.value;
    if (typeof as === 'string' && NAME.test(as))
      declarations.memories.set(as, [...(declarations.memories.get(as) ?? []), step]);
  },
  build: (step) => ({ org: text(step, 'org'), as: text(step, 'as') }),
  run: async (ctx, s) => {
    const fqdn = fqdnOf(ctx.org(s.org), ctx.zone);
    const address = (await lookup(ctx.dnsServer, fqdn)).a[0] ?? ctx.seen.get(s.org)?.address;
    const node = address ? await nodeInfo(address, fqdn, ctx.world.probe) : { status: 0 };
    const sessions = Object.fromEntries(
      [...ctx.connections.values()].filter((c) => c.org === s.org).map((c) => [c.peer, c.session]),
    );
    const repos: string[] = [];
    for (const repo of ctx.repos.values()) {
      if (address && (await servesRepo(address, fqdn, repo.rid, ctx.world.probe))) repos.push(repo.rid);
    }
    ctx.memory.set(s.as, {
      ...(node.nid && { nid: node.nid }),
      ...(node.startedAt && { startedAt: node.startedAt }),
      ...(node.restarts !== undefined && { restarts: node.restarts }),
      repos,
      sessions,
    });
    return {
      summary: `remember ${s.org} as "${s.as}"`,
      facts: { nid: node.nid, startedAt: node.startedAt, repos },
    };
  },
  order: 270,
});
