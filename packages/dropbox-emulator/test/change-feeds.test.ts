import type { DropboxEmulator } from '../src';
import { listAll, listContinue, listFolder, startEmulator, tokenFor } from './support/harness';

/**
 * list_folder/continue on the cursor of a listing's last page is a change feed: what changed
 * in the folder since the listing began, each path once with its state now, in order, paged
 * by the listing's limit.
 */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  token = await tokenFor(emulator);
});
afterAll(async () => emulator.close());

const names = (entries: Record<string, any>[]) => entries.map((entry) => `${entry['.tag']} ${entry.name}`);

describe("Change feeds: list_folder/continue on a listing's last cursor", () => {
  test('when files are added, modified and deleted after a listing, then continue returns each with its state now, deleted ones in exactly four fields', async () => {
    const { tree } = emulator;
    tree.addFile('/Feed/keep.txt', { content: 'keep' });
    tree.addFile('/Feed/change.txt', { content: 'v1' });
    tree.addFile('/Feed/Gone.txt', { content: 'bye' });
    const listing = await listFolder(emulator, token, { path: '/Feed' });
    expect(listing.has_more).toBe(false);

    tree.addFile('/Feed/new.txt', { content: 'new' });
    tree.modifyFile('/Feed/change.txt', { content: 'version two' });
    tree.remove('/Feed/Gone.txt');

    const feed = await listContinue(emulator, token, listing.cursor);
    expect(feed.status).toBe(200);
    expect(names(feed.body.entries)).toEqual(['file new.txt', 'file change.txt', 'deleted Gone.txt']);
    expect(feed.body.entries[1].size).toBe('version two'.length);
    expect(feed.body.entries[2]).toStrictEqual({ '.tag': 'deleted', name: 'Gone.txt', path_lower: '/feed/gone.txt', path_display: '/Feed/Gone.txt' });
    expect(feed.body.has_more).toBe(false);
    expect(feed.body.cursor).not.toBe(listing.cursor);
  });

  test('when files change while a client pages through a listing, then the pages show the folder as it was and the changes arrive after the last page', async () => {
    const { tree } = emulator;
    for (let n = 1; n <= 5; n += 1) tree.addFile(`/Paging/file ${n}.txt`, { content: String(n) });
    const first = await listFolder(emulator, token, { path: '/Paging', limit: 2 });
    tree.addFile('/Paging/late.txt', { content: 'late' });
    tree.remove('/Paging/file 5.txt');
    const second = (await listContinue(emulator, token, first.cursor)).body;
    const third = (await listContinue(emulator, token, second.cursor)).body;

    expect(names([...first.entries, ...second.entries, ...third.entries])).toEqual(['file file 1.txt', 'file file 2.txt', 'file file 3.txt', 'file file 4.txt', 'file file 5.txt']);
    expect([first.has_more, second.has_more, third.has_more]).toEqual([true, true, false]);
    const feed = (await listContinue(emulator, token, third.cursor)).body;
    expect(names(feed.entries)).toEqual(['file late.txt', 'deleted file 5.txt']);
  });

  test('when nothing changed, then continue returns no entries, has_more false, and a cursor that works again', async () => {
    emulator.tree.addFile('/Quiet/only.txt', { content: 'x' });
    const listing = await listFolder(emulator, token, { path: '/Quiet' });
    const empty = (await listContinue(emulator, token, listing.cursor)).body;
    expect(empty).toEqual({ entries: [], cursor: expect.any(String), has_more: false });

    emulator.tree.addFile('/Quiet/later.txt', { content: 'y' });
    const again = (await listContinue(emulator, token, empty.cursor)).body;
    expect(names(again.entries)).toEqual(['file later.txt']);
    expect((await listContinue(emulator, token, again.cursor)).body.entries).toEqual([]);
  });

  test("when more changes come than the listing's limit, then the feed is paged by that limit", async () => {
    emulator.tree.addFolder('/Many');
    const listing = await listFolder(emulator, token, { path: '/Many', limit: 3 });
    for (let n = 1; n <= 7; n += 1) emulator.tree.addFile(`/Many/f${n}.txt`, { content: String(n) });

    const pages: string[][] = [];
    let page = (await listContinue(emulator, token, listing.cursor)).body;
    pages.push(page.entries.map((entry) => entry.name));
    while (page.has_more) {
      page = (await listContinue(emulator, token, page.cursor)).body;
      pages.push(page.entries.map((entry) => entry.name));
    }
    expect(pages).toEqual([['f1.txt', 'f2.txt', 'f3.txt'], ['f4.txt', 'f5.txt', 'f6.txt'], ['f7.txt']]);
    expect((await listContinue(emulator, token, page.cursor)).body.entries).toEqual([]);
  });

  test("when a subfolder's contents change, then a listing reports it only when it is recursive", async () => {
    emulator.tree.addFile('/Deep/sub/a.txt', { content: 'a' });
    const flat = await listFolder(emulator, token, { path: '/Deep' });
    const recursive = await listAll(emulator, token, { path: '/Deep', recursive: true });
    expect(recursive.entries.map((entry) => entry.path_display).sort()).toEqual(['/Deep/sub', '/Deep/sub/a.txt']);

    emulator.tree.addFile('/Deep/sub/b.txt', { content: 'b' });
    emulator.tree.addFile('/Deep/top.txt', { content: 't' });
    expect(names((await listContinue(emulator, token, flat.cursor)).body.entries)).toEqual(['file top.txt']);
    expect((await listContinue(emulator, token, recursive.cursor)).body.entries.map((entry) => entry.path_display)).toEqual(['/Deep/sub/b.txt', '/Deep/top.txt']);
  });

  test('when a name changes only in case, then the feed does not report it', async () => {
    emulator.tree.addFile('/Case/readme.txt', { content: 'r' });
    const listing = await listFolder(emulator, token, { path: '/Case' });
    emulator.tree.rename('/Case/readme.txt', '/Case/README.txt');
    expect((await listContinue(emulator, token, listing.cursor)).body.entries).toEqual([]);
    emulator.tree.rename('/Case/README.txt', '/Case/notes.txt');
    expect(names((await listContinue(emulator, token, listing.cursor)).body.entries)).toEqual(['deleted README.txt', 'file notes.txt']);
  });

  test('when a folder is deleted and made again, then the feed says deleted before the new folder and its files', async () => {
    emulator.tree.addFile('/Again/box/old.txt', { content: 'old' });
    const listing = await listAll(emulator, token, { path: '/Again', recursive: true });
    emulator.tree.remove('/Again/box');
    emulator.tree.addFile('/Again/box/new.txt', { content: 'new' });
    const feed = (await listContinue(emulator, token, listing.cursor)).body;
    expect(feed.entries.map((entry) => `${entry['.tag']} ${entry.path_display}`)).toEqual(['deleted /Again/box', 'folder /Again/box', 'file /Again/box/new.txt']);
  });

  test('when a file is modified, then it keeps its id and gets a new rev, server_modified, content_hash and size', async () => {
    emulator.tree.addFile('/Versions/doc.txt', { content: 'first', modified: new Date('2024-01-01T00:00:00Z') });
    const before = (await listFolder(emulator, token, { path: '/Versions' })).entries[0];
    emulator.tree.modifyFile('/Versions/doc.txt', { content: 'second version' });
    const listing = await listFolder(emulator, token, { path: '/Versions' });
    const after = listing.entries[0];
    expect(after.id).toBe(before.id);
    expect(after.rev).not.toBe(before.rev);
    expect(after.server_modified).not.toBe(before.server_modified);
    expect(after.content_hash).not.toBe(before.content_hash);
    expect([before.size, after.size]).toEqual([5, 14]);
  });

  test('when the listed folder is deleted, then continue on its feed answers 409 reset', async () => {
    emulator.tree.addFile('/Doomed/x.txt', { content: 'x' });
    const listing = await listFolder(emulator, token, { path: '/Doomed' });
    emulator.tree.remove('/Doomed');
    const answer = await listContinue(emulator, token, listing.cursor);
    expect([answer.status, answer.body.error]).toEqual([409, { '.tag': 'reset' }]);
    expect(answer.body.error_summary).toMatch(/^reset\/\.{0,3}$/);
  });

  test('when entries are listed, then they come in the order they were added, not sorted', async () => {
    for (const name of ['b.txt', 'C.txt', 'a.txt']) emulator.tree.addFile(`/Unsorted/${name}`, { content: name });
    expect((await listFolder(emulator, token, { path: '/Unsorted' })).entries.map((entry) => entry.name)).toEqual(['b.txt', 'C.txt', 'a.txt']);
  });
});

describe('Change feeds: the bounded change journal', () => {
  let small: DropboxEmulator;
  let smallToken: string;
  beforeAll(async () => {
    small = await startEmulator({ changeJournalSize: 10 });
    smallToken = await tokenFor(small);
  });
  afterAll(async () => small.close());

  test('when more changes happened than the journal holds, then continue on an older feed cursor answers 409 reset', async () => {
    small.tree.addFile('/Watched/a.txt', { content: 'a' });
    const listing = await listFolder(small, smallToken, { path: '/Watched' });
    for (let n = 0; n < 9; n += 1) small.tree.addFile(`/Elsewhere/${n}.txt`, { content: String(n) });
    // Ten changes since the listing (a folder and nine files): the journal still holds them all.
    expect((await listContinue(small, smallToken, listing.cursor)).status).toBe(200);
    small.tree.addFile('/Elsewhere/9.txt', { content: '9' });
    const answer = await listContinue(small, smallToken, listing.cursor);
    expect([answer.status, answer.body.error]).toEqual([409, { '.tag': 'reset' }]);
  });
});
