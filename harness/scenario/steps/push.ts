/** `push`: A peer commits and pushes to a repository it created. */
import { commit, push } from '../../peers/index.js';
import { derivedText } from '../seed.js';
import { count, defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    push: { peer: string; repo: string; kib?: number };
  }
}

export const pushStep = defineStep({
  kind: 'push',
  schema: mapping(
    'The peer pushes a new commit to `repo`: `{ peer, repo }`; with `kib`, the commit adds a file of that many KiB of random text (what a link must carry).',
    {
      peer: ref('name'),
      repo: ref('repo'),
      kib: { type: 'integer', minimum: 1, maximum: 16384, description: 'KiB of random text the commit adds' },
    },
    ['peer', 'repo'],
  ),
  fields: ['peer', 'repo', 'kib'],
  build: (step) => {
    const kib = count(step, 'kib');
    return { peer: text(step, 'peer'), repo: text(step, 'repo'), ...(kib !== undefined && { kib }) };
  },
  run: async (ctx, s) => {
    const repo = ctx.repos.get(s.repo);
    if (!repo) throw new Error(`repository "${s.repo}" was never created`);
    const peer = ctx.peer(s.peer);
    const n = (ctx.connections.size + ctx.repos.size + s.index).toString();
    const files: Record<string, string> = { [`changes/${n}.txt`]: `change ${n}\n` };
    if (s.kib) files[`changes/${n}.bin.txt`] = derivedText(s.kib, ctx.world.seed, 'push', s.repo, n);
    await commit(peer, repo.local, files, `Change ${n}`);
    const pushed = await push(peer, repo.local);
    repo.head = pushed.head;
    return {
      summary: `${s.peer} pushes ${s.repo} (${pushed.head.slice(0, 8)}${s.kib ? `, ${s.kib} KiB` : ''})`,
      facts: { head: pushed.head },
    };
  },
  order: 260,
});
