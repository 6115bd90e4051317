import { describe, expect, it } from 'vitest';
import type { Coverage } from '../../harness/spec/coverage.js';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import { runCli } from '../helpers/cli.js';

describe('oneclick spec coverage', () => {
  it('maps every requirement to the scenarios proving it and the mutants that must fail it', async () => {
    const r = await runCli(['spec', 'coverage', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const coverage = JSON.parse(r.stdout) as Coverage;
    expect(coverage.rows.map((row) => row.id)).toEqual(REQUIREMENT_IDS);
    expect(coverage.unproved).toEqual([]);
    expect(coverage.rows.find((row) => row.id === 'PROV-EXTEND')).toMatchObject({
      scenarios: ['lifecycle'],
      mutants: ['faulty-restart-on-extend'],
    });
    expect(coverage.rows.find((row) => row.id === 'PROV-STOP')!.mutants).toContain('faulty-never-teardown');
    expect(coverage.unmutated).toEqual(
      coverage.rows.filter((row) => !row.mutants.length).map((row) => row.id),
    );
    const table = await runCli(['spec', 'coverage']);
    expect(table.stdout).toMatch(/^PROV-EXTEND +lifecycle +faulty-restart-on-extend$/m);
    expect(table.stdout).toMatch(
      /^PROV-DNS +lifecycle, top-up-timing +faulty-no-browse-ptr, faulty-reorg-final, faulty-wrong-nid$/m,
    );
    const n = REQUIREMENT_IDS.length;
    expect(table.stdout).toContain(`${n}/${n} requirements proved by a scenario`);
  });

  it('exits 1 naming the requirements no scenario proves, and 2 for a folder that is not there', async () => {
    const some = await runCli(['spec', 'coverage', '--scenarios', 'scenarios/stop.yaml']);
    expect(some.code).toBe(1);
    expect(some.stderr).toMatch(/no scenario proves: CHAIN-TOPUP, .*PROV-FOREIGN/);
    expect(some.stderr).not.toMatch(/PROV-STOP/);
    const missing = await runCli(['spec', 'coverage', '--mutants', 'fixtures/providers/none-here']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--mutants fixtures\/providers\/none-here: no such folder/);
  });
});
