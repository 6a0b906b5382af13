/**
 * The screenshots in docs/screenshots/ (README "Phone, keyboard and languages"), taken from a
 * real stack in Chromium: `npx tsx test/e2e/screenshots.ts`. Not a test; run it again when the
 * pages change.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStack } from '../support/stack';
import { launchChromium } from './browser';
import { addLongAndDeepFiles, DEEP_HREF } from './fixtures';

const OUT = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function connected(browser: Browser, url: string, options: Parameters<Browser['newContext']>[0]): Promise<Page> {
  const context = await browser.newContext({ deviceScaleFactor: 1, timezoneId: 'Europe/Berlin', ...options });
  const page = await context.newPage();
  await page.goto(`${url}/browse`);
  return page;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const stack = await startStack({ sessions: 'embedded' });
  addLongAndDeepFiles(stack);
  const browser = await launchChromium();
  try {
    const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`) });
    const phone = await connected(browser, stack.url, { viewport: PHONE, isMobile: true, hasTouch: true });
    await phone.goto(`${stack.url}/browse/Documents`);
    await shoot(phone, 'phone-folder');
    await phone.goto(`${stack.url}${DEEP_HREF}`);
    await phone.locator('.crumb-more summary').click();
    await shoot(phone, 'phone-deep-path');
    await phone.goto(`${stack.url}/search?q=budget&path=%2FPhotos`);
    await shoot(phone, 'phone-search-scope');
    await phone.goto(`${stack.url}/browse/Photos/2024%20Trip?view=grid`);
    await phone.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.grid img')].every((image) => image.complete));
    await shoot(phone, 'phone-grid');

    const dark = await connected(browser, stack.url, { viewport: PHONE, isMobile: true, hasTouch: true, colorScheme: 'dark' });
    await dark.goto(`${stack.url}/browse/Documents`);
    await dark.keyboard.press('j');
    await shoot(dark, 'phone-folder-dark');

    const german = await connected(browser, stack.url, { viewport: PHONE, isMobile: true, hasTouch: true, locale: 'de-DE' });
    await german.goto(`${stack.url}/browse/Documents`);
    await shoot(german, 'phone-folder-german');

    const desktop = await connected(browser, stack.url, { viewport: DESKTOP });
    await desktop.goto(`${stack.url}/browse/Documents`);
    await desktop.keyboard.press('?');
    await shoot(desktop, 'desktop-shortcuts');
  } finally {
    await browser.close();
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
