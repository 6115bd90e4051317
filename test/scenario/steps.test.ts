import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioContext } from '../../harness/scenario/context.js';
import type { Scenario } from '../../harness/scenario/model.js';
import { checkScenario, STEP_KINDS } from '../../harness/scenario/parse.js';
import { formatProblem } from '../../harness/scenario/problems.js';
import { runSteps } from '../../harness/scenario/run.js';
import { SCENARIO_SCHEMA_PATH, scenarioSchema } from '../../harness/scenario/schema.js';
import { defineStep, stepKinds, text, valueOf } from '../../harness/scenario/steps/index.js';
import type { ScenarioResult } from '../../harness/report/model.js';
import { blocksOf, describeBlocks, resolveBlocks } from '../../harness/scenario/steps/support/forms.js';

const F = 'x.yaml';
const scenario = (steps: string) => `scenario: x\ntitle: t\norgs: { alpha: contract }\nsteps:\n${steps}`;

describe('the step registry', () => {
  it('schema.json is the schema the step definitions assemble (regenerate: npx oneclick scenario schema --write)', () => {
    expect(JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8'))).toEqual(scenarioSchema());
  });

  it('lists the shipped steps in the order the language presents them', () => {
    expect(STEP_KINDS).toEqual(stepKinds());
    expect(STEP_KINDS.slice(0, 3)).toEqual(['top-up', 'register-then-top-up', 'invalid-top-up']);
    expect(STEP_KINDS.slice(-3)).toEqual(['wait', 'expect', 'never']);
  });
});

describe('a step defined in one place, and nowhere else', () => {
  // A throwaway step: its schema fragment, fields, model and runner, defined here only.
  beforeAll(() => {
    defineStep({
      kind: 'stamp',
      schema: {
        description: 'Stamp an org: `stamp: <org>` or `{ org, note }`.',
        type: ['string', 'object'],
        if: { type: 'string' },
        then: { $ref: '#/$defs/name' },
        else: {
          type: 'object',
          additionalProperties: false,
          required: ['org'],
          properties: {
            org: { $ref: '#/$defs/name' },
            note: { type: 'string' },
            proves: { $ref: '#/$defs/proves' },
          },
        },
      },
      fields: ['org', 'note?'],
      scalar: 'org',
      build: (step) => ({
        org: text(step, 'org'),
        note: (valueOf(step, 'note') as string | undefined) ?? 'none',
      }),
      describe: (s) => `stamp ${String(s.org)}`,
      run: async (_ctx, s) => {
        if (s.note === 'boom') throw new Error('the script cannot go on');
        return {
          summary: `stamped ${String(s.org)} (${String(s.note)})`,
          check: { holds: s.note !== 'smudged', expected: 'a clean stamp', observed: { note: s.note } },
          stopsOnFailure: true,
        };
      },
    });
  });

  const source = scenario(
    '  - stamp: alpha\n  - stamp: { org: alpha, note: smudged, proves: CHAIN-TOPUP }\n  - stamp: alpha\n',
  );

  it('parses into the model, in its short and long forms', () => {
    const checked = checkScenario(source, F);
    expect(checked.problems.map(formatProblem)).toEqual([]);
    expect(checked.scenario!.steps).toEqual([
      { index: 0, line: 5, proves: [], kind: 'stamp', org: 'alpha', note: 'none' },
      { index: 1, line: 6, proves: ['CHAIN-TOPUP'], kind: 'stamp', org: 'alpha', note: 'smudged' },
      { index: 2, line: 7, proves: [], kind: 'stamp', org: 'alpha', note: 'none' },
    ]);
  });

  it('gets the schema, the name checks and the wording every step gets', () => {
    const problems = checkScenario(
      scenario('  - stamp: { org: beta }\n  - stamp: { org: alpha, nte: x }\n  - stmp: alpha\n  - stamp\n'),
      F,
    ).problems.map(formatProblem);
    expect(problems).toEqual([
      `${F}:5:19: steps[0].stamp.org: unknown org "beta" (declared: alpha)`,
      `${F}:6:26: steps[1].stamp.nte: unknown field (did you mean "note"?)`,
      `${F}:7:5: steps[2].stmp: unknown step "stmp" (expected one of ${[...STEP_KINDS, 'stamp'].join(', ')}; did you mean "stamp"?)`,
      `${F}:8:5: steps[3]: stamp needs a value: stamp: <org>, or stamp: { org, note? }`,
    ]);
  });

  it('runs through the runner: evidence for what it proves; after a failed wait the scenario goes on, marking later failures; a throw stops it', async () => {
    const parsed = checkScenario(
      scenario(
        '  - stamp: alpha\n  - stamp: { org: alpha, note: smudged, proves: CHAIN-TOPUP }\n' +
          '  - stamp: { org: alpha, note: smudged, proves: CHAIN-EXTEND }\n  - stamp: alpha\n' +
          '  - stamp: { org: alpha, note: boom }\n  - stamp: alpha\n',
      ),
      F,
    ).scenario as Scenario;
    // The world is not this test's subject: the runner only reads the head and redacts.
    const ctx = {
      world: { test: { getBlockNumber: async () => 7n }, redact: (s: string) => s },
      failed: new Set<string>(),
      provedLater: [],
    } as unknown as ScenarioContext;
    const result = { status: 'passed', steps: [], evidence: [] } as unknown as ScenarioResult;
    await runSteps(ctx, parsed, result, Date.now() + 60_000, () => undefined);
    expect(result.status).toBe('failed');
    expect(result.steps.map((s) => [s.summary, s.status, s.error])).toEqual([
      ['stamped alpha (none)', 'ok', undefined],
      ['stamped alpha (smudged)', 'failed', 'a clean stamp'],
      ['stamped alpha (smudged)', 'failed', 'a clean stamp'],
      ['stamped alpha (none)', 'ok', undefined],
      ['stamp alpha', 'failed', 'the script cannot go on'],
      ['stamp alpha', 'skipped', undefined],
    ]);
    expect(result.evidence).toMatchObject([
      { requirement: 'CHAIN-TOPUP', step: 1, line: 6, verdict: 'fail', observed: { note: 'smudged' } },
      {
        requirement: 'CHAIN-EXTEND',
        step: 2,
        verdict: 'fail',
        message: 'after step 2 (line 6) failed: may follow from it',
      },
    ]);
    expect(result.evidence[0]!.message).toBeUndefined();
    // What later waits are told has failed already (they need not sit out their deadlines for it).
    expect([...ctx.failed]).toEqual(['CHAIN-TOPUP', 'CHAIN-EXTEND']);
  });
});

describe('counts of blocks from the confirmations', () => {
  it('mine and reorg take a number or confirmations±k; the step resolves it with the profile', () => {
    const checked = checkScenario(
      scenario(
        '  - mine: confirmations-1\n  - reorg: confirmations+1\n  - reorg: { depth: confirmations }\n  - mine: 3\n',
      ),
      F,
    );
    expect(checked.problems).toEqual([]);
    expect(
      checked.scenario!.steps.map((s) => ('blocks' in s ? s.blocks : 'depth' in s ? s.depth : s)),
    ).toEqual([{ confirmations: -1 }, { confirmations: 1 }, { confirmations: 0 }, 3]);
    expect(blocksOf('confirmations+2')).toEqual({ confirmations: 2 });
    expect(resolveBlocks({ confirmations: 1 }, 2)).toBe(3);
    expect(resolveBlocks(4, 2)).toBe(4);
    expect(describeBlocks({ confirmations: -1 }, 2)).toBe('confirmations-1 (= 1)');
    expect(checkScenario(scenario('  - reorg: confirmations*2\n'), F).problems.map(formatProblem)).toEqual([
      'x.yaml:5:12: steps[0].reorg: must be a whole number ≥ 1 or confirmations, confirmations+k, confirmations-k (counted from the profile), got "confirmations*2"',
    ]);
  });
});
