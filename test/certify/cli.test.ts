import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertificationResults } from '../../harness/report/model.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR } from '../provider/reference-fixture.js';

describe('oneclick certify and scenario run: bad input', () => {
  it('a malformed scenario exits 2 naming file, line, column and what was expected, before starting anything', async () => {
    const r = await runCli(['scenario', 'run', 'test/fixtures/scenarios/many-problems.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/many-problems\.yaml:6:\d+: orgs\.beta/);
    expect(r.stderr).toMatch(/many-problems\.yaml:11:\d+: .*did you mean "wait"/);
    expect(r.stderr).toMatch(/PROV-PROVISON.*did you mean "PROV-PROVISION"/);
    expect(r.stderr).not.toMatch(/booting|certifying/);
  });

  it('a malformed provider manifest exits 2 naming each field', async () => {
    const r = await runCli(['certify', '--provider', 'test/fixtures/providers/wrong-types']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/provider\.yaml:\d+:\d+: name/);
    expect(r.stderr).toMatch(/readiness\.timeoutSeconds/);
  });

  it('an unknown profile or a bad flag exits 2 with the choices', async () => {
    const profile = await runCli(['certify', '--provider', REFERENCE_DIR, '--profile', 'quik']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(/unknown profile "quik".*did you mean "quick"/);
    const repeat = await runCli(['certify', '--provider', REFERENCE_DIR, '--repeat', 'twice']);
    expect(repeat.code).toBe(2);
    expect(repeat.stderr).toMatch(/--repeat expects a whole number/);
  });
});

describe('oneclick certify --repeat', () => {
  it(
    'runs the scenarios again with the same seed and reports each requirement per run',
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'oneclick-repeat-'));
      const r = await runCli(
        [
          'certify',
          '--provider',
          REFERENCE_DIR,
          '--scenarios',
          'scenarios/stop.yaml',
          '--profile',
          'quick',
          '--seed',
          '99',
          '--repeat',
          '2',
          '--out',
          out,
        ],
        {},
        15 * 60_000,
      );
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as CertificationResults;
      expect(results.repeat).toBe(2);
      expect(results.scenarios.map((s) => [s.id, s.repetition, s.status])).toEqual([
        ['stop', 1, 'passed'],
        ['stop', 2, 'passed'],
      ]);
      const stop = results.requirements.find((q) => q.id === 'PROV-STOP')!;
      expect(stop.verdict).toBe('pass');
      expect(stop.runs).toEqual(['pass', 'pass']);
      // Requirements no scenario here proves are not passing: the run does not certify.
      expect(results.requirements.find((q) => q.id === 'PROV-MANY')!.verdict).toBe('skip');
      expect(results.outcome).toBe('failed');
      expect(r.code).toBe(1);
      // The same seed gives the same orgs in both repetitions.
      const orgs = results.scenarios.map((s) =>
        s.steps.filter((st) => st.kind === 'top-up').map((st) => st.facts?.org),
      );
      expect(orgs[0]).toHaveLength(2);
      expect(orgs[1]).toEqual(orgs[0]);
    },
    16 * 60_000,
  );
});
