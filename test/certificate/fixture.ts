/** A certified (or not) run written to a folder as `certify` writes it, ready to be signed. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { writeReports } from '../../harness/report/index.js';
import type { CertificationResults } from '../../harness/report/model.js';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import { certificationResults } from '../report/fixture.js';

/** Every requirement passed: the only kind of run that can be signed. */
export function certifiedResults(extra: Partial<CertificationResults> = {}): CertificationResults {
  return certificationResults(
    [
      [
        {
          id: 'all',
          steps: [
            {
              kind: 'expect',
              summary: 'everything',
              checks: REQUIREMENT_IDS.map((requirement) => ({ requirement, verdict: 'pass' as const })),
            },
          ],
        },
      ],
    ],
    extra,
  );
}

export interface Bundle {
  dir: string;
  scenarios: { id: string; file: string }[];
  profile: { name: string; file: string };
}

/** results.json + reports in a fresh folder, and scenario/profile files outside it (as in the repo). */
export async function writtenRun(results: CertificationResults): Promise<Bundle> {
  const root = await mkdtemp(join(tmpdir(), 'oneclick-cert-'));
  const dir = join(root, 'report');
  await writeReports(results, dir);
  const scenario = join(root, 'all.yaml');
  const profile = join(root, 'quick.yaml');
  await writeFile(scenario, 'scenario: all\ntitle: everything\n');
  await writeFile(profile, 'description: quick\n');
  return { dir, scenarios: [{ id: 'all', file: scenario }], profile: { name: 'default', file: profile } };
}

export function throwawayKey() {
  const key = generatePrivateKey();
  return { key, account: privateKeyToAccount(key) };
}
