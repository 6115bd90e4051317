/** Certifies a provider folder through the real CLI, as a provider or a CI job would. */
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificationResults } from '../../harness/report/model.js';
import { runCli, type CliResult } from '../helpers/cli.js';

/** Seed and profile of every certification in the suite: replays are exact. */
export const SEED = '20261125';
export const PROFILE = 'quick';
const TIMEOUT_MS = 20 * 60_000;

export async function certifyViaCli(
  providerDir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{ cli: CliResult; results: CertificationResults; out: string }> {
  const out = await mkdtemp(join(tmpdir(), 'oneclick-certify-'));
  const cli = await runCli(
    ['certify', '--provider', providerDir, '--profile', PROFILE, '--seed', SEED, '--out', out, ...extra],
    env,
    TIMEOUT_MS,
  );
  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as CertificationResults;
  return { cli, results, out };
}

/** What a failure message should show: each requirement's verdict, and the failing evidence. */
export function explain(results: CertificationResults): string {
  const lines = results.requirements.map((r) => `${r.verdict} ${r.id}`);
  const failed = results.requirements
    .filter((r) => r.verdict !== 'pass')
    .flatMap((r) =>
      r.evidence
        .filter((e) => e.verdict === 'fail')
        .map(
          (e) =>
            `${r.id} @ ${e.scenario}#${e.step}: ${e.expected} — ${JSON.stringify(e.observed).slice(0, 400)}`,
        ),
    );
  const broken = results.scenarios.filter((s) => s.error).map((s) => `${s.id}: ${s.error}`);
  return [...lines, ...failed, ...broken].join('\n');
}
