import { connect, sessionCookieOf } from '../support/oauth-dance';
import { secondsToLive, sessionIdOf, startStack, type Stack } from '../support/stack';

describe('S9: sessions end on the server after their idle and absolute lifetimes', () => {
  let stack: Stack;
  let clockOffsetMs = 0;
  beforeAll(async () => {
    stack = await startStack({ env: { SESSION_IDLE_TIMEOUT: '30m', SESSION_MAX_AGE: '8h' }, now: () => Date.now() + clockOffsetMs });
  });
  afterAll(async () => stack.close());

  test('when a session is used, then its Redis entry and cookie live for the idle timeout from that moment', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent);
    const page = await agent.get('/browse').expect(200);
    const cookie = sessionCookieOf(response) as string;

    const ttl = await secondsToLive(stack, `sess:${sessionIdOf(cookie)}`);
    expect(ttl).toBeGreaterThan(30 * 60 - 10);
    expect(ttl).toBeLessThanOrEqual(30 * 60);
    // Credentials live as long as the session, plus the grace in which a lapsed grant is revoked.
    const credentialsKey = stack.sessions.credentials.keyOf(sessionIdOf(cookie)).slice(stack.namespace.length);
    const credentialsTtl = await secondsToLive(stack, credentialsKey);
    expect(credentialsTtl).toBeGreaterThan((30 + 15) * 60 - 10);
    expect(credentialsTtl).toBeLessThanOrEqual((30 + 15) * 60);
    expect(String(page.headers['set-cookie'])).toMatch(/Expires=/);
  });

  test('when a session is older than SESSION_MAX_AGE, then it ends even though it was active', async () => {
    const agent = stack.agent();
    await connect(agent);
    clockOffsetMs = 8 * 3_600_000 - 60_000;
    await agent.get('/browse').expect(200);
    clockOffsetMs = 8 * 3_600_000 + 60_000;
    try {
      await agent.get('/browse').set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
    } finally {
      clockOffsetMs = 0;
    }
  });
});
