import { RedisConnection } from '../../src/redis/connection';
import type { Sort } from '../support/folder-order';
import { folderCalls, json, query, type Agent } from '../support/listing';
import { connect } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

/**
 * Folders of any size (issue 10): one folder index per account and root, shared by every
 * instance and session, kept fresh by Dropbox's own cursors, sorted over the whole folder and
 * paged by position. Big folders: folder-index-100k.test.ts; the first read at Dropbox's pace:
 * folder-index-first-read.test.ts.
 */

async function redisValuesOf(stack: Stack): Promise<Buffer> {
  const redis = RedisConnection.single({ url: stack.config.redisUrl });
  await redis.connect();
  try {
    const chunks: Buffer[] = [];
    for (const key of await redis.command<string[]>(undefined, true, ['KEYS', `${stack.namespace}fi:*`])) {
      const type = await redis.command(key, true, ['TYPE', key]);
      if (type === 'list') chunks.push(...(await redis.commandForBuffers<Buffer[]>(key, true, ['LRANGE', key, '0', '-1'])));
      if (type === 'hash') chunks.push(Buffer.from(JSON.stringify(await redis.hGetAll(key))));
    }
    return Buffer.concat(chunks);
  } finally {
    await redis.close();
  }
}

describe('A folder index shared by every instance and session of an account', () => {
  let first: Stack;
  let second: Stack;
  /** Moves the first instance's clock on: a longpoll vouches once it has had time to reach Dropbox. */
  let firstClockAhead = 0;
  beforeAll(async () => {
    first = await startStack({ now: () => Date.now() + firstClockAhead });
    second = await startStack({ emulator: first.emulator, namespace: first.namespace, env: { BASE_URL: first.url } });
    first.emulator.addPhotos('/Camera Uploads', 3000, 7);
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  test('when two sessions of one account view a folder on two instances, then Dropbox lists it once, the other instance checks it once, and the reader, whose longpoll is quiet, asks nothing', async () => {
    const one = first.agent();
    await connect(one);
    const other = second.agent();
    await connect(other);
    const before = folderCalls(first).length;

    await json(one, '/browse/Camera%20Uploads');
    const reads = folderCalls(first).slice(before);
    expect(reads.filter((call) => call.route === 'files/list_folder')).toHaveLength(1);

    for (const [agent, label, expected] of [
      [other, 'second instance', ['files/list_folder/continue']],
      [one, 'first instance', []],
    ] as const) {
      const calls = folderCalls(first).length;
      firstClockAhead += 1000;
      const listing = await json(agent, '/browse/Camera%20Uploads');
      expect({
        label,
        calls: folderCalls(first)
          .slice(calls)
          .map((call) => call.route),
      }).toEqual({ label, calls: expected });
      expect(listing.total).toBe(3000);
    }
  });

  test('when a folder is indexed, then Redis holds no file name of it and its keys expire', async () => {
    const agent = first.agent();
    await connect(agent);
    const listing = await json(agent, '/browse/Camera%20Uploads');
    const stored = await redisValuesOf(first);
    expect(stored.length).toBeGreaterThan(0);
    for (const entry of listing.entries.slice(0, 20)) expect(stored.includes(entry.name)).toBe(false);
    expect(stored.includes('Camera Uploads')).toBe(false);

    const redis = RedisConnection.single({ url: first.config.redisUrl });
    await redis.connect();
    try {
      for (const key of await redis.command<string[]>(undefined, true, ['KEYS', `${first.namespace}fi:*`])) {
        if (key.endsWith(':r')) continue;
        const ttl = await redis.command<number>(key, true, ['TTL', key]);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(24 * 3600);
      }
    } finally {
      await redis.close();
    }
  });
});

describe('Two accounts with the same folder path', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when two accounts each have /Shared Name, then each sees only its own files', async () => {
    const { emulator } = stack;
    const ana = emulator.addAccount({ givenName: 'Ana', surname: 'One', email: 'ana@example.com' });
    const ben = emulator.addAccount({ givenName: 'Ben', surname: 'Two', email: 'ben@example.com' });
    ana.tree.addFile('/Shared Name/only-ana.txt', { content: 'a' });
    ben.tree.addFile('/Shared Name/only-ben.txt', { content: 'b' });

    emulator.signInAs(ana.accountId);
    const anaAgent = stack.agent();
    await connect(anaAgent);
    emulator.signInAs(ben.accountId);
    const benAgent = stack.agent();
    await connect(benAgent);
    emulator.signInAs(emulator.defaultAccount.accountId);

    expect((await json(anaAgent, '/browse/Shared%20Name')).entries.map((entry) => entry.name)).toEqual(['only-ana.txt']);
    expect((await json(benAgent, '/browse/Shared%20Name')).entries.map((entry) => entry.name)).toEqual(['only-ben.txt']);
    expect((await json(anaAgent, '/browse/Shared%20Name')).entries.map((entry) => entry.name)).toEqual(['only-ana.txt']);
  });
});

describe("Fresh through Dropbox's cursor", () => {
  let first: Stack;
  let second: Stack;
  let one: Agent;
  let other: Agent;
  /** Moves the second instance's clock on: a copy of an index it synced serves views for a while (SYNC_REUSE_MS). */
  let secondClockAhead = 0;
  beforeAll(async () => {
    first = await startStack();
    second = await startStack({ emulator: first.emulator, namespace: first.namespace, env: { BASE_URL: first.url }, now: () => Date.now() + secondClockAhead });
    for (let n = 1; n <= 30; n += 1) first.emulator.tree.addFile(`/Changing/file ${n}.txt`, { content: 'x'.repeat(n), modified: new Date(Date.UTC(2025, 0, n)) });
    one = first.agent();
    await connect(one);
    other = second.agent();
    await connect(other);
    await json(one, '/browse/Changing');
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  const namesOf = async (agent: Agent, sort: Sort = { key: 'name', order: 'asc' }) => (await json(agent, `/browse/Changing?${query(sort)}`)).entries.map((entry) => entry.name);

  test('when files are added, rewritten and deleted between views, then the next view on either instance shows it, for one check each', async () => {
    const { tree } = first.emulator;
    tree.addFile('/Changing/file 31.txt', { content: 'new', modified: new Date(Date.UTC(2026, 5, 1)) });
    tree.modifyFile('/Changing/file 1.txt', { content: 'x'.repeat(5000), modified: new Date(Date.UTC(2026, 6, 1)) });
    tree.remove('/Changing/file 2.txt');

    const calls = folderCalls(first).length;
    const newest = await namesOf(other, { key: 'modified', order: 'desc' });
    expect(newest.slice(0, 2)).toEqual(['file 1.txt', 'file 31.txt']);
    expect(newest).not.toContain('file 2.txt');
    expect(
      folderCalls(first)
        .slice(calls)
        .map((call) => call.route),
    ).toEqual(['files/list_folder/continue']);

    const bySize = (await json(one, '/browse/Changing?sort=size&order=desc')).entries;
    expect(bySize[0]).toMatchObject({ name: 'file 1.txt', size: 5000 });
    expect(bySize).toHaveLength(30);
    expect(
      folderCalls(first)
        .slice(calls)
        .map((call) => call.route),
    ).toEqual(['files/list_folder/continue', 'files/list_folder/continue']);
  });

  test('when the index is lost (evicted from Redis), then the next view once the copy in memory is due a sync reads the folder again and is right', async () => {
    const redis = RedisConnection.single({ url: first.config.redisUrl });
    await redis.connect();
    try {
      for (const key of await redis.command<string[]>(undefined, true, ['KEYS', `${first.namespace}fi:*`])) await redis.del(key);
    } finally {
      await redis.close();
    }
    first.emulator.tree.addFile('/Changing/after loss.txt', { content: 'x' });
    const before = first.emulator.calls('files/list_folder').length;
    secondClockAhead += 3000;
    expect(await namesOf(other)).toContain('after loss.txt');
    expect(first.emulator.calls('files/list_folder').length).toBe(before + 1);
  });
});

describe('Quiet folders: a Dropbox longpoll vouches for an unchanged folder', () => {
  let stack: Stack;
  let agent: Agent;
  let clockAheadMs = 0;
  const longpolls = () => stack.emulator.calls('files/list_folder/longpoll').length;
  beforeAll(async () => {
    stack = await startStack({ now: () => Date.now() + clockAheadMs });
    for (let n = 1; n <= 5; n += 1) stack.emulator.tree.addFile(`/Quiet/file ${n}.txt`, { content: 'x' });
    agent = stack.agent();
    await connect(agent);
  });
  afterAll(async () => stack.close());

  test('when a folder was just read and its longpoll is quiet, then the next views cost no Dropbox call and share that one longpoll', async () => {
    const watching = stack.emulator.nextCall('files/list_folder/longpoll');
    await json(agent, '/browse/Quiet');
    await watching;
    // Time for the longpoll to have reached Dropbox (twice Dropbox's answer time, quiet-folders.ts).
    clockAheadMs += 1000;
    const calls = folderCalls(stack).length;
    const held = longpolls();

    for (let view = 0; view < 3; view += 1) expect((await json(agent, '/browse/Quiet')).total).toBe(5);
    expect(folderCalls(stack).slice(calls)).toEqual([]);
    expect(longpolls()).toBe(held);
  });

  test('when the folder changes, then the longpoll says so and the next view checks and shows the change', async () => {
    await json(agent, '/browse/Quiet');
    const calls = folderCalls(stack).length;
    // The emulator answers the held longpoll as the file is added, before the view is asked for.
    stack.emulator.tree.addFile('/Quiet/file 6.txt', { content: 'new' });

    const listing = await json(agent, '/browse/Quiet');
    expect(listing.entries.map((entry) => entry.name)).toContain('file 6.txt');
    expect(
      folderCalls(stack)
        .slice(calls)
        .map((call) => call.route),
    ).toEqual(['files/list_folder/continue']);
  });

  test('when access is revoked at Dropbox, then a view within the trust still shows the folder, and the first view after it asks Dropbox and offers to connect again', async () => {
    await json(agent, '/browse/Quiet');
    clockAheadMs += 1000;
    stack.emulator.revokeAllGrants();
    await agent.get('/browse/Quiet').set('Accept', 'text/html').expect(200);

    clockAheadMs += stack.config.folderIndex.quietTrustMs;
    const page = await agent.get('/browse/Quiet').set('Accept', 'text/html').expect(401);
    expect(page.text).toContain('href="/auth/dropbox"');
  });
});

describe('An index that cannot be read', () => {
  test('when a stored batch does not open (a lost key, an old format), then the folder is read again and the page is right', async () => {
    const stack = await startStack();
    try {
      stack.emulator.tree.addFile('/Garbled/a.txt', { content: 'a' });
      stack.emulator.tree.addFile('/Garbled/b.txt', { content: 'b' });
      const agent = stack.agent();
      await connect(agent);
      await json(agent, '/browse/Garbled');
      const redis = RedisConnection.single({ url: stack.config.redisUrl });
      await redis.connect();
      try {
        const [batches] = await redis.command<string[]>(undefined, true, ['KEYS', `${stack.namespace}fi:*:b`]);
        await redis.command(batches, false, ['LSET', batches, '0', 'not a sealed batch']);
        // Without the first rows stored beside it, a view has to load the batches.
        await redis.del(batches.replace(/:b$/, ':p'));
      } finally {
        await redis.close();
      }
      // Another instance, which holds no copy of the index in memory, has to read the stored one.
      const other = await startStack({ emulator: stack.emulator, namespace: stack.namespace, env: { BASE_URL: stack.url } });
      try {
        const before = stack.emulator.calls('files/list_folder').length;
        const viewer = other.agent();
        await connect(viewer);
        const listing = await json(viewer, '/browse/Garbled');
        expect(listing.entries.map((entry) => entry.name)).toEqual(['a.txt', 'b.txt']);
        expect(stack.emulator.calls('files/list_folder').length).toBe(before + 1);
      } finally {
        await other.close();
      }
    } finally {
      await stack.close();
    }
  });
});

describe('Page cursors that cannot skip or repeat', () => {
  let first: Stack;
  let second: Stack;
  beforeAll(async () => {
    first = await startStack({ listPageSize: 10 });
    second = await startStack({ emulator: first.emulator, namespace: first.namespace, env: { BASE_URL: first.url }, listPageSize: 10 });
    for (let n = 1; n <= 40; n += 1) first.emulator.tree.addFile(`/Paged/photo ${String(n).padStart(2, '0')}.jpg`, { content: 'x' });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  test('when the folder changes between "Load more" pages read on different instances, then every entry that stayed appears exactly once', async () => {
    const one = first.agent();
    await connect(one);
    const other = second.agent();
    await connect(other);
    const page1 = await json(one, '/browse/Paged');
    expect(page1.entries.map((entry) => entry.name).at(-1)).toBe('photo 10.jpg');

    const { tree } = first.emulator;
    tree.addFile('/Paged/photo 00.jpg', { content: 'before the cursor' });
    tree.addFile('/Paged/photo 10b.jpg', { content: 'right after the cursor' });
    tree.remove('/Paged/photo 10.jpg');
    tree.remove('/Paged/photo 11.jpg');

    const seen = page1.entries.map((entry) => entry.name);
    let listing = page1;
    while (listing.hasMore) {
      listing = await json(other, `/browse/Paged?cursor=${encodeURIComponent(listing.cursor as string)}`);
      seen.push(...listing.entries.map((entry) => entry.name));
    }
    expect(seen[10]).toBe('photo 10b.jpg');
    const stayed = Array.from({ length: 40 }, (_, index) => `photo ${String(index + 1).padStart(2, '0')}.jpg`).filter((name) => name !== 'photo 11.jpg');
    for (const name of stayed) expect(seen.filter((candidate) => candidate === name)).toHaveLength(1);
  });

  test('when the list is asked for "through" a cursor, then it holds every row from the start to that one, as it is now', async () => {
    const agent = first.agent();
    await connect(agent);
    const page1 = await json(agent, '/browse/Paged');
    const page2 = await json(agent, `/browse/Paged?cursor=${encodeURIComponent(page1.cursor as string)}`);
    first.emulator.tree.addFile('/Paged/photo 01a.jpg', { content: 'x' });

    const through = await json(agent, `/browse/Paged?through=${encodeURIComponent(page2.cursor as string)}`);
    const expected = [...page1.entries, ...page2.entries].map((entry) => entry.name);
    expected.splice(expected.indexOf('photo 01.jpg') + 1, 0, 'photo 01a.jpg');
    expect(through.entries.map((entry) => entry.name)).toEqual(expected);
    expect(through.cursor).toBe(page2.cursor);
  });

  test('when a cursor is made up or belongs to another folder, then it is a 400, not a wrong page', async () => {
    const agent = first.agent();
    await connect(agent);
    for (let n = 1; n <= 11; n += 1) first.emulator.tree.addFile(`/Elsewhere/${n}.txt`, { content: 'x' });
    const elsewhere = await json(agent, '/browse/Elsewhere');
    await agent.get('/browse/Paged?cursor=v1.made.up.cursor.value').set('Accept', 'application/json').expect(400);
    await agent
      .get(`/browse/Paged?cursor=${encodeURIComponent(elsewhere.cursor as string)}`)
      .set('Accept', 'application/json')
      .expect(400);
    // The same position in another order is another cursor too.
    await agent
      .get(`/browse/Elsewhere?sort=size&order=asc&cursor=${encodeURIComponent(elsewhere.cursor as string)}`)
      .set('Accept', 'application/json')
      .expect(400);
  });
});
