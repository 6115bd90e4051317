/**
 * report.html in a real headless browser (Debian's Chromium through playwright-core, which never
 * downloads one): the verdicts render, with and without JavaScript, each scenario's SVG timeline
 * marks its failed evidence, nothing is fetched, no console errors (CSP violations are console
 * errors), and screenshots land in reports/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../harness/report/index.js';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import { launchChromium } from '../helpers/chromium.js';
import { failingResults, flakyResults, HOSTILE, redactSecret } from './fixture.js';

const SCREENSHOT = join(process.cwd(), 'reports', 'report-html.png');

let work: string;
const contexts: BrowserContext[] = [];
let shared: Promise<BrowserContext> | undefined;

/** One browser (JavaScript on) for the tests that need nothing special. */
function browser(): Promise<BrowserContext> {
  shared ??= launch(true);
  return shared;
}

/** A fresh browser with a new, empty user-data-dir. */
async function launch(javaScriptEnabled: boolean): Promise<BrowserContext> {
  const context = await launchChromium(work, javaScriptEnabled);
  contexts.push(context);
  return context;
}

interface Opened {
  page: Page;
  problems: string[];
  /** Every URL the page asked for besides the report itself. */
  fetched: string[];
}

async function open(context: BrowserContext, file: string): Promise<Opened> {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const problems: string[] = [];
  const fetched: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) fetched.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, fetched };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'oneclick-report-browser-'));
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await rm(work, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it('shows the failing requirement as fail, the outcome and the failure evidence, with no console errors', async () => {
    const { html } = await writeReports(failingResults(), join(work, 'failing'), { redact: redactSecret });
    const { page, problems, fetched } = await open(await browser(), html);

    await expect.poll(() => page.locator('#outcome').textContent()).toBe('FAILED');
    const row = page.locator('#matrix tr[data-requirement="PROV-DNS"]');
    expect(await row.locator('td.verdict').textContent()).toBe('fail');
    expect(await row.locator('td.cell.fail').allTextContents()).toEqual(['fail']);
    expect(await page.locator('#matrix tr[data-requirement="PROV-HTTP"] td.verdict').textContent()).toBe(
      'pass',
    );

    const failures = page.locator('#failures');
    const failureText = (await failures.textContent()) ?? '';
    expect(failureText).toContain('PROV-DNS');
    expect(failureText).toContain('TXT nid equals the handshake NID');
    expect(failureText).toContain('update (30 s)');
    expect(failureText).toContain('<script>alert("pwned")</script>'); // shown as text, not run
    expect(await page.locator('script').count()).toBe(1);
    await failures.locator('details.logs summary').click();
    await expect.poll(() => failures.locator('details.logs pre').first().isVisible()).toBe(true);
    expect(await failures.locator('details.logs pre').first().textContent()).toContain('reconciling alpha');

    // The filter (the one script) works: only failing rows left when pass and skip are unticked.
    await page.locator('#filters input[value="pass"]').uncheck();
    await page.locator('#filters input[value="skip"]').uncheck();
    expect(await page.locator('#matrix tbody tr:visible').evaluateAll((rows) => rows.length)).toBe(1);
    await page.locator('#filters input[value="pass"]').check();
    await page.locator('#filters input[value="skip"]').check();

    expect(problems).toEqual([]);
    expect(fetched.filter((u) => !u.startsWith('data:'))).toEqual([]);
    await mkdir(join(process.cwd(), 'reports'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('renders the same verdicts with JavaScript off', async () => {
    const { html } = await writeReports(failingResults(), join(work, 'no-js'));
    const { page, problems } = await open(await launch(false), html);
    expect(await page.locator('#outcome').textContent()).toBe('FAILED');
    expect(await page.locator('#matrix tr[data-requirement="PROV-DNS"] td.verdict').textContent()).toBe(
      'fail',
    );
    expect(await page.locator('#matrix tbody tr:visible').count()).toBe(REQUIREMENT_IDS.length);
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await page.locator('#failures').textContent()).toContain('TXT nid equals the handshake NID');
    expect(problems).toEqual([]);
  });

  it('lists a flaky requirement with its runs when repeated', async () => {
    const { html } = await writeReports(flakyResults(), join(work, 'flaky'));
    const { page, problems } = await open(await browser(), html);
    const row = page.locator('#flaky tr[data-requirement="PROV-HTTP"]');
    expect(await row.textContent()).toContain('1: pass');
    expect(await row.textContent()).toContain('2: fail');
    expect(await page.locator('#matrix tr[data-requirement="PROV-HTTP"] td.verdict').textContent()).toBe(
      'flaky',
    );
    expect(await page.locator('#matrix tr[data-requirement="PROV-HTTP"] td.cell.flaky').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('draws an SVG timeline per scenario run, with every failed evidence marked, under the CSP', async () => {
    for (const [name, results] of [
      ['timeline-failing', failingResults()],
      ['timeline-flaky', flakyResults()],
    ] as const) {
      const { html } = await writeReports(results, join(work, name));
      const { page, problems, fetched } = await open(await browser(), html);
      expect(await page.locator('details.scenario svg.timeline').count()).toBe(results.scenarios.length);
      for (const [i, run] of results.scenarios.entries()) {
        const svg = page.locator(`#scenario-${i} svg.timeline`);
        expect(await svg.locator('.tl-step').count()).toBe(run.steps.length);
        expect(await svg.locator('.tl-evidence').count()).toBe(run.evidence.length);
        expect(await svg.locator('.tl-evidence.fail').count()).toBe(
          run.evidence.filter((e) => e.verdict === 'fail').length,
        );
        expect(await svg.locator('.tl-deadline').count()).toBe(
          new Set(run.evidence.filter((e) => e.deadline?.seconds !== undefined).map((e) => e.step)).size,
        );
      }
      const failing = results.scenarios.flatMap((s) => s.evidence).filter((e) => e.verdict === 'fail');
      expect(await page.locator('svg.timeline .tl-evidence.fail').count()).toBe(failing.length);
      expect(await page.locator('svg.timeline .tl-evidence.fail title').allTextContents()).toEqual(
        failing.map((e) => expect.stringContaining(`${e.requirement} fail`)),
      );

      // The open (failed) scenario shows its chart, styled by the inline stylesheet the CSP allows.
      const shown = page.locator('details.scenario[open] svg.timeline').first();
      const box = await shown.boundingBox();
      expect(box?.width).toBeGreaterThan(900);
      expect(box?.height).toBeGreaterThan(60);
      const stroke = await page.evaluate(
        `getComputedStyle(document.querySelector('details.scenario[open] svg.timeline .tl-evidence.fail .tl-mark')).stroke`,
      );
      expect(stroke).toBe('rgb(207, 34, 46)'); // var(--fail)
      expect(await shown.locator('.tl-evidence.fail').first().isVisible()).toBe(true);
      if (name === 'timeline-failing') {
        await mkdir(join(process.cwd(), 'reports'), { recursive: true });
        await shown.screenshot({ path: join(process.cwd(), 'reports', 'report-timeline.png') });
      }
      expect(problems).toEqual([]);
      expect(fetched.filter((u) => !u.startsWith('data:'))).toEqual([]);
    }
  });

  it('keeps hostile text inert in every section', async () => {
    const { html } = await writeReports(failingResults(), join(work, 'hostile'));
    const { page } = await open(await browser(), html);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain(`alert("pwned")`);
    expect(await page.locator('body script').count()).toBe(1);
    expect(HOSTILE).toContain('<script>');
  });
});
