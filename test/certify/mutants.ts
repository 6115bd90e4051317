/** The faulty providers shipped in fixtures/providers/faulty, each with the IDs it must fail. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { certifyViaCli, explain } from './fixture.js';

export const FAULTY_DIR = fileURLToPath(new URL('../../fixtures/providers/faulty/', import.meta.url));

export const MUTANTS = readdirSync(FAULTY_DIR).sort();

/** Certifies one mutant and checks it failed exactly what it declares and passed the rest. */
export async function certifyMutant(name: string): Promise<void> {
  const { cli, results } = await certifyViaCli(`${FAULTY_DIR}${name}`);
  const declared = results.mustFail ?? [];
  expect(declared.length, `${name} declares no mustFail`).toBeGreaterThan(0);
  const failed = results.requirements.filter((r) => r.verdict !== 'pass').map((r) => r.id);
  expect(failed, `${name}:\n${explain(results)}`).toEqual(
    results.requirements.map((r) => r.id).filter((id) => declared.includes(id)),
  );
  expect(results.outcome).toBe('failed');
  expect(cli.stdout).toContain(`as declared: fails exactly`);
  expect(cli.code).toBe(1);
}
