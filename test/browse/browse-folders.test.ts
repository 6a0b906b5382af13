import { BIG_FOLDER, BIG_FOLDER_SIZE } from '@dropview/dropbox-emulator';
import { untilFolderRead } from '../support/event-stream';
import { decodeHtml, entryLinksOf, loadMoreHrefOf } from '../support/html';
import { startStack, withConnectedUser, type Stack } from '../support/stack';

interface ListingJson {
  path: string;
  entries: { type: 'folder' | 'file'; name: string; path: string; size?: number; modified?: string }[];
  hasMore: boolean;
  cursor?: string;
  complete: boolean;
  total: number;
}

describe('Browsing folders', () => {
  const user = withConnectedUser();
  const HUGE_FOLDER_SIZE = 10_050;
  beforeAll(() => {
    for (let n = 1; n <= HUGE_FOLDER_SIZE; n += 1) user.stack.emulator.tree.addFile(`/Huge/item ${n}.txt`, { content: String(n) });
  });

  const json = (path: string) => user.agent.get(path).set('Accept', 'application/json');

  test('when the root is opened, then folders come first, then files, each by name', async () => {
    const response = await json('/browse').expect(200);
    const listing = response.body as ListingJson;

    expect(listing.path).toBe('/');
    const folders = listing.entries.filter((entry) => entry.type === 'folder').map((entry) => entry.name);
    const firstFile = listing.entries.findIndex((entry) => entry.type === 'file');
    expect(firstFile).toBe(folders.length);
    expect(folders).toEqual([BIG_FOLDER.slice(1), 'Documents', 'Empty folder', 'Hostile', 'Hostile files', 'Huge', 'Music', 'Photos', 'Ünïcødé & spaces', 'Viewers']);
  });

  test('when a folder is shown as a page, then it has breadcrumbs back to every parent and the current one marked', async () => {
    const response = await user.agent.get('/browse/Documents/Projects').expect(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toContain('<a href="/browse" title="Dropbox">Dropbox</a>');
    expect(response.text).toContain('<a href="/browse/Documents" title="Documents">Documents</a>');
    expect(response.text).toContain('<span aria-current="page" title="Projects">Projects</span>');
    expect(response.text).toContain('<a href="/browse/Documents/Projects/Dropview" title="Dropview">Dropview</a>');
  });

  test('when files are listed, then sizes and dates read like a person would write them', async () => {
    const response = await user.agent.get('/browse/Documents').expect(200);
    expect(response.text).toContain('180 KB');
    // The exact time in UTC, saying so; the page turns it into the reader's time zone (public/app.js).
    expect(response.text).toContain('<time datetime="2025-01-31T10:30:00Z"><span class="day">Jan 31, 2025</span> <span class="clock">10:30 AM UTC</span></time>');
    const music = await user.agent.get('/browse/Music').expect(200);
    expect(music.text).toContain('3.2 MB');
  });

  test('when a folder is listed, then each row has the three cells its headers name (name, size, modified), unlike search results', async () => {
    const page = (await user.agent.get('/browse/Documents').expect(200)).text;
    const headers = [...page.matchAll(/<th scope="col"[^>]*>/g)];
    const rows = [...page.matchAll(/<tr class="(?:file|folder)">([\s\S]*?)<\/tr>/g)];
    expect(headers).toHaveLength(3);
    expect(rows.length).toBeGreaterThan(0);
    for (const [, cells] of rows) expect(cells.match(/<td[ >]/g)).toHaveLength(3);
  });

  test('when a folder is listed as JSON, then it has the contract shape', async () => {
    const listing = (await json('/browse/Documents').expect(200)).body as ListingJson;
    expect(listing).toEqual({
      path: '/Documents',
      hasMore: false,
      complete: true,
      total: 4,
      entries: [
        { type: 'folder', name: 'Projects', path: '/Documents/Projects' },
        { type: 'file', name: 'Budget 2026.csv', path: '/Documents/Budget 2026.csv', size: 40, modified: '2026-02-01T10:30:00Z' },
        { type: 'file', name: 'Notes.md', path: '/Documents/Notes.md', size: 45, modified: '2026-10-03T10:30:00Z' },
        { type: 'file', name: 'Report 2024.pdf', path: '/Documents/Report 2024.pdf', size: 184320, modified: '2025-01-31T10:30:00Z' },
      ],
    });
  });

  test('when a folder of 2,500 files is paged through as JSON, then every entry arrives exactly once', async () => {
    const seen: string[] = [];
    const base = `/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`;
    let listing = (await json(base).expect(200)).body as ListingJson;
    seen.push(...listing.entries.map((entry) => entry.name));
    let pages = 1;
    while (listing.hasMore) {
      listing = (await json(`${base}?cursor=${encodeURIComponent(listing.cursor as string)}`).expect(200)).body as ListingJson;
      seen.push(...listing.entries.map((entry) => entry.name));
      pages += 1;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toHaveLength(BIG_FOLDER_SIZE);
    expect(new Set(seen).size).toBe(BIG_FOLDER_SIZE);
  });

  test('when a folder of 2,500 files is paged through with "Load more" links, then every entry arrives exactly once', async () => {
    const seen: string[] = [];
    let next: string | undefined = `/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`;
    while (next) {
      const page = await user.agent.get(next).expect(200);
      seen.push(...entryLinksOf(page.text).map((link) => link.label));
      next = loadMoreHrefOf(page.text);
    }
    expect(seen).toHaveLength(BIG_FOLDER_SIZE);
    expect(new Set(seen).size).toBe(BIG_FOLDER_SIZE);
  });

  test('when a folder is sorted, then the order covers the whole folder, not just the first page, and folders stay first', async () => {
    const big = `/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`;
    const byNameDesc = (await json(`${big}?sort=name&order=desc`).expect(200)).body as ListingJson;
    expect(byNameDesc.entries[0].name).toBe('file 2500.txt');
    const bySizeDesc = (await json(`${big}?sort=size&order=desc`).expect(200)).body as ListingJson;
    expect(bySizeDesc.entries[0].size).toBe(Math.max(...bySizeDesc.entries.map((entry) => entry.size as number)));
    expect(bySizeDesc.entries[0].name).toMatch(/^file \d{4}\.txt$/);
    const byModified = (await json(`${big}?sort=modified&order=desc`).expect(200)).body as ListingJson;
    expect(byModified.entries[0].name).toBe('file 2500.txt');
    const next = (await json(`${big}?sort=modified&order=desc&cursor=${encodeURIComponent(byModified.cursor as string)}`).expect(200)).body as ListingJson;
    expect(next.entries[0].name).toBe(`file ${2500 - byModified.entries.length}.txt`);

    const root = (await json('/browse?sort=size&order=desc').expect(200)).body as ListingJson;
    const firstFile = root.entries.findIndex((entry) => entry.type === 'file');
    expect(root.entries.slice(0, firstFile).every((entry) => entry.type === 'folder')).toBe(true);
  });

  test('when the sort and view are chosen, then they live in the URL and every link on the page keeps them', async () => {
    const page = await user.agent.get('/browse/Photos?sort=modified&order=desc&view=grid').expect(200);
    expect(page.text).toContain('class="grid"');
    expect(page.text).toContain('href="/browse/Photos/2024%20Trip?sort=modified&amp;order=desc&amp;view=grid"');
    expect(page.text).toContain('<a href="/browse?sort=modified&amp;order=desc&amp;view=grid" title="Dropbox">Dropbox</a>');
    expect(page.text).toMatch(/<a href="\/browse\/Photos\?sort=modified&amp;order=asc&amp;view=grid" aria-label="Modified, sort ascending" aria-current="true">Modified/);
  });

  test('when a page of numbered files is listed, then "file 2" comes before "file 10"', async () => {
    const listing = (await json(`/browse/${encodeURIComponent(BIG_FOLDER.slice(1))}`).expect(200)).body as ListingJson;
    const names = listing.entries.map((entry) => entry.name);
    const numbers = names.map((name) => Number(/file (\d+)\.txt/.exec(name)?.[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  test('when a folder of more than 10,000 entries has been read, then paging newest first reaches every entry once, in order over the whole folder', async () => {
    await untilFolderRead(user.stack.url, user.cookie, '/Huge');
    const seen: string[] = [];
    let listing = (await json('/browse/Huge?sort=name&order=desc').expect(200)).body as ListingJson;
    seen.push(...listing.entries.map((entry) => entry.name));
    while (listing.hasMore) {
      listing = (await json(`/browse/Huge?sort=name&order=desc&cursor=${encodeURIComponent(listing.cursor as string)}`).expect(200)).body as ListingJson;
      seen.push(...listing.entries.map((entry) => entry.name));
    }
    const expected = Array.from({ length: HUGE_FOLDER_SIZE }, (_, index) => `item ${HUGE_FOLDER_SIZE - index}.txt`);
    expect(seen).toEqual(expected);
    const page = await user.agent.get('/browse/Huge').expect(200);
    expect(page.text).toContain('10,050 items');
  });

  test("when Dropbox says the folder index's cursor is stale (reset), then the folder is read again and the page is right", async () => {
    const before = (await json('/browse/Huge').expect(200)).body as ListingJson;
    const listings = user.stack.emulator.calls('files/list_folder').length;
    user.stack.emulator.resetCursors();

    const after = (await json('/browse/Huge').expect(200)).body as ListingJson;
    expect(user.stack.emulator.calls('files/list_folder').length).toBe(listings + 1);
    expect(after.entries).toEqual(before.entries);
    // A page cursor names a place in the order, so one handed out before the reset still works.
    const next = (await json(`/browse/Huge?cursor=${encodeURIComponent(before.cursor as string)}`).expect(200)).body as ListingJson;
    expect(next.entries[0].name).toBe('item 201.txt');
  });

  test('when names have spaces and non-Latin letters, then their links round-trip to the right folder and file', async () => {
    const root = await user.agent.get('/browse').expect(200);
    const unicodeFolder = entryLinksOf(root.text).find((link) => link.label === 'Ünïcødé & spaces');
    expect(unicodeFolder?.href).toBe('/browse/%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%26%20spaces');

    const folder = await user.agent.get(unicodeFolder?.href as string).expect(200);
    const japanese = entryLinksOf(folder.text).find((link) => link.label === '日本語のファイル.txt');
    expect(japanese).toBeDefined();
    const filePage = await user.agent.get(japanese?.href as string).expect(200);
    const downloadHref = decodeHtml(/id="download" href="([^"]+)"/.exec(filePage.text)?.[1] as string);
    const download = await user.agent.get(downloadHref).expect(302);
    expect(await (await fetch(download.headers.location)).text()).toBe('こんにちは\n');

    await user.agent.get('/browse/Photos/2024%20Trip').expect(200);
  });

  test('when a folder is empty, then the page says so', async () => {
    const page = await user.agent.get('/browse/Empty%20folder').expect(200);
    expect(page.text).toContain('This folder is empty.');
  });

  test('when a folder does not exist, then a 404 page (or JSON error) says so', async () => {
    const page = await user.agent.get('/browse/No%20such%20folder').set('Accept', 'text/html').expect(404);
    expect(page.text).toContain('does not exist in your Dropbox');
    const api = await json('/browse/No%20such%20folder').expect(404);
    expect(api.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('does not exist') } });
  });

  test("when a file is opened under /browse, then it leads to the file's page", async () => {
    await user.agent.get('/browse/Documents/Notes.md').expect(302).expect('Location', '/file/Documents/Notes.md');
  });

  test('when a path holds a control character, then a 400 page says the address is wrong and Dropbox is not asked', async () => {
    const before = user.stack.emulator.calls('files/list_folder').length;
    const page = await user.agent.get('/browse/bad%01name').set('Accept', 'text/html').expect(400);
    expect(page.text).toContain('control characters');
    expect(user.stack.emulator.calls('files/list_folder').length).toBe(before);
  });

  test('when the home page is opened while connected, then it shows the root folder', async () => {
    const home = await user.agent.get('/').expect(200);
    expect(home.text).toContain('<a href="/browse/Photos" title="Photos">Photos</a>');
  });
});

describe('Browsing without a connection', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when a page is requested without a connection, then the browser is sent to connect', async () => {
    await stack.agent().get('/browse/Photos').set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse%2FPhotos');
  });

  test('when JSON is requested without a connection, then the answer is 401 JSON', async () => {
    const response = await stack.agent().get('/browse/Photos').set('Accept', 'application/json').expect(401);
    expect(response.body.error.code).toBe('not_connected');
  });

  test('when the home page is opened without a connection, then it offers "Connect Dropbox"', async () => {
    const home = await stack.agent().get('/').expect(200);
    expect(home.text).toContain('<a class="button primary" href="/auth/dropbox">Connect Dropbox</a>');
  });
});
