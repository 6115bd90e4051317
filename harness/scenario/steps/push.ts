/** `push`: A peer commits and pushes to a repository it created. */
import { commit, push } from '../../peers/index.js';
import { defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    push: { peer: string; repo: string };
  }
}

export const pushStep = defineStep({
  kind: 'push',
  schema: mapping(
    'The peer pushes new commits to `repo`: `{ peer, repo }`.',
    { peer: ref('name'), repo: ref('repo') },
    ['peer', 'repo'],
  ),
  fields: ['peer', 'repo'],
  build: (step) => ({ peer: text(step, 'peer'), repo: text(step, 'repo') }),
  run: async (ctx, s) => {
    const repo = ctx.repos.get(s.repo);
    if (!repo) throw new Error(`repository "${s.repo}" was never created`);
    const peer = ctx.peer(s.peer);
    const n = (ctx.connections.size + ctx.repos.size + s.index).toString();
    await commit(peer, repo.local, { [`changes/${n}.txt`]: `change ${n}\n` }, `Change ${n}`);
    const pushed = await push(peer, repo.local);
    repo.head = pushed.head;
    return {
      summary: `${s.peer} pushes ${s.repo} (${pushed.head.slice(0, 8)})`,
      facts: { head: pushed.head },
    };
  },
  order: 260,
});
