import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BIG_FOLDER } from '@dropview/dropbox-emulator';
import { startStack, type Stack } from '../support/stack';
import { launchChromium } from './browser';

const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
jest.setTimeout(60_000);

describe('Dropview in a real browser (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack();
    // People click Allow on the consent page; nothing approves by itself here.
    stack.emulator.autoApprove = false;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1180, height: 820 }, acceptDownloads: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const shoot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });

  test('when a person asks for a folder, then they connect on the consent page and land on that folder', async () => {
    await page.goto(`${stack.url}/browse/Photos`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${stack.url}/browse/Photos`);
    expect(await page.locator('h1').textContent()).toBe('Photos');
    expect(await page.getByRole('link', { name: '2024 Trip' }).count()).toBe(1);
    await shoot('folder');
  });

  test('when the person climbs back through the breadcrumbs, then they reach the root', async () => {
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Dropbox' }).click();
    await page.waitForURL(`${stack.url}/browse`);
    expect(await page.locator('h1').textContent()).toBe('Dropbox');
  });

  test('when "Load more" is pressed with the keyboard in a folder of 2,500 files, then the next rows appear in place', async () => {
    await page.goto(`${stack.url}/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`);
    expect(await page.locator('#entries > tr').count()).toBe(200);
    await page.getByRole('button', { name: 'Load more' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 400);
    expect(await page.locator('#entries > tr').nth(399).locator('a').textContent()).toBe('file 400.txt');
  });

  test('when the person sorts by size, then the choice is in the URL and the order covers the whole folder', async () => {
    // The column headers are the sort controls, each named for what it does.
    await page.getByRole('columnheader', { name: /Size/ }).getByRole('link', { name: 'Size, sort ascending' }).click();
    await page.waitForURL(/sort=size&order=asc/);
    expect(await page.getByRole('columnheader', { name: /Size/ }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('columnheader', { name: /Size/ }).getByRole('link', { name: 'Size, sort descending' }).click();
    await page.waitForURL(/sort=size&order=desc/);
    const sizes = await page.locator('#entries > tr td.size').allTextContents();
    expect(sizes[0]).toBe('26 bytes');
    await page.reload();
    expect(await page.locator('#entries > tr td.size').first().textContent()).toBe('26 bytes');
  });

  test('when the person searches, then matching files show with their folder, and a result opens', async () => {
    await page.goto(`${stack.url}/browse`);
    await page.getByRole('searchbox', { name: 'Search your Dropbox' }).fill('sunset');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=sunset/);
    expect(await page.locator('#entries a').first().textContent()).toBe('Sunset over the bay.jpg');
    await shoot('search');
    await page.getByRole('link', { name: 'Sunset over the bay.jpg' }).click();
    await page.waitForURL(`${stack.url}/file/Photos/2024%20Trip/Sunset%20over%20the%20bay.jpg`);
    expect(await page.locator('h1').textContent()).toBe('Sunset over the bay.jpg');
  });

  test('when the grid view is chosen, then image thumbnails load', async () => {
    await page.goto(`${stack.url}/browse/Photos/2024%20Trip`);
    await page.getByRole('link', { name: 'Grid', exact: true }).click();
    await page.waitForURL(/view=grid/);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.grid img')].every((image) => image.complete && image.naturalWidth > 0));
    expect(await page.locator('.grid img').count()).toBe(3);
    await shoot('grid');
  });

  test('when a file is opened, then its page shows a preview, and Download delivers its bytes', async () => {
    await page.goto(`${stack.url}/browse/Photos`);
    await page.getByRole('link', { name: 'Family.jpg' }).click();
    await page.waitForURL(`${stack.url}/file/Photos/Family.jpg`);
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('.viewer.photo img')?.naturalWidth ?? 0) > 0);
    await shoot('file');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('Family.jpg');
  });

  test('when JavaScript is off, then folders, "Load more" and search still work', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const plain = await noScript.newPage();
    try {
      await plain.goto(`${stack.url}/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`);
      await plain.getByRole('button', { name: 'Load more' }).click();
      await plain.waitForURL(/cursor=/);
      expect(await plain.locator('#entries > tr').first().locator('a').textContent()).toBe('file 201.txt');
      await plain.goto(`${stack.url}/search?q=beach`);
      expect(await plain.locator('#entries a').first().textContent()).toBe('Beach.jpg');
    } finally {
      await noScript.close();
    }
  });

  test('when a file appears in the open folder in Dropbox, then its row shows up without a reload', async () => {
    await page.goto(`${stack.url}/browse/Documents`);
    const loadedAt = await page.evaluate(() => performance.timeOrigin);
    await page.waitForTimeout(300);
    stack.emulator.tree.addFile('/Documents/Arrived while watching.txt', { content: 'hello' });
    await page.getByRole('link', { name: 'Arrived while watching.txt' }).waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
    expect(await page.locator('#live-status').textContent()).toBe('This folder was updated.');
  });

  test('when the open folder changes after the person loaded more rows, then the refresh keeps every loaded row, the place and the focus', async () => {
    const folder = `${stack.url}/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`;
    await page.goto(folder);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 400);
    const focused = page.locator('#entries > tr').nth(350).locator('a');
    await focused.focus();
    const focusedName = await focused.textContent();
    const scrolled = await page.evaluate(() => window.scrollY);

    stack.emulator.tree.addFile(`${BIG_FOLDER}/file 0.txt`, { content: 'sorts first' });
    await page.waitForFunction(() => document.getElementById('live-status')?.textContent === 'This folder was updated.');

    expect(await page.locator('#entries > tr').count()).toBe(401);
    expect(await page.locator('#entries > tr').first().locator('a').textContent()).toBe('file 0.txt');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(focusedName);
    expect(Math.abs((await page.evaluate(() => window.scrollY)) - scrolled)).toBeLessThan(200);
    // "Load more" goes on after the last loaded row: nothing skipped, nothing twice.
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 601);
    const names = await page.locator('#entries > tr td:first-child a').allTextContents();
    expect(new Set(names).size).toBe(601);
  });

  test('when the person disconnects, then they are back on the home page and no longer connected', async () => {
    await page.goto(`${stack.url}/browse`);
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(`${stack.url}/?disconnected=1`);
    expect(await page.getByRole('status').filter({ hasText: 'Dropbox is disconnected' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Connect Dropbox' }).count()).toBe(1);
    await shoot('home');
    await page.goto(`${stack.url}/browse`);
    expect(page.url()).toMatch(/\/oauth2\/authorize\?/);
  });
});
