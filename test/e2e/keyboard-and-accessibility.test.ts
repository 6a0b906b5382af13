import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BIG_FOLDER } from '@dropview/dropbox-emulator';
import { startServerProcess } from '../support/server-process';
import { startStack, type Stack } from '../support/stack';
import { accessibilityViolations, contrastRatio, launchChromium } from './browser';
import { addLongAndDeepFiles, connectIn, DEEP_HREF, LONG_FILE_HREF } from './fixtures';

jest.setTimeout(120_000);

const BIG_FOLDER_HREF = `/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`;

describe('Keyboard and accessibility in a real browser (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack();
    addLongAndDeepFiles(stack);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await connectIn(context, stack);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const focusedName = () => page.evaluate(() => document.activeElement?.textContent ?? '');

  describe('Keyboard shortcuts', () => {
    test('when "/" is pressed, then the search box has focus, and typing there triggers no shortcut', async () => {
      await page.goto(`${stack.url}/browse/Documents`);
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('search-q');
      await page.keyboard.type('jk?');
      expect(await page.locator('#search-q').inputValue()).toBe('jk?');
      expect(await page.locator('#shortcuts').evaluate((dialog: HTMLDialogElement) => dialog.open)).toBe(false);
    });

    test('when j, k and the arrows are pressed, then focus moves through the rows, and Enter opens one', async () => {
      await page.goto(`${stack.url}/browse/Documents`);
      await page.keyboard.press('j');
      expect(await focusedName()).toBe('Projects');
      await page.keyboard.press('j');
      await page.keyboard.press('ArrowDown');
      expect(await focusedName()).toBe('Notes.md');
      await page.keyboard.press('k');
      expect(await focusedName()).toBe('Budget 2026.csv');
      await page.keyboard.press('ArrowUp');
      expect(await focusedName()).toBe('Projects');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${stack.url}/browse/Documents/Projects`);
    });

    test('when Backspace or Alt+ArrowUp is pressed, then the parent folder opens', async () => {
      await page.goto(`${stack.url}/browse/Documents/Projects/Dropview`);
      await page.keyboard.press('Backspace');
      await page.waitForURL(`${stack.url}/browse/Documents/Projects`);
      await page.keyboard.press('Alt+ArrowUp');
      await page.waitForURL(`${stack.url}/browse/Documents`);
      await page.goto(`${stack.url}/file/Documents/Notes.md`);
      await page.keyboard.press('Backspace');
      await page.waitForURL(`${stack.url}/browse/Documents`);
    });

    test('when "?" is pressed, then a dialog lists the shortcuts, and Escape closes it', async () => {
      await page.goto(`${stack.url}/browse`);
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      expect(await dialog.locator('dd').allTextContents()).toContain('Go to the parent folder');
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Keyboard shortcuts (?)' }).click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
    });

    test('when the grid is used with the keyboard only, then j moves between the cards and Enter opens one', async () => {
      await page.goto(`${stack.url}/browse/Photos?view=grid`);
      await page.keyboard.press('j');
      expect(await focusedName()).toContain('2024 Trip');
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/file\/Photos\//);
    });
  });

  describe('Focus and announcements', () => {
    test('when rows and cards have keyboard focus, then the focus ring contrasts at least 3:1 with what is around it, light and dark', async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const rings: { where: string; ratio: number }[] = [];
        const measure = async (where: string) => {
          const { ring, behind } = await page.evaluate(() => {
            const focused = document.activeElement as HTMLElement;
            // A row or a card draws the ring for the link it holds.
            const drawn = [focused, focused.closest('tr'), focused.closest('.card')].find((element) => element && getComputedStyle(element).outlineStyle !== 'none') as HTMLElement;
            const style = getComputedStyle(drawn);
            const inside = parseFloat(style.outlineOffset) < 0;
            let element: HTMLElement | null = inside ? drawn : drawn.parentElement;
            while (element && getComputedStyle(element).backgroundColor.replace(/\s/g, '') === 'rgba(0,0,0,0)') element = element.parentElement;
            return { ring: style.outlineColor, behind: element ? getComputedStyle(element).backgroundColor : getComputedStyle(document.documentElement).backgroundColor };
          });
          rings.push({ where, ratio: contrastRatio(ring, behind) });
        };
        await page.goto(`${stack.url}/browse/Documents`);
        await page.keyboard.press('j');
        await measure('list row');
        await page.goto(`${stack.url}/browse/Photos?view=grid`);
        await page.keyboard.press('j');
        await measure('grid card');
        await page.keyboard.press('Tab');
        await measure('next card');
        await page.locator('#search-q').focus();
        await page.keyboard.press('Tab');
        await measure('search button');
        for (const ring of rings) expect({ ...ring, colorScheme, enough: ring.ratio >= 3 }).toEqual({ ...ring, colorScheme, enough: true });
        // The ring of a card is not cut off: nothing around it hides what overflows.
        expect(
          await page
            .locator('.card')
            .first()
            .evaluate((card) => getComputedStyle(card).overflow),
        ).toBe('visible');
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });

    test('when "Load more" adds rows, then a screen reader hears how many, not the whole list', async () => {
      await page.goto(`${stack.url}${BIG_FOLDER_HREF}`);
      expect(await page.locator('[aria-live], [role="status"]').evaluateAll((regions) => regions.filter((region) => region.querySelector('#entries')).length)).toBe(0);
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 400);
      expect(await page.getByRole('status').filter({ hasText: 'more items loaded' }).textContent()).toBe('200 more items loaded');
    });

    test('when a live refresh comes while a grid card has focus, then focus stays on that card', async () => {
      stack.emulator.tree.addFile('/Grid live/b.txt', { content: 'b' });
      stack.emulator.tree.addFile('/Grid live/c.txt', { content: 'c' });
      await page.goto(`${stack.url}/browse/Grid%20live?view=grid`);
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect(await focusedName()).toContain('c.txt');
      stack.emulator.tree.addFile('/Grid live/a.txt', { content: 'a' });
      await page.waitForFunction(() => document.querySelectorAll('#entries > li').length === 3);
      expect(await focusedName()).toContain('c.txt');
    });
  });

  describe('axe-core on every kind of page', () => {
    test('when each kind of page is scanned, light and dark, on a desktop and a phone, then axe finds no violation of any impact', async () => {
      const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
      const axePage = await axeContext.newPage();
      const addresses = [
        '/browse',
        '/browse/Photos',
        '/browse/Photos?view=grid',
        DEEP_HREF,
        BIG_FOLDER_HREF,
        '/search?q=notes',
        '/search?q=jpg&view=grid',
        '/search?q=budget&path=%2FPhotos',
        '/file/Photos/Family.jpg',
        LONG_FILE_HREF,
        '/browse/Empty%20folder',
        '/no-such-page',
      ];
      try {
        for (const viewport of [
          { width: 1280, height: 800 },
          { width: 390, height: 844 },
        ]) {
          await axePage.setViewportSize(viewport);
          for (const colorScheme of ['light', 'dark'] as const) {
            await axePage.emulateMedia({ colorScheme });
            for (const address of addresses) {
              await axePage.goto(`${stack.url}${address}`);
              expect({ address, colorScheme, viewport, violations: await accessibilityViolations(axePage) }).toEqual({ address, colorScheme, viewport, violations: [] });
            }
          }
        }
        await axeContext.clearCookies();
        for (const colorScheme of ['light', 'dark'] as const) {
          await axePage.emulateMedia({ colorScheme });
          for (const address of ['/', '/?disconnected=1']) {
            await axePage.goto(`${stack.url}${address}`);
            expect({ address, colorScheme, violations: await accessibilityViolations(axePage) }).toEqual({ address, colorScheme, violations: [] });
          }
        }
      } finally {
        await axeContext.close();
      }
    });

    test('when Dropview runs in demo mode, then its banner sits inside the page header landmark and axe finds nothing', async () => {
      const demo = await startServerProcess({ PORT: '0', LOG_LEVEL: 'info' }, { args: ['--demo'] });
      const demoContext = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
      try {
        const demoPage = await demoContext.newPage();
        for (const colorScheme of ['light', 'dark'] as const) {
          await demoPage.emulateMedia({ colorScheme });
          await demoPage.goto(`http://127.0.0.1:${demo.port}/`);
          expect(await demoPage.getByRole('banner').locator('.demo-banner').count()).toBe(1);
          expect({ colorScheme, violations: await accessibilityViolations(demoPage) }).toEqual({ colorScheme, violations: [] });
        }
      } finally {
        await demoContext.close();
        await demo.stop();
      }
    });

    test('when a page is read, then breadcrumb separators are hidden from screen readers and sort and view choices are not landmarks', async () => {
      await page.goto(`${stack.url}${DEEP_HREF}`);
      expect(await page.locator('nav.breadcrumb .separator').evaluateAll((separators) => separators.every((separator) => separator.getAttribute('aria-hidden') === 'true'))).toBe(true);
      expect(await page.getByRole('navigation').count()).toBe(1);
      expect(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
      expect(await page.getByRole('columnheader', { name: /Name/ }).getByRole('link').getAttribute('aria-label')).toBe('Name, sort descending');
    });
  });

  describe('In the reader’s language', () => {
    test('when a German browser in Berlin opens Dropview, then pages are German and exact times are Berlin times in German', async () => {
      const german = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
      const germanPage = await german.newPage();
      try {
        await germanPage.goto(`${stack.url}/browse/Documents`);
        expect(await germanPage.getAttribute('html', 'lang')).toBe('de');
        expect(await germanPage.locator('.item-count').textContent()).toBe('4 Elemente');
        expect(await germanPage.getByRole('button', { name: 'Trennen' }).count()).toBe(1);
        expect(await germanPage.getByRole('columnheader', { name: /Größe/ }).getByRole('link').getAttribute('aria-label')).toBe('Größe, aufsteigend sortieren');
        const report = germanPage.locator('#entries tr', { hasText: 'Report 2024.pdf' });
        expect(await report.locator('td.size').textContent()).toBe('180 KB');
        await germanPage.waitForFunction(() => document.querySelector('#entries time[data-local]') !== null);
        // 31 Jan 2025, 10:30 UTC is 11:30 in Berlin (winter time).
        expect(await report.locator('time .day').textContent()).toBe('31.01.2025');
        expect(await report.locator('time .clock').textContent()).toBe('11:30');
        await germanPage.goto(`${stack.url}${BIG_FOLDER_HREF}`);
        expect(await germanPage.locator('.item-count').textContent()).toBe('2.500 Elemente');
        await germanPage.getByRole('button', { name: 'Mehr laden' }).click();
        await germanPage.waitForFunction(() => document.getElementById('live-status')?.textContent === '200 weitere Elemente geladen');
        expect(await germanPage.locator('#shown-count').textContent()).toBe('400 von 2.500 angezeigt');

        // The switch in the footer, remembered over the browser's language.
        await germanPage.getByLabel('Sprache').selectOption('ja');
        await germanPage.getByRole('button', { name: 'Wechseln' }).click();
        await germanPage.waitForFunction(() => document.documentElement.lang === 'ja');
        expect(await germanPage.locator('.item-count').textContent()).toBe('2,500 項目');
        await germanPage.goto(`${stack.url}/browse/Photos`);
        expect(await germanPage.getAttribute('html', 'lang')).toBe('ja');
      } finally {
        await german.close();
      }
    });
  });
});
