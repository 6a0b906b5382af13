import { createClient } from '@redis/client';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { sessionIdOf, startStack, type Stack } from '../support/stack';

/**
 * What a session's first page view costs: the account summary was learnt at connect, so the
 * view waits for nothing but the listing, and nothing about it changes the session.
 */

/**
 * The few node-redis members used here. Seen through its full generic type, node-redis cost
 * this one file a second of type-checking (see src/redis/connection.ts).
 */
interface Subscriber {
  connect(): Promise<unknown>;
  duplicate(): Subscriber;
  configSet(parameter: string, value: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  quit(): Promise<unknown>;
}

/** Every change Redis reports to `key` (keyspace notifications), until `stop` is given. */
async function watchKey(url: string, key: string) {
  const subscriber = createClient({ url }) as unknown as Subscriber;
  await subscriber.connect();
  const admin = subscriber.duplicate();
  await admin.connect();
  await admin.configSet('notify-keyspace-events', 'KA');
  const channel = `__keyspace@0__:${key}`;
  const events: string[] = [];
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  await subscriber.subscribe(channel, (event) => {
    if (event === 'end-of-watch') settle();
    else events.push(event);
  });
  return {
    /** The events seen so far: a message of our own on the same channel arrives after every earlier one. */
    async stop(): Promise<string[]> {
      await admin.publish(channel, 'end-of-watch');
      await settled;
      await subscriber.quit();
      await admin.quit();
      return events;
    },
  };
}

describe("A session's first view after connecting", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when a person who just connected opens a folder, then the view makes one Dropbox call, the listing, and writes nothing to the session', async () => {
    const agent = stack.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    const watch = await watchKey(stack.config.redisUrl as string, `${stack.namespace}sess:${sessionIdOf(cookie)}`);
    const before = stack.emulator.journal.length;

    const page = await agent.get('/browse/Photos').set('Accept', 'text/html').expect(200);

    const calls = stack.emulator.journal
      .slice(before)
      // The longpoll that then watches the folder is not waited for (quiet-folders.ts).
      .filter((call) => call.route !== 'files/list_folder/longpoll')
      .map((call) => `${call.route} ${call.status}`);
    expect(calls).toEqual(['files/list_folder 200']);
    expect(await watch.stop()).toEqual([]);
    // The header's account summary is there all the same: it was read at connect.
    expect(page.text).toContain('<strong>Dana Demo</strong>');
    expect(page.text).toMatch(/<meter min="0" max="100" value="\d+" aria-label="Space used">/);
  });

  test('when a person connects, then the account summary is read at the callback, beside storing the grant', async () => {
    const before = stack.emulator.journal.length;
    await connect(stack.agent());
    const routes = stack.emulator.journal.slice(before).map((call) => call.route);
    expect(routes).toEqual(expect.arrayContaining(['users/get_current_account', 'users/get_space_usage']));
    expect(routes.filter((route) => route.startsWith('files/'))).toEqual([]);
  });
});
