import { describe, expect, it } from 'vitest';
import type { Evidence, RequirementResult, Verdict } from '../../harness/report/model.js';
import {
  combineRepetitions,
  judgeRequirements,
  mutantMismatch,
  outcome,
  scenarioVerdicts,
  stableVerdictOf,
} from '../../harness/report/verdicts.js';
import { REQUIREMENT_IDS, REQUIREMENTS, type Requirement } from '../../harness/spec/requirements.js';

function evidence(requirement: string, verdict: Verdict, scenario = 's1'): Evidence {
  return {
    requirement,
    scenario,
    step: 0,
    verdict,
    expected: `${requirement} holds`,
    observed: {},
    at: 'now',
  };
}

const byId = (results: RequirementResult[], id: string) =>
  results.find((r) => r.id === id) as RequirementResult;

/** A small registry with a SHOULD, for the rules that care about levels. */
const REGISTRY: Requirement[] = [
  { id: 'A', level: 'MUST', title: 'a', observedBy: ['chain'] },
  { id: 'B', level: 'MUST', title: 'b', observedBy: ['dns'] },
  { id: 'C', level: 'SHOULD', title: 'c', observedBy: ['http'] },
];

describe('judgeRequirements', () => {
  it('returns every requirement of the registry, in registry order, with level and title', () => {
    const results = judgeRequirements([], { scenariosRun: [] });
    expect(results.map((r) => r.id)).toEqual(REQUIREMENT_IDS);
    expect(results.map((r) => [r.level, r.title])).toEqual(REQUIREMENTS.map((r) => [r.level, r.title]));
    expect(results.every((r) => r.verdict === 'skip' && r.evidence.length === 0 && !r.runs)).toBe(true);
  });

  it('fails a requirement with any failed evidence, even next to passes', () => {
    const results = judgeRequirements(
      [evidence('PROV-DNS', 'pass'), evidence('PROV-DNS', 'fail', 's2'), evidence('PROV-DNS', 'pass')],
      { scenariosRun: [] },
    );
    const dns = byId(results, 'PROV-DNS');
    expect(dns.verdict).toBe('fail');
    expect(dns.evidence).toHaveLength(3);
    expect(dns.scenarios).toEqual(['s1', 's2']);
  });

  it('passes a requirement with at least one pass and no failure; skip evidence alone is not a pass', () => {
    const results = judgeRequirements(
      [evidence('PROV-HTTP', 'pass'), evidence('PROV-HTTP', 'skip'), evidence('PROV-P2P', 'skip')],
      { scenariosRun: [] },
    );
    expect(byId(results, 'PROV-HTTP').verdict).toBe('pass');
    expect(byId(results, 'PROV-P2P').verdict).toBe('skip');
  });

  it('skips a requirement a scenario set out to prove but stopped before checking, and names the scenario', () => {
    const results = judgeRequirements([evidence('PROV-PROVISION', 'fail', 'renewal')], {
      scenariosRun: [{ id: 'renewal', proves: ['PROV-PROVISION', 'PROV-RENEWAL'] }],
    });
    const renewal = byId(results, 'PROV-RENEWAL');
    expect(renewal.verdict).toBe('skip');
    expect(renewal.scenarios).toEqual(['renewal']);
    expect(renewal.evidence).toEqual([]);
    expect(byId(results, 'PROV-PROVISION').verdict).toBe('fail');
    expect(byId(results, 'PROV-STOP').scenarios).toEqual([]);
  });

  it('refuses evidence for a requirement the registry does not know', () => {
    expect(() => judgeRequirements([evidence('NOPE-1', 'pass')], { scenariosRun: [] })).toThrow(/NOPE-1/);
  });

  it('judges against another registry when given one', () => {
    const results = judgeRequirements([evidence('C', 'pass')], { scenariosRun: [], requirements: REGISTRY });
    expect(results.map((r) => [r.id, r.level, r.verdict])).toEqual([
      ['A', 'MUST', 'skip'],
      ['B', 'MUST', 'skip'],
      ['C', 'SHOULD', 'pass'],
    ]);
  });
});

describe('combineRepetitions', () => {
  const run = (verdicts: Record<string, Verdict>) =>
    judgeRequirements(
      Object.entries(verdicts).map(([id, v]) => evidence(id, v)),
      { scenariosRun: [{ id: 's1', proves: Object.keys(verdicts) }], requirements: REGISTRY },
    );

  it('is flaky when runs disagree between pass and fail, with each run recorded in order', () => {
    const combined = combineRepetitions([run({ A: 'pass' }), run({ A: 'fail' }), run({ A: 'pass' })]);
    const a = byId(combined, 'A');
    expect(a.verdict).toBe('flaky');
    expect(a.runs).toEqual(['pass', 'fail', 'pass']);
    expect(a.evidence.map((e) => e.verdict)).toEqual(['pass', 'fail', 'pass']);
  });

  it('passes only what passed in every run; a pass in some runs and not reached in others is flaky', () => {
    const combined = combineRepetitions([run({ A: 'pass', B: 'pass' }), run({ A: 'pass' })]);
    expect(byId(combined, 'A')).toMatchObject({ verdict: 'pass', runs: ['pass', 'pass'] });
    expect(byId(combined, 'B')).toMatchObject({ verdict: 'flaky', runs: ['pass', 'skip'] });
  });

  it('fails what failed in every run it was checked, and skips what no run checked', () => {
    const combined = combineRepetitions([run({ A: 'fail' }), run({ A: 'fail', C: 'skip' }), run({})]);
    expect(byId(combined, 'A')).toMatchObject({ verdict: 'fail', runs: ['fail', 'fail', 'skip'] });
    expect(byId(combined, 'B')).toMatchObject({ verdict: 'skip', runs: ['skip', 'skip', 'skip'] });
    expect(byId(combined, 'C').verdict).toBe('skip');
  });

  it('returns a single run as it is (no runs), and nothing for no runs', () => {
    const one = run({ A: 'pass' });
    expect(combineRepetitions([one])).toEqual(one);
    expect(combineRepetitions([])).toEqual([]);
  });

  it('agrees with stableVerdictOf on every mix of three runs', () => {
    const verdicts: Verdict[] = ['pass', 'fail', 'skip'];
    for (const a of verdicts)
      for (const b of verdicts)
        for (const c of verdicts) {
          const combined = combineRepetitions([run({ A: a }), run({ A: b }), run({ A: c })]);
          const expected = stableVerdictOf([a, b, c]);
          expect(byId(combined, 'A').verdict).toBe(expected);
          if ([a, b, c].includes('pass'))
            expect(expected === 'pass').toBe(a === 'pass' && b === 'pass' && c === 'pass');
          if ([a, b, c].includes('pass') && [a, b, c].includes('fail')) expect(expected).toBe('flaky');
        }
  });
});

describe('outcome', () => {
  const req = (id: string, level: 'MUST' | 'SHOULD', verdict: RequirementResult['verdict']) => ({
    id,
    level,
    verdict,
  });

  it('certifies only when every MUST passed; a SHOULD does not decide', () => {
    expect(outcome([req('A', 'MUST', 'pass'), req('C', 'SHOULD', 'fail')])).toBe('certified');
    expect(outcome([req('A', 'MUST', 'pass'), req('B', 'MUST', 'fail')])).toBe('failed');
  });

  it('fails a MUST that was skipped or flaky just like one that failed', () => {
    expect(outcome([req('A', 'MUST', 'pass'), req('B', 'MUST', 'skip')])).toBe('failed');
    expect(outcome([req('A', 'MUST', 'pass'), req('B', 'MUST', 'flaky')])).toBe('failed');
  });

  it('never certifies a provider that declares mustFail, even if everything passed', () => {
    expect(outcome([req('A', 'MUST', 'pass')], ['A'])).toBe('failed');
    expect(outcome([req('A', 'MUST', 'pass')], [])).toBe('certified');
  });
});

describe('mutantMismatch', () => {
  const results = [
    { id: 'A', verdict: 'fail' as const },
    { id: 'B', verdict: 'pass' as const },
    { id: 'C', verdict: 'flaky' as const },
    { id: 'D', verdict: 'skip' as const },
    { id: 'E', verdict: 'fail' as const },
  ];

  it('is empty when the mutant failed exactly what it declared and passed the rest', () => {
    expect(mutantMismatch(results.slice(0, 2), ['A'])).toEqual({
      unexpectedFailures: [],
      missingFailures: [],
    });
  });

  it('names failures it did not declare (fail, flaky and skip alike) and declared IDs that did not fail', () => {
    expect(mutantMismatch(results, ['A', 'B', 'C', 'NOT-A-REQUIREMENT'])).toEqual({
      unexpectedFailures: ['D', 'E'],
      missingFailures: ['B', 'C', 'NOT-A-REQUIREMENT'],
    });
  });

  it('leaves out requirements no scenario that ran set out to prove, but still wants every declared one failed', () => {
    const scoped = [
      { id: 'A', verdict: 'fail' as const, scenarios: ['s1'] },
      { id: 'B', verdict: 'pass' as const, scenarios: ['s1'] },
      { id: 'D', verdict: 'skip' as const, scenarios: [] },
      { id: 'E', verdict: 'skip' as const, scenarios: ['s2'] },
    ];
    expect(mutantMismatch(scoped, ['A'])).toEqual({ unexpectedFailures: ['E'], missingFailures: [] });
    expect(mutantMismatch(scoped, ['A', 'D'])).toEqual({ unexpectedFailures: ['E'], missingFailures: ['D'] });
  });
});

describe('scenarioVerdicts', () => {
  it('lists what a scenario set out to prove, then anything else it checked, each with its verdict', () => {
    const verdicts = scenarioVerdicts({
      proves: ['A', 'B'],
      evidence: [evidence('A', 'pass'), evidence('C', 'fail'), evidence('A', 'fail')],
    });
    expect([...verdicts]).toEqual([
      ['A', 'fail'],
      ['B', 'skip'],
      ['C', 'fail'],
    ]);
  });
});
