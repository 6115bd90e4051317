import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertificationResults } from '../../harness/report/model.js';
import { runCli } from '../helpers/cli.js';

describe('oneclick scenario run: fault steps', () => {
  it(
    'applies latency, loss, bandwidth, a partition and a pause, heals them, and records every step',
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'oneclick-faults-'));
      const r = await runCli(
        [
          'scenario',
          'run',
          'test/fixtures/scenarios/faults/network-faults.yaml',
          '--profile',
          'quick',
          '--seed',
          '5',
          '--out',
          out,
        ],
        {},
        12 * 60_000,
      );
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as CertificationResults;
      const [scenario] = results.scenarios;
      expect(
        scenario!.steps.filter((s) => s.status !== 'ok'),
        r.stderr.slice(-3000),
      ).toEqual([]);
      expect(scenario!.status).toBe('passed');
      expect(scenario!.steps.map((s) => s.summary)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/40 ms latency on home/),
          expect.stringMatching(/5% loss on home/),
          expect.stringMatching(/2048 kbit\/s on home/),
          'heal 3 fault(s)',
          expect.stringMatching(/partition home from alpha/),
          'heal 1 fault(s)',
          expect.stringMatching(/pause the org-node of alpha/),
        ]),
      );
      // The scenario proves nothing by itself: not a certification.
      expect(r.code).toBe(1);
    },
    13 * 60_000,
  );
});
