import type { SessionData } from 'express-session';
import { EmbeddedSessionStore } from '../../src/sessions/embedded-store';
import { connect } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

function sessionExpiringAt(ms: number, connected = true): SessionData {
  return { cookie: { expires: new Date(ms), originalMaxAge: null }, ...(connected ? { connectedAt: 1 } : {}) };
}

function read(store: EmbeddedSessionStore, sid: string): Promise<SessionData | null | undefined> {
  return new Promise((resolve, reject) => store.get(sid, (error: unknown, data) => (error ? reject(new Error('the store failed', { cause: error })) : resolve(data))));
}

describe('The embedded session store (no REDIS_URL)', () => {
  test('when a session outlives its cookie expiry, then it is gone', async () => {
    let now = 1_000_000;
    const store = new EmbeddedSessionStore({ now: () => now });
    store.set('sid', sessionExpiringAt(now + 60_000));
    expect(await read(store, 'sid')).not.toBeNull();
    now += 60_001;
    expect(await read(store, 'sid')).toBeNull();
    store.close();
  });

  test('when a session is touched, then its expiry moves forward', async () => {
    let now = 1_000_000;
    const store = new EmbeddedSessionStore({ now: () => now });
    store.set('sid', sessionExpiringAt(now + 60_000));
    now += 50_000;
    store.touch('sid', sessionExpiringAt(now + 60_000));
    now += 50_000;
    expect(await read(store, 'sid')).not.toBeNull();
    store.close();
  });

  test('when more sessions arrive than it may hold, then the least recently used go first', async () => {
    const store = new EmbeddedSessionStore({ maxSessions: 3, now: () => 0 });
    for (const sid of ['a', 'b', 'c']) store.set(sid, sessionExpiringAt(60_000));
    await read(store, 'a');
    store.set('d', sessionExpiringAt(60_000));

    expect(store.size).toBe(3);
    expect(await read(store, 'b')).toBeNull();
    expect(await read(store, 'a')).not.toBeNull();
    store.close();
  });

  test('when ten thousand sign-ins are started, then no connected session is pushed out', async () => {
    const store = new EmbeddedSessionStore({ maxSessions: 100, maxPending: 50, now: () => 0 });
    store.set('connected', sessionExpiringAt(60_000));
    for (let n = 0; n < 10_000; n += 1) store.set(`signing-in-${n}`, sessionExpiringAt(60_000, false));

    expect(await read(store, 'connected')).not.toBeNull();
    expect(store.size).toBe(51);
    store.close();
  });

  describe('serving the app', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ sessions: 'embedded' });
    });
    afterAll(async () => stack.close());

    test('when the app runs without Redis, then a user connects and browses', async () => {
      expect(stack.sessions.redis).toBeUndefined();
      expect(stack.sessions.description).toContain('single instance');
      const agent = stack.agent();
      const { response } = await connect(agent);
      expect(response.headers.location).toBe('/browse');
      await agent.get('/browse/Photos').expect(200);
      await stack.agent().get('/readyz').expect(200, { status: 'ok' });
    });
  });
});
