/**
 * The one JUnit XML writer (certification and load runs): testsuites > testsuite > properties?,
 * testcase* (failure | error | skipped), system-out?, system-err?; times in seconds, the shape
 * Jenkins, GitLab and GitHub read.
 */
import { escapeMarkup, escapeXmlAttribute, seconds } from './text.js';

type Attrs = Record<string, string | number | undefined>;

/** One element; `body` is already-escaped XML, or undefined for an empty element. */
function element(name: string, attrs: Attrs, body?: string): string {
  const attributes = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXmlAttribute(String(v))}"`)
    .join('');
  return body === undefined ? `<${name}${attributes}/>` : `<${name}${attributes}>${body}</${name}>`;
}

export interface TestCase {
  name: string;
  classname: string;
  /** Unmeasured: `time="0"`. */
  timeMs?: number;
  outcome:
    | { kind: 'pass' }
    | { kind: 'skip'; message: string }
    | { kind: 'failure' | 'error'; type: string; message: string; text: string };
}

export interface Suite {
  name: string;
  timeMs: number;
  timestamp?: string;
  properties?: Record<string, string | number | undefined>;
  cases: TestCase[];
  systemOut?: string;
}

function renderTestCase(tc: TestCase): string {
  const attrs = {
    classname: tc.classname,
    name: tc.name,
    time: tc.timeMs === undefined ? 0 : seconds(tc.timeMs),
  };
  const o = tc.outcome;
  if (o.kind === 'pass') return element('testcase', attrs, '');
  const inner =
    o.kind === 'skip'
      ? element('skipped', {}, escapeMarkup(o.message))
      : element(o.kind, { message: o.message, type: o.type }, o.text ? escapeMarkup(o.text) : undefined);
  return element('testcase', attrs, `\n      ${inner}\n    `);
}

function count(suite: Pick<Suite, 'cases'>, kind: TestCase['outcome']['kind']): number {
  return suite.cases.filter((c) => c.outcome.kind === kind).length;
}

function renderSuite(suite: Suite): string {
  const props = Object.entries(suite.properties ?? {}).filter(([, v]) => v !== undefined);
  const children = [
    props.length
      ? element(
          'properties',
          {},
          `\n${props.map(([name, value]) => `      ${element('property', { name, value })}`).join('\n')}\n    `,
        )
      : '',
    ...suite.cases.map(renderTestCase),
    suite.systemOut === undefined ? '' : element('system-out', {}, escapeMarkup(suite.systemOut)),
    suite.systemOut === undefined ? '' : element('system-err', {}, ''),
  ].filter(Boolean);
  const attrs = {
    name: suite.name,
    tests: suite.cases.length,
    failures: count(suite, 'failure'),
    errors: count(suite, 'error'),
    skipped: count(suite, 'skip'),
    time: seconds(suite.timeMs),
    timestamp: suite.timestamp,
  };
  return element('testsuite', attrs, `\n${children.map((c) => `    ${c}`).join('\n')}\n  `);
}

/** "2024-05-01T12:00:00" (UTC, no zone or fraction: what the strictest JUnit schemas accept). */
export function junitTimestamp(iso: string): string | undefined {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 19) : undefined;
}

/** The text of a junit.xml; `timeMs` of the whole run when known. */
export function junitXml(name: string, suites: readonly Suite[], timeMs?: number): string {
  const total = (kind: TestCase['outcome']['kind']) => suites.reduce((n, s) => n + count(s, kind), 0);
  const attrs = {
    name,
    tests: suites.reduce((n, s) => n + s.cases.length, 0),
    failures: total('failure'),
    errors: total('error'),
    time: timeMs === undefined ? undefined : seconds(timeMs),
  };
  const body = `\n${suites.map((s) => `  ${renderSuite(s)}`).join('\n')}\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', attrs, body)}\n`;
}
