import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';

/** Debian's Chromium: never a browser downloaded by Playwright. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const screenshotDir = fileURLToPath(new URL('../../../.data/screenshots', import.meta.url));

/**
 * Headless Chromium for one journey file. Playwright gives every launch a fresh temporary profile
 * (user-data-dir); the flags keep it offline and quiet on a build machine.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page in its own context (own cookies), at desktop size, with a base URL. */
export async function newPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // What went wrong in the page shows in the test output.
  /* eslint-disable no-console */
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[console] ${message.text()}`);
  });
  // A failed journey prints what the page said at that moment.
  onTestFailed(async () => {
    const text = await page
      .locator('body')
      .innerText({ timeout: 2_000 })
      .catch(() => '(page closed)');
    console.error(`[page at ${page.url()}]\n${text}`);
  });
  /* eslint-enable no-console */
  return page;
}

/** axe-core on the page as it is now: no serious or critical violations. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `accessibility of ${what}`).toEqual([]);
}

/** Screenshots of the page at desktop and phone widths under .data/screenshots/, then back to desktop. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshotDir}/${name}-phone.png`, fullPage: true });
  // Every page fits a phone's width: wide content (tables) scrolls inside its own box, not the page.
  const overflow = await page.evaluate(() => {
    const root = document.documentElement;
    const widest = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      // Content inside a box that scrolls or clips (a table's scroller) does not widen the page.
      .filter((el) => {
        // Unless it is positioned against the page, past its scroller (a visually hidden label).
        if (getComputedStyle(el).position === 'absolute') return true;
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
          if (getComputedStyle(up).overflowX !== 'visible') return false;
        return true;
      })
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`)
      .slice(0, 5);
    const by = root.scrollWidth - root.clientWidth;
    // Which elements, to start looking: only when the page is wider.
    return { by, widest: by > 0 ? widest : [] };
  });
  expect(overflow, `${name} is wider than a phone's screen`).toEqual({ by: 0, widest: [] });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${screenshotDir}/${name}-desktop.png`, fullPage: true });
}
