import { openEventStream } from '../support/event-stream';
import { decodeHtml } from '../support/html';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

/** Resolves once the folder watch holds its next longpoll: from then on it hears changes. */
const nextLongpoll = (stack: Stack) => stack.emulator.nextCall('files/list_folder/longpoll');

describe('Live folders: an open folder hears about changes in Dropbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when a file is added to the open folder in Dropbox, then the page\'s event stream says "changed" at once', async () => {
    const agent = stack.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    await agent.get('/browse/Photos').expect(200);
    const listening = nextLongpoll(stack);
    const stream = openEventStream(`${stack.url}/events/browse/Photos`, cookie);
    try {
      await stream.opened;
      await listening;
      stack.emulator.tree.addFile('/Photos/Just added.jpg', { content: 'new' });
      expect(await stream.until(/event: changed/, 5000)).toContain('event: changed');
      expect(stack.emulator.calls('files/list_folder/longpoll').length).toBeGreaterThanOrEqual(1);
      expect(stack.emulator.calls('files/list_folder/longpoll').every((call) => call.bearer === undefined)).toBe(true);
    } finally {
      stream.close();
    }
  });

  test('when the folder changed between the page and its event stream, then the stream says "changed" as it opens', async () => {
    const agent = stack.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    const page = await agent.get('/browse/Music').expect(200);
    const eventsHref = decodeHtml(/data-events="([^"]+)"/.exec(page.text)?.[1] ?? '');
    expect(eventsHref).toMatch(/^\/events\/browse\/Music\?version=/);
    const quiet = openEventStream(`${stack.url}${eventsHref}`, cookie);
    try {
      await quiet.opened;
      // Nothing changed since the page: its own version gets no event.
      await expect(quiet.until(/event: changed/, 500)).rejects.toThrow(/no \/event: changed\//);
    } finally {
      quiet.close();
    }

    stack.emulator.tree.addFile('/Music/While the page loaded.mp3', { content: 'la' });
    await agent.get('/browse/Music?sort=size').expect(200); // another tab sees the change first
    const late = openEventStream(`${stack.url}${eventsHref}`, cookie);
    try {
      expect(await late.until(/event: changed/, 5000)).toContain('event: changed');
    } finally {
      late.close();
    }
  });

  test("when another folder changes, then this folder's stream stays quiet", async () => {
    const agent = stack.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    await agent.get('/browse/Documents').expect(200);
    const listening = nextLongpoll(stack);
    const stream = openEventStream(`${stack.url}/events/browse/Documents`, cookie);
    try {
      await stream.opened;
      await listening;
      stack.emulator.tree.addFile('/Music/Another song.mp3', { content: 'la' });
      await expect(stream.until(/event: changed/, 1500)).rejects.toThrow(/no \/event: changed\//);
    } finally {
      stream.close();
    }
  });

  test('when the event stream is asked for without a connection, then it is refused', async () => {
    await stack.agent().get('/events/browse/Photos').set('Accept', 'text/event-stream').expect(401);
  });
});
