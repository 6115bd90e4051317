import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../harness/report/junit.js';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import {
  CERTIFICATE,
  certificationResults,
  EXPIRY_PASSING,
  failingResults,
  flakyResults,
  HOSTILE,
  PROVISION_FAILING_DNS,
} from './fixture.js';
import { findAll, parseXml, type XmlElement } from './xml.js';

/**
 * The JUnit schema CI systems validate against (Jenkins' junit-4.xsd, which GitLab and GitHub readers
 * accept too): per element, the attributes it may carry, those it must, and its children in order
 * (`?` at most one, `*` any number). Text-only elements have no children.
 */
const SCHEMA: Record<string, { attrs: string[]; required?: string[]; children?: string[] }> = {
  testsuites: {
    attrs: ['name', 'time', 'tests', 'failures', 'disabled', 'errors'],
    children: ['testsuite*'],
  },
  testsuite: {
    attrs: [
      'name',
      'tests',
      'failures',
      'errors',
      'time',
      'disabled',
      'skipped',
      'timestamp',
      'hostname',
      'id',
      'package',
    ],
    required: ['name', 'tests'],
    children: ['properties?', 'testcase*', 'system-out?', 'system-err?'],
  },
  properties: { attrs: [], children: ['property*'] },
  property: { attrs: ['name', 'value'], required: ['name', 'value'], children: [] },
  testcase: {
    attrs: ['name', 'assertions', 'time', 'classname', 'status'],
    required: ['name'],
    children: ['skipped?', 'error*', 'failure*', 'system-out*', 'system-err*'],
  },
  failure: { attrs: ['type', 'message'], children: [] },
  error: { attrs: ['type', 'message'], children: [] },
  skipped: { attrs: [], children: [] },
  'system-out': { attrs: [], children: [] },
  'system-err': { attrs: [], children: [] },
};

function conforms(el: XmlElement): void {
  const rule = SCHEMA[el.name];
  if (!rule) throw new Error(`<${el.name}> is not in the JUnit schema`);
  for (const a of Object.keys(el.attrs))
    if (!rule.attrs.includes(a)) throw new Error(`<${el.name} ${a}> not allowed`);
  for (const a of rule.required ?? []) if (!(a in el.attrs)) throw new Error(`<${el.name}> lacks ${a}`);
  if (rule.children?.length === 0 && el.children.length) throw new Error(`<${el.name}> takes text only`);
  let slot = 0;
  for (const child of el.children) {
    const slots = rule.children ?? [];
    while (slot < slots.length && (slots[slot] as string).slice(0, -1) !== child.name) slot++;
    if (slot === slots.length)
      throw new Error(`<${child.name}> not allowed (or out of order) in <${el.name}>`);
    if ((slots[slot] as string).endsWith('?')) slot++;
    conforms(child);
  }
  for (const a of ['time', 'tests', 'failures', 'errors', 'skipped']) {
    if (a in el.attrs && !/^\d+(\.\d+)?$/.test(el.attrs[a] as string))
      throw new Error(`<${el.name} ${a}> not a number`);
  }
}

const suites = (root: XmlElement) => root.children.filter((c) => c.name === 'testsuite');
const cases = (suite: XmlElement) => suite.children.filter((c) => c.name === 'testcase');
const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
const suiteNamed = (root: XmlElement, name: string) =>
  suites(root).find((s) => s.attrs.name === name) as XmlElement;
const caseNamed = (suite: XmlElement, name: string) =>
  cases(suite).find((c) => c.attrs.name === name) as XmlElement;

describe('junit.xml', () => {
  it('is checked by a reader that rejects what a real XML parser rejects', () => {
    expect(() => parseXml('<a>&</a>')).toThrow(/bare &/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/forbids/);
    expect(() => parseXml('<a b="<"/>')).toThrow(/raw </);
    expect(() => parseXml('<a><b></a>')).toThrow(/closes/);
    expect(() =>
      conforms(parseXml('<testsuites><testsuite name="x" tests="1"><skipped/></testsuite></testsuites>')),
    ).toThrow(/not allowed/);
    expect(parseXml('<a b="&quot;&#10;">x &amp; &lt;y&gt;</a>')).toMatchObject({
      attrs: { b: '"\n' },
      text: 'x & <y>',
    });
  });

  it('is well-formed and fits the JUnit schema CI systems read', () => {
    for (const results of [failingResults(), flakyResults()]) {
      const root = parseXml(renderJunit(results));
      expect(root.name).toBe('testsuites');
      conforms(root);
    }
    conforms(parseXml(renderJunit(failingResults(), CERTIFICATE)));
  });

  it('carries a signed certificate as properties of the requirements suite', () => {
    const props = (xml: string) =>
      Object.fromEntries(findAll(parseXml(xml), 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props(renderJunit(failingResults()))).not.toHaveProperty('certificate.digest');
    expect(props(renderJunit(failingResults(), CERTIFICATE))).toMatchObject({
      'certificate.digest': `sha256:${CERTIFICATE.digest}`,
      'certificate.signer': CERTIFICATE.signer,
      'certificate.validUntil': CERTIFICATE.validUntil,
      'certificate.verified': 'false',
    });
  });

  it('has a requirements suite with one testcase per requirement: failures, skips and counts right', () => {
    const results = failingResults();
    const root = parseXml(renderJunit(results));
    const requirements = suites(root)[0] as XmlElement;
    expect(requirements.attrs.name).toBe('requirements');
    expect(cases(requirements).map((c) => c.attrs.name)).toEqual(REQUIREMENT_IDS);
    const skipped = results.requirements.filter((r) => r.verdict === 'skip').length;
    expect(requirements.attrs).toMatchObject({
      tests: String(REQUIREMENT_IDS.length),
      failures: '1',
      errors: '0',
      skipped: String(skipped),
    });
    expect(findAll(requirements, 'skipped')).toHaveLength(skipped);

    const dns = child(caseNamed(requirements, 'PROV-DNS'), 'failure') as XmlElement;
    expect(dns.attrs).toMatchObject({ type: 'fail', message: 'expected: TXT nid equals the handshake NID' });
    expect(dns.text).toContain('observed:\n  txt: nid=');
    expect(dns.text).toContain('handshakeNid: z6MkfT3pQ1');
    expect(dns.text).toContain('deadline: update (30 s)');
    expect(dns.text).toContain('step 4 (line 19): expect — expect dns-consistent alpha');
    expect(child(caseNamed(requirements, 'PROV-HTTP'), 'failure')).toBeUndefined();
    expect(child(caseNamed(requirements, 'PROV-STOP'), 'skipped')?.text).toMatch(
      /no scenario that ran proves it/,
    );
    const properties = findAll(requirements, 'property').map((p) => [p.attrs.name, p.attrs.value]);
    expect(properties).toContainEqual(['outcome', 'failed']);
    expect(properties).toContainEqual(['seed', '42']);
  });

  it('has one suite per scenario whose testcases are the requirements it checked, times in seconds', () => {
    const root = parseXml(renderJunit(failingResults()));
    expect(suites(root).map((s) => s.attrs.name)).toEqual(['requirements', 'provision-basic', 'expiry']);
    const provision = suiteNamed(root, 'provision-basic');
    expect(cases(provision).map((c) => c.attrs.name)).toEqual([
      'CHAIN-TOPUP',
      'PROV-PROVISION',
      'PROV-HTTP',
      'PROV-DNS',
    ]);
    expect(provision.attrs).toMatchObject({ tests: '4', failures: '1', skipped: '0', time: '40.000' });
    expect(provision.attrs.timestamp).toBe('2025-03-01T10:00:00');
    expect(cases(provision).every((c) => c.attrs.classname === 'oneclick.scenario.provision-basic')).toBe(
      true,
    );
    expect(caseNamed(provision, 'PROV-HTTP').attrs.time).toBe('4.200');
    const out = child(provision, 'system-out')?.text ?? '';
    expect(out).toContain('+30.000s 4. [failed] expect: expect dns-consistent alpha (blocks 109→112)');
    expect(out).toContain('--- logs: controller ---');
    expect(suiteNamed(root, 'expiry').attrs).toMatchObject({ tests: '3', failures: '0' });
  });

  it('adds up the suites in the testsuites totals', () => {
    const root = parseXml(renderJunit(failingResults()));
    const sum = (a: string) => suites(root).reduce((n, s) => n + Number(s.attrs[a]), 0);
    expect(Number(root.attrs.tests)).toBe(sum('tests'));
    expect(Number(root.attrs.failures)).toBe(sum('failures'));
    expect(Number(root.attrs.errors)).toBe(sum('errors'));
    expect(root.attrs.time).toBe('70.000');
    for (const s of suites(root)) {
      expect(Number(s.attrs.tests)).toBe(cases(s).length);
      expect(Number(s.attrs.failures)).toBe(findAll(s, 'failure').length);
      expect(Number(s.attrs.skipped)).toBe(findAll(s, 'skipped').length);
    }
  });

  it('marks a flaky requirement as a failure of type "flaky" and names scenario suites by repetition', () => {
    const root = parseXml(renderJunit(flakyResults()));
    const http = child(caseNamed(suites(root)[0] as XmlElement, 'PROV-HTTP'), 'failure') as XmlElement;
    expect(http.attrs).toMatchObject({
      type: 'flaky',
      message: 'flaky: passed 2 of 3 runs (pass, fail, pass)',
    });
    expect(http.text).toContain('HTTP answers with the NID');
    expect(suites(root).map((s) => s.attrs.name)).toEqual([
      'requirements',
      'expiry #1',
      'http-route #1',
      'expiry #2',
      'http-route #2',
      'expiry #3',
      'http-route #3',
    ]);
    expect(suiteNamed(root, 'http-route #2').attrs.failures).toBe('1');
    expect(suiteNamed(root, 'http-route #3').attrs.failures).toBe('0');
  });

  it('escapes markup and quotes, keeps control characters visible, and drops ANSI colours', () => {
    const xml = renderJunit(failingResults());
    const root = parseXml(xml); // throws on anything unescaped or unencodable
    expect(xml).not.toContain('<script>');
    const failure = child(caseNamed(suites(root)[0] as XmlElement, 'PROV-DNS'), 'failure') as XmlElement;
    expect(failure.text).toContain(`<script>alert("pwned")</script> & 'x' <&"'> \\u0001\\u0008red\\u000b`);
    expect(xml).not.toContain('\u001b');
    expect(child(suiteNamed(root, 'provision-basic'), 'system-out')?.text).toContain(
      '\nINFO reconciling alpha\n',
    );
  });

  it('escapes attributes too: quotes, ampersands, angle brackets and line breaks survive a round trip', () => {
    const weird = `we"ird <&'> id\nsecond line\tand tab`;
    const results = certificationResults([[{ ...EXPIRY_PASSING, id: weird, error: HOSTILE }]]);
    const xml = renderJunit(results);
    const root = parseXml(xml);
    expect(suites(root)[1]?.attrs.name).toBe(weird);
    expect(cases(suites(root)[1] as XmlElement)[0]?.attrs.classname).toBe(`oneclick.scenario.${weird}`);
    expect(xml).not.toMatch(/name="[^"]*\n/);
  });

  it('reports a scenario the harness broke as an error, apart from the requirement failures', () => {
    const broken = { ...PROVISION_FAILING_DNS, status: 'error' as const, error: 'docker engine went away' };
    const root = parseXml(renderJunit(certificationResults([[broken]])));
    const suite = suiteNamed(root, 'provision-basic');
    const error = child(caseNamed(suite, 'harness'), 'error') as XmlElement;
    expect(error.attrs).toMatchObject({ type: 'harness-error', message: 'docker engine went away' });
    expect(suite.attrs).toMatchObject({ errors: '1', failures: '1' });
    expect(root.attrs.errors).toBe('1');
  });

  it('skips, in the scenario suite, what a scenario set out to prove but never reached', () => {
    const stopped = { ...PROVISION_FAILING_DNS, proves: ['CHAIN-TOPUP', 'PROV-DNS', 'PROV-EXTEND'] };
    const root = parseXml(renderJunit(certificationResults([[stopped]])));
    const suite = suiteNamed(root, 'provision-basic');
    expect(child(caseNamed(suite, 'PROV-EXTEND'), 'skipped')?.text).toBe(
      'the scenario stopped before checking it',
    );
    const requirement = caseNamed(suites(root)[0] as XmlElement, 'PROV-EXTEND');
    expect(child(requirement, 'skipped')?.text).toBe(
      'not checked: provision-basic stopped before checking it',
    );
  });
});
