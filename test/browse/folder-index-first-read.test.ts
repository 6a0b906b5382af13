import { untilFolderRead } from '../support/event-stream';
import { expectedNames } from '../support/folder-order';
import { entryLinksOf, loadMoreHrefOf } from '../support/html';
import { json, walk } from '../support/listing';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startEmulator, startStack, type Stack } from '../support/stack';

/** Issue 10: the first read of a big folder at Dropbox's pace answers at once with what was read, is done once, and survives its reader stopping. */

describe('A first read that does not keep people waiting', () => {
  let first: Stack;
  let second: Stack;
  beforeAll(async () => {
    const emulator = await startEmulator();
    first = await startStack({ emulator });
    second = await startStack({ emulator, namespace: first.namespace, env: { BASE_URL: first.url } });
    emulator.addPhotos('/Slow', 12_000, 5);
  });
  afterAll(async () => {
    first.emulator.setLatency(0);
    first.emulator.setLatencyPerEntry(0);
    await second.close();
    await first.close();
    await first.emulator.close();
  });

  test("when a big folder is opened at once on two instances at Dropbox's pace, then it is read once, both answer with what was read so far (npm run bench, F1, times it), and it completes", async () => {
    const { emulator } = first;
    emulator.setLatency(150);
    emulator.setLatencyPerEntry(0.1);
    const one = first.agent();
    await connect(one);
    const other = second.agent();
    const otherCookie = sessionCookieOf((await connect(other)).response) as string;
    const listings = emulator.calls('files/list_folder').length;

    const [html, partial] = await Promise.all([one.get('/browse/Slow').set('Accept', 'text/html').expect(200), json(other, '/browse/Slow?sort=modified&order=desc')]);
    expect(html.text).toMatch(/Reading this folder: <span id="reading-count">[\d,]+<\/span> items so far/);
    expect(partial.complete).toBe(false);
    expect(partial.entries.length).toBeGreaterThan(0);
    expect(emulator.calls('files/list_folder').length).toBe(listings + 1);

    await untilFolderRead(second.url, otherCookie, '/Slow');
    const done = await json(other, '/browse/Slow?sort=modified&order=desc');
    expect(done.complete).toBe(true);
    expect(done.entries.map((entry) => entry.name)).toEqual(expectedNames(emulator.groundTruth('/Slow'), { key: 'modified', order: 'desc' }).slice(0, 200));
    expect(emulator.calls('files/list_folder').length).toBe(listings + 1);
    expect(emulator.calls('files/list_folder/continue').length).toBeGreaterThanOrEqual(5);
  }, 30_000);

  test('when the instance reading a folder stops half way, then another resumes from where it was and no entry is lost or read twice', async () => {
    const { emulator } = first;
    emulator.setLatency(100);
    emulator.setLatencyPerEntry(0.05);
    emulator.addPhotos('/Resumed', 10_000, 9);
    const reader = await startStack({ emulator, namespace: first.namespace, env: { BASE_URL: first.url } });
    try {
      const agent = reader.agent();
      await connect(agent);
      const partial = await json(agent, '/browse/Resumed');
      expect(partial.complete).toBe(false);
    } finally {
      await reader.close();
    }
    const listings = emulator.calls('files/list_folder').length;
    const agent = second.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    // The stopped reader handed its lease back, so this view takes the read over; it completes.
    await json(agent, '/browse/Resumed');
    await untilFolderRead(second.url, cookie, '/Resumed');
    const listing = await json(agent, '/browse/Resumed');
    expect(listing.complete).toBe(true);
    expect(listing.total).toBe(10_000);
    expect(emulator.calls('files/list_folder').length).toBe(listings);
    expect(await walk(agent, '/browse/Resumed', { key: 'name', order: 'asc' })).toEqual(expectedNames(emulator.groundTruth('/Resumed'), { key: 'name', order: 'asc' }));
  }, 60_000);

  test('when the page is shown without JavaScript, then its "Load more" link works while the folder is read', async () => {
    const agent = first.agent();
    await connect(agent);
    const page = await agent.get('/browse/Slow').set('Accept', 'text/html').expect(200);
    expect(entryLinksOf(page.text).length).toBeGreaterThan(0);
    expect(loadMoreHrefOf(page.text)).toMatch(/cursor=/);
  });
});
