import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../harness/report/html.js';
import type { ScenarioResult } from '../../harness/report/model.js';
import { renderTimeline, stepCategory } from '../../harness/report/timeline.js';
import { failingResults, flakyResults, HOSTILE, scenarioRun } from './fixture.js';
import { parseXml, type XmlElement } from './xml.js';

/** Every element below `el`, depth first. */
function all(el: XmlElement): XmlElement[] {
  return el.children.flatMap((c) => [c, ...all(c)]);
}

function classes(el: XmlElement): string[] {
  return (el.attrs.class ?? '').split(/\s+/).filter(Boolean);
}

/** Elements carrying every one of `cls`. */
function byClass(el: XmlElement, ...cls: string[]): XmlElement[] {
  return all(el).filter((e) => cls.every((c) => classes(e).includes(c)));
}

function titleOf(el: XmlElement): string {
  return el.children.find((c) => c.name === 'title')?.text ?? '';
}

/** The timeline parsed as strict XML (which it must be): its <svg>. */
function svgOf(run: ScenarioResult): XmlElement {
  const wrap = parseXml(renderTimeline(run));
  const svg = wrap.children[0] as XmlElement;
  expect(svg.name).toBe('svg');
  return svg;
}

/** The x of `translate(x,y)`. */
function translateX(el: XmlElement): number {
  const m = /^translate\(([^,]+),/.exec(el.attrs.transform ?? '');
  return Number(m?.[1]);
}

const NUMERIC = [
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'width',
  'height',
  'r',
  'data-ms',
  'data-start-ms',
  'data-end-ms',
];

/** No NaN, Infinity or undefined anywhere a number goes (attributes, transforms, paths, viewBox). */
function expectFiniteGeometry(svg: XmlElement): void {
  for (const el of [svg, ...all(svg)]) {
    for (const [k, v] of Object.entries(el.attrs)) {
      expect(v, `${el.name}@${k}`).not.toMatch(/NaN|Infinity|undefined/);
      if (NUMERIC.includes(k)) expect(Number.isFinite(Number(v)), `${el.name}@${k}="${v}"`).toBe(true);
      if (k === 'transform' || k === 'd' || k === 'viewBox') {
        for (const n of v.match(/-?[\d.]+(?:e-?\d+)?/g) ?? []) expect(Number.isFinite(Number(n))).toBe(true);
      }
    }
  }
}

describe('the SVG timeline of a scenario run', () => {
  it('is drawn once per scenario run, in its scenario block above the step table', () => {
    for (const results of [failingResults(), flakyResults()]) {
      const html = renderHtml(results);
      expect(html.match(/<svg class="timeline"/g)).toHaveLength(results.scenarios.length);
      results.scenarios.forEach((run, i) => {
        const block = html.slice(html.indexOf(`id="scenario-${i}"`));
        expect(block.indexOf('<svg class="timeline"')).toBeLessThan(block.indexOf('<table class="timeline"'));
        expect(block).toContain(`data-scenario="${run.id}"`);
      });
    }
  });

  it('has one bar per step, coloured by what the step is, with the facts in its title', () => {
    const run = failingResults().scenarios[0] as ScenarioResult;
    const svg = svgOf(run);
    const bars = byClass(svg, 'tl-step');
    expect(bars).toHaveLength(run.steps.length);
    expect(bars.map((b) => b.attrs['data-step'])).toEqual(run.steps.map((s) => String(s.index)));
    expect(classes(bars[0] as XmlElement)).toContain('chain'); // top-up
    expect(classes(bars[2] as XmlElement)).toContain('observation'); // wait
    expect(classes(bars[3] as XmlElement)).toEqual(['tl-step', 'observation', 'failed']);
    expect(titleOf(bars[3] as XmlElement)).toContain('step 4 (line 19) expect: expect dns-consistent alpha');
    expect(titleOf(bars[3] as XmlElement)).toContain('blocks 109→112');
    expect(byClass(svg, 'tl-blocks').map((b) => b.text)).toEqual([
      '100→103',
      '103→106',
      '106→109',
      '109→112',
    ]);
    expect(['kill', 'heal', 'latency'].map(stepCategory)).toEqual(['fault', 'fault', 'fault']);
    expect(['connect', 'push', 'never', 'sleep', 'constructor'].map(stepCategory)).toEqual([
      'peer',
      'peer',
      'observation',
      'other',
      'other',
    ]);
  });

  it('marks each evidence on its step row, failed evidence as fail with its requirement and expectation', () => {
    const results = failingResults();
    const run = results.scenarios[0] as ScenarioResult;
    const svg = svgOf(run);
    expect(byClass(svg, 'tl-evidence')).toHaveLength(run.evidence.length);
    const failed = byClass(svg, 'tl-evidence', 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.attrs['data-requirement']).toBe('PROV-DNS');
    expect(failed[0]?.attrs['data-step']).toBe('3');
    const tip = titleOf(failed[0] as XmlElement);
    expect(tip).toContain('PROV-DNS fail');
    expect(tip).toContain('expected: TXT nid equals the handshake NID');
    expect(tip).toContain('deadline: update (30 s)');
    expect(byClass(svg, 'tl-evidence', 'pass')).toHaveLength(3);
    // A cross, not a dot: the verdict reads without colour.
    expect(all(failed[0] as XmlElement).some((e) => e.name === 'path')).toBe(true);
    expect(all(byClass(svg, 'tl-evidence', 'pass')[0] as XmlElement).map((e) => e.name)).toContain('circle');
    // Every failed evidence of the whole page is marked.
    const html = renderHtml(results);
    const failing = results.scenarios.flatMap((s) => s.evidence).filter((e) => e.verdict === 'fail');
    expect(html.match(/class="tl-evidence fail"/g)).toHaveLength(failing.length);
  });

  it('draws the deadline a check was held to on its row, from the step start', () => {
    const [provision, expiry] = failingResults().scenarios as ScenarioResult[];
    const svg = svgOf(provision as ScenarioResult);
    const ticks = byClass(svg, 'tl-deadline');
    // step 3 (wait: provision 120 s, beyond the scenario's 40 s) and step 4 (expect: update 30 s).
    expect(ticks.map((t) => [t.attrs['data-seconds'], t.attrs['data-ms']])).toEqual([
      ['120', String(20_000 + 120_000)],
      ['30', String(30_000 + 30_000)],
    ]);
    expect(titleOf(ticks[0] as XmlElement)).toContain('deadline provision (120 s) of PROV-PROVISION');
    expect(classes(ticks[0] as XmlElement)).toContain('beyond');
    expect(byClass(svgOf(expiry as ScenarioResult), 'tl-deadline')).toHaveLength(1);

    // Inside the scenario's time: at start + seconds, right of the step's start.
    const long = scenarioRun({
      id: 'long',
      steps: [
        { kind: 'top-up', summary: 'top-up a (1 package)' },
        ...Array.from({ length: 20 }, () => ({ kind: 'sleep', summary: 'sleep 10' })),
        {
          kind: 'wait',
          summary: 'wait served a',
          checks: [
            { requirement: 'PROV-PROVISION', verdict: 'pass', deadline: { name: 'provision', seconds: 30 } },
          ],
        },
        ...Array.from({ length: 5 }, () => ({ kind: 'sleep', summary: 'sleep 10' })),
      ],
    });
    const [tick] = byClass(svgOf(long), 'tl-deadline');
    const bar = byClass(svgOf(long), 'tl-step').find((b) => b.attrs['data-step'] === '21') as XmlElement;
    expect(classes(tick as XmlElement)).not.toContain('beyond');
    expect(translateX(tick as XmlElement)).toBeGreaterThan(Number(bar.attrs.x) + Number(bar.attrs.width));
  });

  it('escapes hostile text everywhere (labels, titles, attributes)', () => {
    const run = scenarioRun({
      id: `hostile ${HOSTILE}`,
      steps: [
        {
          kind: HOSTILE,
          summary: `${HOSTILE} ${HOSTILE}`,
          status: 'failed',
          error: HOSTILE,
          checks: [
            {
              requirement: `R ${HOSTILE}`,
              verdict: 'fail',
              expected: HOSTILE,
              observed: { [HOSTILE]: HOSTILE },
              deadline: { name: HOSTILE, seconds: 5 },
              message: HOSTILE,
            },
          ],
        },
      ],
    });
    const markup = renderTimeline(run);
    expect(markup).not.toContain('<script');
    expect(markup).not.toContain('\u001b');
    expect(markup).not.toMatch(/[\u0000-\u0008\u000b]/); // eslint-disable-line no-control-regex
    expect(markup).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;x&#39;');
    const svg = svgOf(run); // strict XML: nothing unescaped
    expect(byClass(svg, 'tl-evidence', 'fail')[0]?.attrs['data-requirement']).toContain('<script>');
    expect(titleOf(byClass(svg, 'tl-deadline')[0] as XmlElement)).toContain('alert("pwned")');
    // Long labels are cut, the title keeps all of it.
    const label = byClass(svg, 'tl-label')[0] as XmlElement;
    expect(
      all(label)
        .map((e) => e.text)
        .join('') + label.text,
    ).toContain('…');
    expect(titleOf(label).split(HOSTILE.slice(0, 10))).toHaveLength(4); // kind + summary twice
  });

  it('places bars and markers left to right in time, on a fixed width', () => {
    for (const run of [...failingResults().scenarios, ...flakyResults().scenarios]) {
      const svg = svgOf(run);
      expect(svg.attrs.viewBox).toMatch(/^0 0 1200 \d+$/);
      const xs = byClass(svg, 'tl-step').map((b) => Number(b.attrs.x));
      xs.slice(1).forEach((x, i) => expect(x).toBeGreaterThan(xs[i] as number));
      const marks = byClass(svg, 'tl-evidence').sort(
        (a, b) => Number(a.attrs['data-ms']) - Number(b.attrs['data-ms']),
      );
      const mx = marks.map(translateX);
      mx.slice(1).forEach((x, i) => expect(x).toBeGreaterThanOrEqual(mx[i] as number));
      // A marker lies on its step's bar here (evidence at +4.2 s of an 8 s step).
      for (const m of marks) {
        const bar = byClass(svg, 'tl-step').find(
          (b) => b.attrs['data-step'] === m.attrs['data-step'],
        ) as XmlElement;
        expect(translateX(m)).toBeGreaterThanOrEqual(Number(bar.attrs.x));
        expect(translateX(m)).toBeLessThanOrEqual(Number(bar.attrs.x) + Number(bar.attrs.width));
      }
      expectFiniteGeometry(svg);
    }
    // Height grows with the rows.
    const short = svgOf(scenarioRun({ id: 's', steps: [{ kind: 'mine', summary: 'mine 1' }] }));
    const tall = svgOf(
      scenarioRun({
        id: 't',
        steps: Array.from({ length: 60 }, () => ({ kind: 'mine', summary: 'mine 1' })),
      }),
    );
    expect(Number(tall.attrs.height)).toBeGreaterThan(Number(short.attrs.height) + 59 * 15);
  });

  it('has no NaN for instantaneous steps, no steps, evidence without deadline, times that do not parse', () => {
    const run = scenarioRun({
      id: 'edge',
      steps: [
        {
          kind: 'remember',
          summary: 'remember a as before',
          checks: [{ requirement: 'PROV-HTTP', verdict: 'pass' }],
        },
        { kind: 'expect', summary: 'expect http a', checks: [{ requirement: 'PROV-HTTP', verdict: 'skip' }] },
      ],
    });
    const first = run.steps[0] as ScenarioResult['steps'][number];
    first.endedAt = first.startedAt; // instantaneous
    delete first.blockStart;
    delete first.blockEnd;
    (run.steps[1] as ScenarioResult['steps'][number]).endedAt = 'not a time';
    (run.evidence[1] as ScenarioResult['evidence'][number]).at = 'not a time';
    delete (run.evidence[1] as ScenarioResult['evidence'][number]).elapsedMs;
    run.evidence.push({ ...(run.evidence[0] as ScenarioResult['evidence'][number]), step: 99 }); // no such step
    const svg = svgOf(run);
    expectFiniteGeometry(svg);
    const bars = byClass(svg, 'tl-step');
    expect(Number(bars[0]?.attrs.width)).toBeGreaterThanOrEqual(3);
    expect(byClass(svg, 'tl-deadline')).toHaveLength(0);
    expect(byClass(svg, 'tl-evidence')).toHaveLength(3);
    expect(byClass(svg, 'tl-evidence', 'skip')).toHaveLength(1);
    expect(byClass(svg, 'tl-label').map((l) => l.text)).toContain('evidence outside the steps');

    const empty: ScenarioResult = { ...run, steps: [], evidence: [], durationMs: 0, endedAt: run.startedAt };
    const none = svgOf(empty);
    expectFiniteGeometry(none);
    expect(byClass(none, 'tl-step')).toHaveLength(0);
    expect(byClass(none, 'tl-empty')).toHaveLength(1);

    const broken: ScenarioResult = { ...run, startedAt: 'garbage', durationMs: Number.NaN };
    expectFiniteGeometry(svgOf(broken));
  });
});
