/** `create-repo`: A peer creates a radicle repository; its name here is what later steps (push, has-repo) use. */
import { commit, createRepo, nid } from '../../peers/index.js';
import { defineStep, text } from './define.js';
import { mapping, ref, REPO } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    'create-repo': { peer: string; repo: string };
  }
}

export const createRepoStep = defineStep({
  kind: 'create-repo',
  schema: mapping(
    'The peer creates a radicle repository, named here `repo`: `{ peer, repo }`.',
    { peer: ref('name'), repo: ref('repo') },
    ['peer', 'repo'],
  ),
  fields: ['peer', 'repo'],
  declare: (step, declarations, problems) => {
    const repo = step.fields.get('repo');
    if (typeof repo?.value !== 'string' || !REPO.test(repo.value)) return;
    const first = declarations.repos.get(repo.value);
    if (first)
      problems.add(
        repo.path,
        `repo "${repo.value}" is already created at line ${first.line} (each create-repo makes a new repository: give it another name)`,
      );
    else declarations.repos.set(repo.value, step);
  },
  check: (step, c) => c.byName(step, ['peer']),
  build: (step) => ({ peer: text(step, 'peer'), repo: text(step, 'repo') }),
  run: async (ctx, s) => {
    const peer = ctx.peer(s.peer);
    const local = await createRepo(peer, s.repo, { description: `made by ${s.peer} in a oneclick scenario` });
    const head = await commit(
      peer,
      local,
      { 'content/first.txt': `first content of ${s.repo}\n` },
      'First content',
    );
    ctx.repos.set(s.repo, { rid: local.rid, peer: s.peer, local, head, pusherNid: await nid(peer) });
    return { summary: `${s.peer} creates repository ${s.repo}`, facts: { rid: local.rid } };
  },
  order: 250,
});
