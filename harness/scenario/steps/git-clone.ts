/**
 * `git-clone`: From the harness's probe on `internet` (not the harness host), `git clone` over
 * smart HTTP of an anchored repository by the org's name, through its edge, as radicle-httpd serves
 * it (`http://<label>.<zone>/<rid without rad:>.git`); the clone must carry the head its creator
 * pushed last (PROV-GIT-HTTP). Retried within the profile's `replicate`, counted from the last act
 * (the push), as a judgement's deadline is.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fqdnOf } from '../../outside/index.js';
import { defineStep, text } from './define.js';
import { mapping, ref } from './support/forms.js';
import { endOf } from './support/judging.js';

declare module '../model.js' {
  interface StepForms {
    'git-clone': { org: string; repo: string };
  }
}

export const gitCloneStep = defineStep({
  kind: 'git-clone',
  schema: mapping(
    'git clone http://<label>.<zone>/<rid>.git from a container on the internet: `{ org, repo }`.',
    { org: ref('name'), repo: ref('repo') },
    ['org', 'repo'],
  ),
  fields: ['org', 'repo'],
  observes: true,
  build: (step) => ({ org: text(step, 'org'), repo: text(step, 'repo') }),
  run: async (ctx, s) => {
    const repo = ctx.repos.get(s.repo);
    if (!repo) throw new Error(`repo "${s.repo}" was not created`);
    const url = `http://${fqdnOf(ctx.org(s.org), ctx.zone)}/${repo.rid.replace(/^rad:/, '')}.git`;
    const seconds = ctx.world.profile.deadlines.replicate;
    const until = endOf(ctx, seconds);
    const probe = ctx.world.probe;
    let observed: Record<string, unknown> = {};
    for (let attempt = 1; ; attempt++) {
      const dir = `/tmp/git-clone-${s.index}-${attempt}`;
      const cloned = await probe.exec(['git', 'clone', '--quiet', '--mirror', url, dir]);
      const refs = cloned.exitCode === 0 ? await probe.exec(['git', '-C', dir, 'show-ref']) : undefined;
      const oids = (refs?.stdout ?? '').split('\n').map((line) => line.split(' ')[0]);
      const holds = repo.head !== undefined && oids.includes(repo.head);
      observed = {
        url,
        from: `${probe.name} (internet)`,
        attempts: attempt,
        exitCode: cloned.exitCode,
        ...(cloned.exitCode !== 0 && { stderr: cloned.stderr.trim().slice(-400) }),
        refs: oids.filter(Boolean).length,
      };
      if (holds || Date.now() >= until) {
        return {
          summary: `git clone ${url} from the internet`,
          facts: { url },
          check: {
            holds,
            expected: `git clone ${url} succeeds and has ${s.repo}'s last pushed head ${repo.head ?? '(none)'}`,
            failure:
              cloned.exitCode !== 0
                ? `git clone ${url} exited ${cloned.exitCode}: ${lastLine(cloned.stderr)}`
                : `git clone ${url} lacks ${s.repo}'s last pushed head ${repo.head ?? '(none)'} (${observed.refs} refs)`,
            observed,
            deadline: { name: 'replicate', seconds },
          },
        };
      }
      await sleep(1000);
    }
  },
  order: 265,
});

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';
