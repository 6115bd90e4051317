import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import { REFERENCE_DIR } from '../provider/reference-fixture.js';
import { certifyViaCli, explain, PROFILE, SEED } from './fixture.js';

describe('oneclick certify of the reference provider', () => {
  it(
    'passes every requirement, exits 0, and writes the three reports with the seed and profile',
    async () => {
      const { cli, results, out } = await certifyViaCli(REFERENCE_DIR);
      expect(results.requirements.map((r) => r.id)).toEqual(REQUIREMENT_IDS);
      expect(
        results.requirements.filter((r) => r.verdict !== 'pass'),
        explain(results),
      ).toEqual([]);
      expect(results.outcome).toBe('certified');
      expect(cli.code, cli.stderr.slice(-3000)).toBe(0);
      expect(results.seed).toBe(Number(SEED));
      expect(results.profile).toBe(PROFILE);
      expect(results.provider).toMatchObject({ name: 'reference', version: '0.1.0' });
      expect(results.provider.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // Every scenario left evidence with block numbers and times; the TSIG secret is nowhere.
      for (const s of results.scenarios) expect(s.status, `${s.id}: ${s.error}`).toBe('passed');
      const junit = await readFile(join(out, 'junit.xml'), 'utf8');
      expect(junit).toContain('<testsuites');
      expect(junit).not.toContain('<failure');
      const html = await readFile(join(out, 'report.html'), 'utf8');
      expect(html).toContain('PROV-EXTEND');
      for (const text of [junit, html, JSON.stringify(results), cli.stdout, cli.stderr]) {
        expect(text).not.toMatch(/hmac-sha256:[A-Za-z0-9+/]{20,}/);
      }
    },
    25 * 60_000,
  );
});
