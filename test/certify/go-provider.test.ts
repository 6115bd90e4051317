import { describe, expect, it } from 'vitest';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import { certifyViaCli, explain } from './fixture.js';

// The second provider: Go, written from SPEC.md alone, built inside its image. If it certifies,
// the written contract is enough to build against.
const GOPHER_DIR = 'fixtures/providers/gopher';

describe('oneclick certify of gopher, the provider written in Go from SPEC.md', () => {
  it(
    'passes every requirement',
    async () => {
      const { cli, results } = await certifyViaCli(GOPHER_DIR);
      expect(results.requirements.map((r) => r.id)).toEqual(REQUIREMENT_IDS);
      expect(
        results.requirements.filter((r) => r.verdict !== 'pass'),
        explain(results),
      ).toEqual([]);
      expect(results.outcome).toBe('certified');
      expect(results.provider).toMatchObject({ name: 'gopher', version: '0.1.0' });
      for (const s of results.scenarios) expect(s.status, `${s.id}: ${s.error}`).toBe('passed');
      expect(cli.code, cli.stderr.slice(-3000)).toBe(0);
    },
    25 * 60_000,
  );
});
