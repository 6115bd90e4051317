import { describe, expect, it, vi } from 'vitest';
import type { Judgement } from '../../harness/scenario/conditions.js';
import type { ScenarioContext } from '../../harness/scenario/context.js';

// The conditions' judge stood in for: what is under test is how waits poll it.
const answers: Array<Judgement | Error> = [];
vi.mock('../../harness/scenario/conditions.js', () => ({
  judge: async () => {
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (next instanceof Error) throw next;
    return next;
  },
}));
const { isPassingFailure, judgeWithin } = await import('../../harness/scenario/steps/support/judging.js');

const ctx = {
  world: { profile: { deadlines: {} } },
  failed: new Set(),
  provedLater: [],
} as unknown as ScenarioContext;
const served = { kind: 'served', org: 'alpha' } as const;
const timedOut = () => Object.assign(new Error('queryA ETIMEOUT a.oneclick.test'), { code: 'ETIMEOUT' });
const holds: Judgement = { holds: true, expected: 'alpha served', observed: {} };
const lacks: Judgement = { holds: false, expected: 'alpha served', observed: {} };

describe('judging polls past a look that failed in passing', () => {
  it('tells a query timing out from a bug', () => {
    expect(isPassingFailure(timedOut())).toBe(true);
    expect(isPassingFailure(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isPassingFailure(new Error('repository "site" was never created'))).toBe(false);
  });

  it('a DNS timeout is no verdict: the wait asks again and holds when the org is served', async () => {
    answers.splice(0, answers.length, timedOut(), lacks, holds);
    const outcome = await judgeWithin(ctx, served, { seconds: 5 }, true);
    expect(outcome.check).toMatchObject({ holds: true });
  });

  it('timing out to the end fails, saying what could not be observed', async () => {
    answers.splice(0, answers.length, timedOut());
    const outcome = await judgeWithin(ctx, served, { seconds: 1 }, true);
    expect(outcome.check?.holds).toBe(false);
    expect(outcome.check?.failure).toMatch(
      /^could not observe served alpha: queryA ETIMEOUT .* not within 1 s/,
    );
  });

  it('a never with no look that saw anything fails; one with some looks passes', async () => {
    answers.splice(0, answers.length, timedOut());
    const blind = await judgeWithin(ctx, served, { seconds: 1 }, false);
    expect(blind.check).toMatchObject({ holds: false, failure: /^never: could not observe served alpha/ });
    answers.splice(0, answers.length, timedOut(), lacks);
    expect((await judgeWithin(ctx, served, { seconds: 1 }, false)).check?.holds).toBe(true);
  });

  it('any other error ends the judgement at once', async () => {
    answers.splice(0, answers.length, new Error('repository "site" was never created'));
    await expect(judgeWithin(ctx, served, { seconds: 5 }, true)).rejects.toThrow(/never created/);
  });
});

describe('a wait whose requirements already failed', () => {
  it('is not waited out: its own obligations get 5 s, and the failure says why', async () => {
    answers.splice(0, answers.length, lacks);
    ctx.failed.add('PROV-REORG');
    const started = Date.now();
    const outcome = await judgeWithin(ctx, served, { seconds: 60 }, true, ['PROV-REORG']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(outcome.check).toMatchObject({
      holds: false,
      failure: 'alpha served — not waited for: PROV-REORG already failed in this scenario',
    });
  }, 20_000);

  it('a step proving nothing is there for the steps after it: moot once all they prove failed', async () => {
    answers.splice(0, answers.length, lacks);
    ctx.failed.add('PROV-ISOLATION');
    const later = Object.assign(Object.create(ctx) as ScenarioContext, { provedLater: ['PROV-ISOLATION'] });
    const outcome = await judgeWithin(later, served, { seconds: 60 }, true);
    expect(outcome.check?.failure).toBe(
      'alpha served — not waited for: PROV-ISOLATION, which the steps after it prove, already failed in this scenario',
    );
  }, 20_000);

  it('one requirement still to prove keeps the whole deadline; a holding look passes as ever', async () => {
    answers.splice(0, answers.length, lacks);
    ctx.failed.add('PROV-REORG');
    const outcome = await judgeWithin(ctx, served, { seconds: 7 }, true, ['PROV-REORG', 'PROV-DNS']);
    expect(outcome.check?.failure).toBe('alpha served — not within 7 s');
    answers.splice(0, answers.length, lacks, holds);
    const passed = await judgeWithin(ctx, served, { seconds: 60 }, true, ['PROV-REORG']);
    expect(passed.check?.holds).toBe(true);
  }, 20_000);
});
