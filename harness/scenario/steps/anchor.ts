/** `anchor`: The org anchors a repository made by create-repo (a contract org only). */
import { confirm, anchor } from '../../chain/actions.js';
import { anchorIdOf } from '../../chain/anchors.js';
import { defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    anchor: { org: string; repo: string };
  }
}

export const anchorStep = defineStep({
  kind: 'anchor',
  schema: mapping(
    'The org anchors a repository created by create-repo: `{ org, repo }`.',
    { org: ref('name'), repo: ref('repo') },
    ['org', 'repo'],
  ),
  fields: ['org', 'repo'],
  check: (step, c) => {
    c.byName(step, ['org', 'repo']);
    const o = step.fields.get('org');
    const name = typeof o?.value === 'string' ? o.value : undefined;
    if (o && name && c.orgKind(name) === 'address')
      c.problems.add(
        o.path,
        `org "${name}" is declared as address: anchor needs a contract org (declare ${name}: contract)`,
      );
  },
  build: (step) => ({ org: text(step, 'org'), repo: text(step, 'repo') }),
  run: async (ctx, s) => {
    const repo = ctx.repos.get(s.repo);
    if (!repo) throw new Error(`repository "${s.repo}" was never created`);
    const w = ctx.world;
    const receipt = await confirm(
      w.test,
      await anchor(w.wallets.orgOwner, ctx.org(s.org), anchorIdOf(repo.rid), 0, '0x1220aa'),
    );
    ctx.lastTxBlock = receipt.blockNumber;
    return {
      summary: `anchor ${s.repo} (${repo.rid}) on ${s.org}`,
      facts: { rid: repo.rid, block: Number(receipt.blockNumber) },
    };
  },
  order: 60,
});
