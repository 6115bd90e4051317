/**
 * The faulty providers shipped in fixtures/providers/faulty, each with the IDs it must fail. Each is
 * certified with only the scenarios that set out to prove its `mustFail` (SPEC.md §5 lists them): it
 * must fail exactly those IDs and pass every other requirement those scenarios prove.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generatePrivateKey } from 'viem/accounts';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadProvider } from '../../harness/provider/index.js';
import { loadScenarios } from '../../harness/scenario/parse.js';
import { certifyViaCli, explain } from './fixture.js';

export const FAULTY_DIR = fileURLToPath(new URL('../../fixtures/providers/faulty/', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../../scenarios/*.yaml', import.meta.url));

export const MUTANTS = readdirSync(FAULTY_DIR).sort();

/** The shipped scenario files proving any of `ids`. */
export function scenariosProving(ids: readonly string[]): string[] {
  return loadScenarios(SCENARIOS)
    .filter((s) => s.proves.some((id) => ids.includes(id)))
    .map((s) => s.file);
}

/** Certifies one mutant and checks it failed exactly what it declares and passed the rest in scope. */
export async function certifyMutant(name: string): Promise<void> {
  const declared = (await loadProvider(`${FAULTY_DIR}${name}`)).manifest.mustFail ?? [];
  expect(declared.length, `${name} declares no mustFail`).toBeGreaterThan(0);
  const files = scenariosProving(declared);
  // A mutant's run cannot be signed, whatever the suite saw.
  const { cli, results, out } = await certifyViaCli(
    `${FAULTY_DIR}${name}`,
    ['--scenarios', ...files, '--sign', 'env:ONECLICK_CERTIFIER_KEY'],
    { ONECLICK_CERTIFIER_KEY: generatePrivateKey() },
  );
  const inScope = results.requirements.filter((r) => r.scenarios.length > 0);
  expect(inScope.map((r) => r.id)).toEqual(expect.arrayContaining(declared));
  const failed = inScope.filter((r) => r.verdict !== 'pass').map((r) => r.id);
  expect(failed, `${name}:\n${explain(results)}`).toEqual(
    inScope.map((r) => r.id).filter((id) => declared.includes(id)),
  );
  expect(results.outcome).toBe('failed');
  expect(cli.stdout).toContain(`as declared: fails exactly`);
  expect(cli.code).toBe(1);
  expect(cli.stderr).toMatch(
    /not signed: only a certified run can be signed, and the provider declares mustFail/,
  );
  expect(existsSync(join(out, 'certificate.json'))).toBe(false);
}
