import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack';
import { launchChromium, accessibilityViolations } from './browser';

/** Each viewer in a real browser: what a person sees, what runs, and what the page reaches for. */

const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
jest.setTimeout(60_000);

/** Whether the browser's PDF viewer embeds itself in a frame of `address` within 10 s (it adds frames as it starts). */
async function untilPdfViewerIn(page: Page, address: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames().filter((candidate) => candidate.url().endsWith(address))) {
      if ((await frame.content().catch(() => '')).includes('<embed')) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const fileAddress = (dropboxPath: string) => `/file${dropboxPath.split('/').map(encodeURIComponent).join('/')}`;

describe('The viewers in a real browser (Chromium)', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** What the page did that a hostile file might provoke: dialogs, requests, CSP complaints. */
  let dialogs: string[] = [];
  let requests: string[] = [];
  let cspReports: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1180, height: 820 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) cspReports.push(message.text());
    });
    // Connects (the emulator approves at once) and lands on the Viewers folder.
    await page.goto(`${stack.url}/browse/Viewers`);
    await page.waitForURL(`${stack.url}/browse/Viewers`);
  });
  beforeEach(() => {
    dialogs = [];
    requests = [];
    cspReports = [];
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const shoot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const origins = () => [...new Set(requests.map((url) => new URL(url).origin))];

  test('when a person opens a photo and presses the arrow keys, then they step through the folder photos in order, and Esc goes back to the folder', async () => {
    await page.goto(`${stack.url}${fileAddress('/Viewers/Harbour at dawn.jpg')}`);
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('.viewer.photo img')?.naturalWidth ?? 0) > 1000);
    expect(await page.locator('.viewer.photo img').evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(1024);
    await shoot('viewer-photo');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(`${stack.url}/file/Viewers/Lighthouse.jpg`);
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(`${stack.url}/file/Viewers/Night%20market.jpg`);
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(`${stack.url}/file/Viewers/Lighthouse.jpg`);
    await page.keyboard.press('Escape');
    await page.waitForURL(`${stack.url}/browse/Viewers`);
  });

  test('when a Markdown file opens, then it reads as formatted text', async () => {
    await page.goto(`${stack.url}${fileAddress('/Viewers/Trip plan.md')}`);
    expect(await page.locator('#markdown h1').textContent()).toBe('Trip plan');
    expect(await page.locator('#markdown li').allTextContents()).toEqual(['passport', 'sun cream', 'a good book']);
    await shoot('viewer-markdown');
  });

  test('when a CSV opens, then it is a table', async () => {
    await page.goto(`${stack.url}${fileAddress('/Viewers/Expenses.csv')}`);
    expect(await page.locator('#csv th').allTextContents()).toEqual(['date', 'item', 'amount']);
    expect(await page.locator('#csv tbody tr').count()).toBe(3);
    await shoot('viewer-csv');
  });

  test('when source code opens, then its lines are numbered', async () => {
    await page.goto(`${stack.url}${fileAddress('/Viewers/server.ts')}`);
    expect(await page.locator('#text .line').count()).toBe(9);
    expect(
      await page
        .locator('#text .line')
        .first()
        .evaluate((line) => getComputedStyle(line, '::before').content),
    ).toBe('counter(line)');
    await shoot('viewer-code');
  });

  test('when a PDF opens, then the browser PDF viewer shows it in the page', async () => {
    const pdf = page.waitForResponse((response) => response.url().endsWith('/content/Viewers/Itinerary.pdf'));
    await page.goto(`${stack.url}${fileAddress('/Viewers/Itinerary.pdf')}`);
    const response = await pdf;
    expect([response.status(), response.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expect(await page.locator('iframe#pdf').isVisible()).toBe(true);
    // The frame's origin is opaque (CSP sandbox), so the page cannot look in; the browser can: its PDF viewer embeds itself there.
    expect(await untilPdfViewerIn(page, '/content/Viewers/Itinerary.pdf')).toBe(true);
    await shoot('viewer-pdf');
  });

  test("when a spreadsheet opens, then Dropbox's HTML preview shows in a sandboxed frame", async () => {
    const preview = page.waitForResponse((response) => response.url().endsWith('/preview/Viewers/Budget.xlsx'));
    await page.goto(`${stack.url}${fileAddress('/Viewers/Budget.xlsx')}`);
    expect((await preview).status()).toBe(200);
    expect(await page.locator('iframe#sheet-preview').getAttribute('sandbox')).toBe('');
    const frame = page.frameLocator('iframe#sheet-preview');
    expect(await frame.locator('body').textContent()).toContain('Budget.xlsx');
    await shoot('viewer-spreadsheet');
  });

  test('when a video opens, then it loads its metadata from the temporary link, seeks and plays', async () => {
    await page.goto(`${stack.url}${fileAddress('/Viewers/Harbour clip.webm')}`);
    const result = await page.locator('#video').evaluate(
      (video: HTMLVideoElement) =>
        new Promise<{ duration: number; width: number; at: number }>((resolve, reject) => {
          video.addEventListener('error', () => reject(new Error(video.error?.message ?? 'video error')));
          const seek = () => {
            video.addEventListener('seeked', () => resolve({ duration: video.duration, width: video.videoWidth, at: video.currentTime }), { once: true });
            video.currentTime = 1;
          };
          if (video.readyState >= 1) seek();
          else video.addEventListener('loadedmetadata', seek, { once: true });
        }),
    );
    expect(result.width).toBe(320);
    expect(result.duration).toBeGreaterThan(1.5);
    expect(result.at).toBe(1);
    const played = await page.locator('#video').evaluate(async (video: HTMLVideoElement) => {
      video.muted = true;
      await video.play();
      await new Promise((resolve) => video.addEventListener('timeupdate', resolve, { once: true }));
      return video.currentTime;
    });
    expect(played).toBeGreaterThan(1);
    await shoot('viewer-video');
  });

  test('when an audio file opens, then it loads its metadata', async () => {
    await page.goto(`${stack.url}${fileAddress('/Viewers/Chime.wav')}`);
    const duration = await page
      .locator('#audio')
      .evaluate(
        (audio: HTMLAudioElement) =>
          new Promise<number>((resolve) => (audio.readyState >= 1 ? resolve(audio.duration) : audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true }))),
      );
    expect(duration).toBeCloseTo(1.5, 1);
  });

  test.each(['/Hostile files/Tricky.md', '/Hostile files/Formulas.csv', '/Hostile files/Page.html', '/Hostile files/Script.txt'])(
    'when the hostile file %s opens, then nothing runs: no dialog, no request to another origin, no CSP violation',
    async (dropboxPath) => {
      await page.goto(`${stack.url}${fileAddress(dropboxPath)}`);
      await page.waitForLoadState('load');
      expect(await page.locator('main > h1').textContent()).toBe(path.basename(dropboxPath));
      expect(dialogs).toEqual([]);
      expect(origins()).toEqual([stack.url]);
      expect(cspReports).toEqual([]);
      if (dropboxPath.endsWith('.md')) await shoot('viewer-hostile-markdown');
    },
  );

  test('when the hostile Markdown file links are clicked, then a javascript: link is not even a link', async () => {
    await page.goto(`${stack.url}${fileAddress('/Hostile files/Tricky.md')}`);
    expect(await page.locator('#markdown a[href^="javascript:"], #markdown a[href^="data:"]').count()).toBe(0);
    expect(await page.locator('#markdown script, #markdown img, #markdown iframe').count()).toBe(0);
  });

  test('when a folder is too large for a .zip, then the page states the limits', async () => {
    stack.emulator.injectFault('files/download_zip', { kind: 'route_error', tag: 'too_large' });
    await page.goto(`${stack.url}/zip/Viewers`);
    const text = await page.locator('main').textContent();
    for (const limit of ['20 GB', '4 GB', '10,000']) expect(text).toContain(limit);
    await shoot('viewer-zip-too-large');
  });

  test('when the viewer pages are scanned with axe-core, then there are no serious or critical accessibility violations', async () => {
    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
    const axePage = await axeContext.newPage();
    try {
      for (const dropboxPath of [
        '/Viewers/Lighthouse.jpg',
        '/Viewers/Trip plan.md',
        '/Viewers/Expenses.csv',
        '/Viewers/server.ts',
        '/Viewers/Itinerary.pdf',
        '/Viewers/Letter.docx',
        '/Viewers/Budget.xlsx',
        '/Viewers/Harbour clip.webm',
        '/Viewers/Chime.wav',
        '/Viewers/Logo.svg',
      ]) {
        await axePage.goto(`${stack.url}${fileAddress(dropboxPath)}`);
        expect({ dropboxPath, violations: await accessibilityViolations(axePage, { iframes: false }) }).toEqual({ dropboxPath, violations: [] });
      }
      await axePage.goto(`${stack.url}/browse/Viewers?view=grid`);
      expect(await accessibilityViolations(axePage)).toEqual([]);
    } finally {
      await axeContext.close();
    }
  });

  test('when the page is dark, then the viewers follow (screenshot)', async () => {
    const dark = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1180, height: 820 }, storageState: await context.storageState() });
    const darkPage = await dark.newPage();
    try {
      await darkPage.goto(`${stack.url}${fileAddress('/Viewers/Trip plan.md')}`);
      const background = await darkPage.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      expect(background).toBe('rgb(22, 21, 20)');
      await darkPage.screenshot({ path: path.join(SCREENSHOTS, 'viewer-markdown-dark.png') });
    } finally {
      await dark.close();
    }
  });

  test('when the window is phone-sized, then the file page stacks viewer and facts in one column (screenshot)', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
    const phonePage = await phone.newPage();
    try {
      await phonePage.goto(`${stack.url}${fileAddress('/Viewers/Lighthouse.jpg')}`);
      await phonePage.waitForFunction(() => (document.querySelector<HTMLImageElement>('.viewer.photo img')?.naturalWidth ?? 0) > 0);
      const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await phonePage.screenshot({ path: path.join(SCREENSHOTS, 'viewer-photo-phone.png') });
    } finally {
      await phone.close();
    }
  });
});
