/**
 * How well the suite can tell a faulty provider apart, as data: for every requirement, the scenarios
 * that set out to prove it and the shipped mutants that must fail it (their `mustFail`).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadProvider } from '../provider/manifest.js';
import { loadScenarios } from '../scenario/parse.js';
import { REQUIREMENTS, type Level } from './requirements.js';

export interface CoverageRow {
  id: string;
  level: Level;
  scenarios: string[];
  mutants: string[];
}

export interface Coverage {
  rows: CoverageRow[];
  /** Requirements no scenario proves / no mutant must fail. */
  unproved: string[];
  unmutated: string[];
}

/** Reads the scenario files and every provider package under `mutantsDir` that declares `mustFail`. */
export async function specCoverage(scenarioGlobs: string[], mutantsDir: string): Promise<Coverage> {
  const scenarios = loadScenarios(scenarioGlobs);
  const mutants = await Promise.all(
    readdirSync(mutantsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map(async (e) => (await loadProvider(join(mutantsDir, e.name))).manifest),
  );
  const rows = REQUIREMENTS.map((r) => ({
    id: r.id,
    level: r.level,
    scenarios: scenarios.filter((s) => s.proves.includes(r.id)).map((s) => s.id),
    mutants: mutants
      .filter((m) => m.mustFail?.includes(r.id))
      .map((m) => m.name)
      .sort(),
  }));
  return {
    rows,
    unproved: rows.filter((r) => r.scenarios.length === 0).map((r) => r.id),
    unmutated: rows.filter((r) => r.mutants.length === 0).map((r) => r.id),
  };
}
