import http from 'node:http';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

/** Opens the folder's event stream and resolves with everything it sent until `until` matched. */
function readEvents(url: string, cookie: string, until: RegExp, timeoutMs: number): { opened: Promise<void>; received: Promise<string>; close(): void } {
  let text = '';
  let request: http.ClientRequest;
  let markOpen: () => void;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  const received = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${until} within ${timeoutMs} ms; got ${JSON.stringify(text)}`)), timeoutMs);
    request = http.get(url, { headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('retry:')) markOpen();
        if (until.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      });
    });
    request.on('error', () => undefined);
  });
  return { opened, received, close: () => request.destroy() };
}

describe('Live folders: an open folder hears about changes in Dropbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when a file is added to the open folder in Dropbox, then the page\'s event stream says "changed" at once', async () => {
    const { response } = await connect(stack.agent());
    const cookie = sessionCookieOf(response) as string;
    const stream = readEvents(`${stack.url}/events/browse/Photos`, cookie, /event: changed/, 5000);
    try {
      await stream.opened;
      await new Promise((resolve) => setTimeout(resolve, 100));
      stack.emulator.tree.addFile('/Photos/Just added.jpg', { content: 'new' });
      expect(await stream.received).toContain('event: changed');
      expect(stack.emulator.calls('files/list_folder/longpoll').length).toBeGreaterThanOrEqual(1);
      expect(stack.emulator.calls('files/list_folder/longpoll').every((call) => call.bearer === undefined)).toBe(true);
    } finally {
      stream.close();
    }
  });

  test('when another folder changes, then this folder\'s stream stays quiet', async () => {
    const { response } = await connect(stack.agent());
    const cookie = sessionCookieOf(response) as string;
    const stream = readEvents(`${stack.url}/events/browse/Documents`, cookie, /event: changed/, 1500);
    try {
      await stream.opened;
      stack.emulator.tree.addFile('/Music/Another song.mp3', { content: 'la' });
      await expect(stream.received).rejects.toThrow(/no \/event: changed\//);
    } finally {
      stream.close();
    }
  });

  test('when the event stream is asked for without a connection, then it is refused', async () => {
    await stack.agent().get('/events/browse/Photos').set('Accept', 'text/event-stream').expect(401);
  });
});
