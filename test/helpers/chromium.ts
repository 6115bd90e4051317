/**
 * Debian's Chromium through playwright-core (which never downloads a browser), headless, with a
 * fresh profile: what every browser test opens pages in.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh browser with a new, empty user-data-dir under `work`. */
export async function launchChromium(work: string, javaScriptEnabled = true): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed (${CHROMIUM} is missing): run scripts/bootstrap.sh, which installs it ` +
        '(apt-get install -y chromium); CI installs it the same way. This test does not skip without it.',
    );
  }
  const profile = await mkdtemp(join(work, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    javaScriptEnabled,
    viewport: { width: 1400, height: 900 },
  });
}
