import { csrfTokenOf } from '../support/html';
import { openEventStream, type EventStreamReader } from '../support/event-stream';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

/**
 * Hardening (issue 11, item 1): live-folder event streams are bounded and end with their
 * session. Streams of one folder share one upstream longpoll.
 */

const longpolls = (stack: Stack) => stack.emulator.calls('files/list_folder/longpoll').length;

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function connectedCookie(stack: Stack, folder = '/browse/Photos') {
  const agent = stack.agent();
  const cookie = sessionCookieOf((await connect(agent)).response) as string;
  await agent.get(folder).expect(200);
  return { agent, cookie };
}

describe('Event streams are bounded and end with their session', () => {
  let stack: Stack;
  let other: Stack;
  const streams: EventStreamReader[] = [];
  const open = (on: Stack, cookie: string, path = '/events/browse/Photos') => {
    const stream = openEventStream(`${on.url}${path}`, cookie);
    streams.push(stream);
    return stream;
  };
  beforeAll(async () => {
    stack = await startStack({ env: { EVENT_STREAMS_PER_SESSION: '3', EVENT_STREAMS_PER_INSTANCE: '8' }, streamSessionCheckMs: 200 });
    other = await startStack({ emulator: stack.emulator, namespace: stack.namespace, env: { BASE_URL: stack.url }, streamSessionCheckMs: 200 });
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await until(() => stack.dropview.liveStreams().streams === 0 && other.dropview.liveStreams().streams === 0, 'the closed streams to end');
  });
  afterAll(async () => {
    await other.close();
    await stack.close();
  });

  test('when streams of two sessions watch one folder, then one longpoll serves them all and a change reaches each', async () => {
    const first = await connectedCookie(stack);
    const second = await connectedCookie(stack);
    const before = longpolls(stack);
    const listening = stack.emulator.nextCall('files/list_folder/longpoll');
    const all = [open(stack, first.cookie), open(stack, first.cookie), open(stack, second.cookie), open(stack, second.cookie)];
    await Promise.all(all.map((stream) => stream.opened));
    await listening;
    await new Promise((resolve) => setImmediate(resolve));
    expect(longpolls(stack) - before).toBe(1);

    stack.emulator.tree.addFile('/Photos/Shared change.jpg', { content: 'x' });
    await Promise.all(all.map((stream) => stream.until(/event: changed/, 5000)));
  });

  test('when a session opens more streams than it may, then its oldest one ends', async () => {
    const { cookie } = await connectedCookie(stack);
    const [oldest, ...rest] = [open(stack, cookie), open(stack, cookie), open(stack, cookie)];
    await Promise.all([oldest, ...rest].map((stream) => stream.opened));
    const newest = open(stack, cookie);
    await newest.opened;
    await oldest.ended;
  });

  test("when the instance holds its limit of streams, then a new session's stream is refused with 503", async () => {
    const sessions = await Promise.all(Array.from({ length: 3 }, () => connectedCookie(stack)));
    const held = [...sessions.flatMap(({ cookie }) => [open(stack, cookie), open(stack, cookie)]), open(stack, sessions[0].cookie), open(stack, sessions[1].cookie)];
    await Promise.all(held.map((stream) => stream.opened));
    expect(stack.dropview.liveStreams().streams).toBe(8);
    const late = await connectedCookie(stack);
    expect(await open(stack, late.cookie).status).toBe(503);
  });

  test('when the person logs out, then their streams end at once, on this instance and on the others', async () => {
    const { agent, cookie } = await connectedCookie(stack);
    const here = open(stack, cookie);
    const there = open(other, cookie);
    await Promise.all([here.opened, there.opened]);
    const page = await agent.get('/browse').expect(200);
    await agent
      .post('/auth/logout')
      .type('form')
      .send({ _csrf: csrfTokenOf(page.text) })
      .expect(302);
    await here.ended;
    await there.ended;
  });

  test("when the person's Dropbox access is revoked, then their streams end at the next change instead of calling Dropbox on", async () => {
    const { cookie } = await connectedCookie(stack, '/browse/Music');
    const listening = stack.emulator.nextCall('files/list_folder/longpoll');
    const stream = open(stack, cookie, '/events/browse/Music');
    await stream.opened;
    await listening;
    stack.emulator.revokeAllGrants();
    stack.emulator.tree.addFile('/Music/After revocation.mp3', { content: 'x' });
    await stream.ended;
  });
});

describe('Event streams have a lifetime', () => {
  test('when a stream reaches EVENT_STREAM_LIFETIME, then it ends (the browser reconnects and is checked again)', async () => {
    const stack = await startStack({ env: { EVENT_STREAM_LIFETIME: '1s' } });
    try {
      const { cookie } = await connectedCookie(stack);
      const stream = openEventStream(`${stack.url}/events/browse/Photos`, cookie);
      await stream.opened;
      const opened = Date.now();
      await stream.ended;
      expect(Date.now() - opened).toBeLessThan(3000);
    } finally {
      await stack.close();
    }
  });
});
