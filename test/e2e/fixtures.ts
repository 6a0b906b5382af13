import type { BrowserContext, Page } from 'playwright-core';
import type { Stack } from '../support/stack';

/** What the layout tests browse besides the sample files: names of 200 characters and a path 12 folders deep. */

export const LONG_NAME = `${'A quarterly report whose name goes on and on '.repeat(5).slice(0, 196)}.pdf`;
export const UNBROKEN_NAME = `${'x'.repeat(150)}.txt`;
export const DEEP_SEGMENTS = Array.from({ length: 12 }, (_, index) => `Level ${index + 1} of a folder tree that goes deep`);
export const DEEP_PATH = `/${DEEP_SEGMENTS.join('/')}`;
export const DEEP_HREF = `/browse/${DEEP_SEGMENTS.map(encodeURIComponent).join('/')}`;
export const LONG_FILE_HREF = `/file/${[...DEEP_SEGMENTS, LONG_NAME].map(encodeURIComponent).join('/')}`;

export function addLongAndDeepFiles(stack: Stack): void {
  const tree = stack.emulator.tree;
  tree.addFile(`${DEEP_PATH}/${LONG_NAME}`, { content: 'long', modified: new Date('2024-07-14T22:30:00Z') });
  tree.addFile(`${DEEP_PATH}/${UNBROKEN_NAME}`, { content: 'unbroken' });
  tree.addFile(`${DEEP_PATH}/short.txt`, { content: 'short' });
  tree.addFolder(`${DEEP_PATH}/${LONG_NAME.replace('.pdf', '')}`);
  tree.addFile(`/Photos/${LONG_NAME}`, { content: 'long' });
}

/** Connects the context's browser to Dropbox (the emulator approves at once) and leaves it on the root folder. */
export async function connectIn(context: BrowserContext, stack: Stack): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}/browse`);
  await page.waitForURL(`${stack.url}/browse`);
  return page;
}

/** How far the page is wider than its window (0 when nothing scrolls sideways). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
