import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BIG_FOLDER } from '@dropview/dropbox-emulator';
import { startStack, type Stack } from '../support/stack';
import { launchChromium } from './browser';
import { addLongAndDeepFiles, connectIn, DEEP_HREF, DEEP_PATH, DEEP_SEGMENTS, LONG_FILE_HREF, LONG_NAME, sidewaysOverflow } from './fixtures';

jest.setTimeout(90_000);

const BIG_FOLDER_HREF = `/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`;
const PHONE = { width: 390, height: 844 };

describe('Pages in a real browser (Chromium) on a phone and with long lists', () => {
  let stack: Stack;
  let browser: Browser;
  let phone: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack();
    addLongAndDeepFiles(stack);
    browser = await launchChromium();
    phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, timezoneId: 'UTC' });
    page = await connectIn(phone, stack);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  describe('Phone layout', () => {
    const connectedPages = [
      '/browse',
      '/browse/Photos',
      '/browse/Photos?view=grid',
      DEEP_HREF,
      `${DEEP_HREF}?view=grid`,
      LONG_FILE_HREF,
      `/search?q=quarterly&path=${encodeURIComponent(DEEP_PATH)}`,
      '/search?q=quarterly&view=grid',
      '/search?q=nothing-like-this&path=%2FPhotos',
      BIG_FOLDER_HREF,
      '/browse/Empty%20folder',
      '/browse/No%20such%20folder',
    ];

    test.each([390, 320])('when every kind of page is shown %i px wide, then nothing scrolls sideways', async (width) => {
      await page.setViewportSize({ width, height: 800 });
      try {
        for (const address of connectedPages) {
          await page.goto(`${stack.url}${address}`);
          expect({ address, overflow: await sidewaysOverflow(page) }).toEqual({ address, overflow: 0 });
        }
        const anonymous = await browser.newContext({ viewport: { width, height: 800 }, isMobile: true });
        const home = await anonymous.newPage();
        for (const address of ['/', '/?disconnected=1']) {
          await home.goto(`${stack.url}${address}`);
          expect({ address, overflow: await sidewaysOverflow(home) }).toEqual({ address, overflow: 0 });
        }
        await anonymous.close();
      } finally {
        await page.setViewportSize(PHONE);
      }
    });

    test('when a folder holds names of 200 characters, then each stays on one line ending in "…", with the full name in its title', async () => {
      await page.goto(`${stack.url}${DEEP_HREF}`);
      const link = page.locator('#entries td.name a', { hasText: LONG_NAME });
      expect(await link.getAttribute('title')).toBe(LONG_NAME);
      const box = await link.evaluate((element) => ({
        height: element.getBoundingClientRect().height,
        lineHeight: parseFloat(getComputedStyle(element).lineHeight),
        cut: element.scrollWidth > element.clientWidth,
        ellipsis: getComputedStyle(element).textOverflow,
      }));
      expect(box.height).toBeLessThan(box.lineHeight * 1.5);
      expect(box).toMatchObject({ cut: true, ellipsis: 'ellipsis' });
      // The columns keep their widths, whatever the names.
      const widths = async () => page.locator('thead th').evaluateAll((cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().width)));
      const deepWidths = await widths();
      await page.goto(`${stack.url}/browse/Documents`);
      expect(await widths()).toEqual(deepWidths);
      // The file page shows the whole name.
      await page.goto(`${stack.url}${LONG_FILE_HREF}`);
      expect(await page.locator('h1').textContent()).toBe(LONG_NAME);
    });

    test('when a row is tapped away from its name, then its folder or file opens', async () => {
      await page.goto(`${stack.url}/browse/Documents`);
      const row = page.locator('#entries tr', { hasText: 'Notes.md' });
      const box = (await row.boundingBox())!;
      await page.touchscreen.tap(box.x + box.width - 10, box.y + box.height / 2);
      await page.waitForURL(`${stack.url}/file/Documents/Notes.md`);
    });

    test('when a path is 12 folders deep, then the breadcrumb is one line whose middle folds into "…", a list of the folders in between', async () => {
      await page.goto(`${stack.url}${DEEP_HREF}`);
      const crumbs = page.locator('nav.breadcrumb');
      const height = (await crumbs.boundingBox())!.height;
      expect(height).toBeLessThan(40);
      expect(await crumbs.locator('.crumb-middle').first().isVisible()).toBe(false);
      await crumbs.getByRole('group').or(crumbs.locator('summary')).first().click();
      const folded = crumbs.locator('.crumb-more ol a');
      expect(await folded.allTextContents()).toEqual(DEEP_SEGMENTS.slice(0, 10));
      await folded.nth(2).click();
      await page.waitForURL(`${stack.url}/browse/${DEEP_SEGMENTS.slice(0, 3).map(encodeURIComponent).join('/')}`);
      expect(await page.locator('h1').textContent()).toBe(DEEP_SEGMENTS[2]);
    });

    test('when the list is scrolled, then the column header stays in view and the Modified column is still there', async () => {
      await page.goto(`${stack.url}${BIG_FOLDER_HREF}`);
      await page.mouse.wheel(0, 3000);
      await page.waitForFunction(() => window.scrollY > 2000);
      const header = (await page.getByRole('columnheader', { name: /Modified/ }).boundingBox())!;
      expect(header.y).toBeGreaterThanOrEqual(0);
      expect(header.y).toBeLessThan(5);
      expect(header.width).toBeGreaterThan(60);
      expect(await page.locator('#entries tr').first().locator('td.modified time .day').isVisible()).toBe(true);
    });

    test('when the page header is measured on a phone, then it is compact', async () => {
      await page.goto(`${stack.url}/browse/Photos`);
      expect((await page.locator('.site-header').boundingBox())!.height).toBeLessThan(160);
      expect(await page.getByRole('button', { name: 'Search' }).isVisible()).toBe(true);
      expect((await page.getByRole('button', { name: 'Search' }).boundingBox())!.width).toBeGreaterThan(50);
    });

    test('when a file page opens, then its folder link says it leads to the folder, and does', async () => {
      await page.goto(`${stack.url}/file/Photos/Family.jpg`);
      await page.getByRole('link', { name: 'Open the folder “Photos”' }).click();
      await page.waitForURL(`${stack.url}/browse/Photos`);
    });
  });

  describe('Exact times in the reader’s time zone', () => {
    test('when a browser in Tokyo shows a folder and a file, then times are Tokyo times, from the UTC the server wrote', async () => {
      const tokyo = await browser.newContext({ viewport: PHONE, timezoneId: 'Asia/Tokyo', storageState: await phone.storageState() });
      const tokyoPage = await tokyo.newPage();
      try {
        await tokyoPage.goto(`${stack.url}${DEEP_HREF}`);
        const time = tokyoPage.locator('#entries tr', { hasText: LONG_NAME }).locator('time');
        expect(await time.getAttribute('datetime')).toBe('2024-07-14T22:30:00Z');
        await tokyoPage.waitForFunction(() => document.querySelector('#entries time[data-local]') !== null);
        // 22:30 UTC is 07:30 the next morning in Tokyo.
        expect(await time.locator('.day').textContent()).toBe('Jul 15, 2024');
        expect(await time.locator('.clock').textContent()).toBe('7:30 AM');
        await tokyoPage.goto(`${stack.url}${LONG_FILE_HREF}`);
        await tokyoPage.waitForFunction(() => document.querySelector('time[data-local]') !== null);
        expect(await tokyoPage.locator('.facts time').textContent()).toBe('Jul 15, 2024, 7:30 AM');
      } finally {
        await tokyo.close();
      }
    });
  });

  describe('"Load more" with an address', () => {
    test('when the person loads more, opens a row and comes Back, then every loaded row and the scroll place are there; Reload too', async () => {
      const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState: await phone.storageState() });
      const list = await desktop.newPage();
      try {
        await list.goto(`${stack.url}${BIG_FOLDER_HREF}`);
        expect(await list.locator('.item-count').textContent()).toBe('2,500 items');
        expect(await list.locator('#shown-count').textContent()).toBe('Showing 200 of 2,500');
        await list.getByRole('button', { name: 'Load more' }).click();
        await list.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 400);
        await list.waitForURL(/\?through=/);
        expect(await list.locator('#live-status').textContent()).toBe('200 more items loaded');
        expect(await list.locator('#shown-count').textContent()).toBe('Showing 400 of 2,500');

        const row = list.getByRole('link', { name: 'file 380.txt', exact: true });
        await row.scrollIntoViewIfNeeded();
        const scrolled = await list.evaluate(() => window.scrollY);
        expect(scrolled).toBeGreaterThan(5000);
        await row.click();
        await list.waitForURL(/\/file\//);
        await list.goBack();
        await list.waitForURL(/\?through=/);
        await list.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 400);
        await list.waitForFunction((place) => Math.abs(window.scrollY - place) < 100, scrolled);

        await list.reload();
        await list.waitForFunction(() => document.querySelectorAll('#entries > tr').length === 400);
        expect(await list.locator('#entries > tr').nth(399).locator('td.name a').textContent()).toBe('file 400.txt');
        await list.waitForFunction((place) => Math.abs(window.scrollY - place) < 100, scrolled);
      } finally {
        await desktop.close();
      }
    });
  });

  describe('Search scope', () => {
    test('when a search in a folder finds nothing, then the page offers all of Dropbox, and the scope can be switched back', async () => {
      await page.goto(`${stack.url}/browse/Photos`);
      await page.getByRole('searchbox', { name: 'Search in Photos' }).fill('budget');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/search\?q=budget/);
      expect(await page.locator('.empty').textContent()).toBe('Nothing in “Photos” matches “budget”.');
      expect(await page.locator('#search-scope a[aria-current="true"]').textContent()).toBe('“Photos”');
      await page.getByRole('link', { name: 'Search all of Dropbox' }).click();
      await page.waitForURL(/everywhere=1/);
      expect((await page.locator('#entries td.name a').allTextContents()).sort()).toEqual(['Budget 2026.csv', 'Budget.xlsx']);
      expect(await page.locator('#result-count').textContent()).toBe('2 results');
      expect(await page.locator('#search-scope a[aria-current="true"]').textContent()).toBe('All of Dropbox');
      await page.locator('#search-scope').getByRole('link', { name: '“Photos”' }).click();
      await page.waitForURL((url) => !url.search.includes('everywhere'));
      expect(await page.locator('.empty').count()).toBe(1);
    });

    test('when results are shown as a grid, then images have thumbnails', async () => {
      await page.goto(`${stack.url}/search?q=jpg`);
      expect(await page.locator('#result-count').textContent()).toMatch(/^\d+ results$/);
      await page.getByRole('link', { name: 'Grid', exact: true }).click();
      await page.waitForURL(/view=grid/);
      await page.waitForFunction(() => {
        const images = [...document.querySelectorAll<HTMLImageElement>('.grid img')];
        return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);
      });
      expect(await page.locator('.grid .card').count()).toBeGreaterThanOrEqual(4);
    });
  });

  describe('Loading and error pages', () => {
    test('when a folder link is followed, then a busy bar shows until the next page is there', async () => {
      await page.goto(`${stack.url}/browse`);
      // The page notes what it showed while leaving (Playwright cannot look into a page that is being left).
      await page.evaluate(() => {
        new MutationObserver(() => {
          if (document.documentElement.classList.contains('navigating')) sessionStorage.setItem('busy-seen', document.getElementById('navigation-status')?.textContent ?? '');
        }).observe(document.documentElement, { attributes: true });
      });
      await page.getByRole('link', { name: 'Documents', exact: true }).click();
      await page.waitForURL(`${stack.url}/browse/Documents`);
      expect(await page.evaluate(() => sessionStorage.getItem('busy-seen'))).toBe('Opening…');
      expect(await page.evaluate(() => document.documentElement.classList.contains('navigating'))).toBe(false);
    });

    test('when Dropbox is busy, then the error page offers Try again and the way back to the folder', async () => {
      stack.emulator.tree.addFile('/Documents/Busy/note.txt', { content: 'n' });
      stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 30 });
      try {
        await page.goto(`${stack.url}/browse/Documents/Busy`);
        expect(await page.locator('.error-page .status').textContent()).toBe('Error 503');
        expect(await page.getByRole('link', { name: 'Back to “Documents”' }).getAttribute('href')).toBe('/browse/Documents');
      } finally {
        stack.emulator.clearFaults();
      }
      await page.getByRole('link', { name: 'Try again' }).click();
      await page.waitForURL(`${stack.url}/browse/Documents/Busy`);
      expect(await page.locator('h1').textContent()).toBe('Busy');
    });

    test('when a grid shows files, then each card has a placeholder of its kind under its thumbnail', async () => {
      await page.goto(`${stack.url}/browse/Documents?view=grid`);
      expect(await page.locator('.card', { hasText: 'Budget 2026.csv' }).locator('.thumb use').getAttribute('href')).toBe('/public/icons.svg#spreadsheet');
      await page.goto(`${stack.url}/browse/Photos?view=grid`);
      expect(await page.locator('.card', { hasText: 'Family.jpg' }).locator('.thumb use').getAttribute('href')).toBe('/public/icons.svg#image');
    });
  });
});
