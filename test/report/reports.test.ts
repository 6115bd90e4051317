import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJson, writeReports, type CertificationResults } from '../../harness/report/index.js';
import { redactDeep } from '../../harness/report/text.js';
import {
  certificationResults,
  failingResults,
  flakyResults,
  PROVISION_FAILING_DNS,
  redactSecret,
  SECRET,
} from './fixture.js';
import { parseXml } from './xml.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'oneclick-reports-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Same data through JSON: what results.json must give back. */
const plain = (r: unknown) => JSON.parse(JSON.stringify(r)) as unknown;

/** Free-form maps: their order is the runner's, kept as it is. */
const FREE_FORM = new Set(['observed', 'facts', 'logs']);

/** Results whose every model object was built with its keys in reverse order. */
function scrambled<T>(value: T): T {
  if (Array.isArray(value)) return value.map(scrambled) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, FREE_FORM.has(k) ? v : scrambled(v)]),
    ) as T;
  }
  return value;
}

describe('results.json', () => {
  it('round-trips: parsing it gives the results back', () => {
    for (const results of [failingResults(), flakyResults()]) {
      expect(JSON.parse(renderJson(results))).toEqual(plain(results));
    }
  });

  it('is pretty and keeps the model key order whatever order the objects were built in', () => {
    const results = failingResults();
    const text = renderJson(scrambled(results));
    expect(text).toBe(renderJson(results));
    const parsed = JSON.parse(text) as CertificationResults;
    expect(Object.keys(parsed)).toEqual([
      'schema',
      'provider',
      'harness',
      'seed',
      'profile',
      'repeat',
      'startedAt',
      'endedAt',
      'durationMs',
      'outcome',
      'requirements',
      'scenarios',
    ]);
    expect(Object.keys(parsed.requirements[0] as object)).toEqual([
      'id',
      'level',
      'title',
      'verdict',
      'scenarios',
      'evidence',
    ]);
    expect(Object.keys(parsed.scenarios[0]?.evidence[0] as object).slice(0, 6)).toEqual([
      'requirement',
      'scenario',
      'step',
      'line',
      'verdict',
      'expected',
    ]);
    expect(Object.keys(parsed.scenarios[0]?.steps[0] as object).slice(0, 4)).toEqual([
      'index',
      'line',
      'kind',
      'summary',
    ]);
    expect(text).toMatch(/^\{\n {2}"schema": "oneclick\/results\/v1",\n/);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps fields it does not know, after the known ones, and writes runs and mustFail when present', () => {
    const results = { ...flakyResults(), mustFail: ['PROV-HTTP'], extra: 1 } as CertificationResults;
    const parsed = JSON.parse(renderJson(results)) as Record<string, unknown> & CertificationResults;
    expect(Object.keys(parsed).slice(-2)).toEqual(['mustFail', 'extra']);
    expect(parsed.requirements.find((r) => r.id === 'PROV-HTTP')?.runs).toEqual(['pass', 'fail', 'pass']);
  });
});

describe('writeReports', () => {
  it('creates the folder and writes results.json, junit.xml and report.html', async () => {
    const dir = join(work, 'nested', 'out');
    const paths = await writeReports(failingResults(), dir);
    expect(paths).toEqual({
      json: join(dir, 'results.json'),
      junit: join(dir, 'junit.xml'),
      html: join(dir, 'report.html'),
    });
    for (const p of Object.values(paths)) expect((await stat(p)).size).toBeGreaterThan(500);
    expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(plain(failingResults()));
    parseXml(await readFile(paths.junit, 'utf8'));
    expect(await readFile(paths.html, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('never writes a secret: the redactor runs on every string (values and keys) of every report', async () => {
    const leaky = certificationResults([
      [
        {
          ...PROVISION_FAILING_DNS,
          error: `nsupdate -y ${SECRET} failed`,
          logs: { controller: `using key ${SECRET}\nok`, [`key-${SECRET}`]: 'x' },
          steps: PROVISION_FAILING_DNS.steps.map((s) => ({
            ...s,
            summary: `${s.summary} ${SECRET}`,
            checks: s.checks?.map((c) => ({
              ...c,
              observed: { ...c.observed, tsig: SECRET, nested: [{ SECRET }] },
            })),
          })),
        },
      ],
    ]);
    leaky.provider.dir = `/tmp/${SECRET}`;
    const dir = join(work, 'redacted');
    const paths = await writeReports(leaky, dir, { redact: redactSecret });
    for (const p of Object.values(paths)) {
      const text = await readFile(p, 'utf8');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('c2VjcmV0LXRzaWcta2V5LXZhbHVl');
      expect(text).toContain('[redacted]');
    }
    const json = JSON.parse(await readFile(paths.json, 'utf8')) as CertificationResults;
    expect(json.scenarios[0]?.logs).toEqual({
      controller: 'using key [redacted]\nok',
      'key-[redacted]': 'x',
    });
    // The same run without the redactor does carry it: the test above is not vacuous.
    const unredacted = await writeReports(leaky, join(work, 'unredacted'));
    expect(await readFile(unredacted.html, 'utf8')).toContain(SECRET);
  });

  it('leaves the caller’s results untouched', async () => {
    const results = failingResults();
    const before = plain(results);
    await writeReports(results, join(work, 'untouched'), { redact: (s) => s.replaceAll('alpha', 'ALPHA') });
    expect(plain(results)).toEqual(before);
  });
});

describe('redactDeep', () => {
  it('redacts strings in nested arrays and objects, keys included, and keeps other values', () => {
    const value = { a: 'S', S: [1, 'xSx', { b: null, c: true, d: 'S' }] };
    expect(redactDeep(value, (s) => s.replaceAll('S', '#'))).toEqual({
      a: '#',
      '#': [1, 'x#x', { b: null, c: true, d: '#' }],
    });
  });
});
