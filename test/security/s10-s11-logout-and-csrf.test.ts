import { csrfTokenOf } from '../support/html';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, storedSession, type Stack } from '../support/stack';

describe('S10 logout and S11 CSRF: disconnecting (POST /auth/logout)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  async function connectedAgent() {
    const agent = stack.agent();
    const { response } = await connect(agent);
    const cookie = sessionCookieOf(response) as string;
    const page = await agent.get('/browse').expect(200);
    return { agent, cookie, csrf: csrfTokenOf(page.text), bearer: stack.emulator.calls('files/list_folder').pop()?.bearer as string };
  }

  /** A destroyed session leaves only a tombstone (see redis-session-store.ts). */
  const sessionIsLive = async (cookie: string) => {
    const stored = await storedSession(stack, cookie);
    return stored !== null && !stored.ended;
  };

  test('when the user disconnects, then the token is revoked at Dropbox, the session is destroyed, the cookie cleared and the stale cookie browses no more', async () => {
    const { agent, cookie, csrf, bearer } = await connectedAgent();
    expect(await sessionIsLive(cookie)).toBe(true);

    const response = await agent.post('/auth/logout').type('form').send({ _csrf: csrf }).expect(302).expect('Location', '/?disconnected=1');

    const revoke = stack.emulator.calls('auth/token/revoke').pop();
    expect(revoke).toMatchObject({ status: 200, bearer });
    expect(stack.emulator.tokens.checkAccessToken(bearer)).toEqual({ ok: false, reason: 'invalid' });
    expect(await sessionIsLive(cookie)).toBe(false);
    expect(String(response.headers['set-cookie'])).toMatch(/dropview\.sid=;.*Expires=Thu, 01 Jan 1970/);
    await stack.agent().get('/browse').set('Cookie', cookie).set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
  });

  test('when the revoke call fails, then the session still ends', async () => {
    const { agent, cookie, csrf } = await connectedAgent();
    stack.emulator.injectFault('auth/token/revoke', { kind: 'server_error' });
    await agent.post('/auth/logout').type('form').send({ _csrf: csrf }).expect(302).expect('Location', '/?disconnected=1');
    expect(await sessionIsLive(cookie)).toBe(false);
  });

  test('when the POST carries no anti-CSRF value, then it is refused with 403 and the user stays connected', async () => {
    const { agent, cookie } = await connectedAgent();
    const revokesBefore = stack.emulator.calls('auth/token/revoke').length;
    const refused = await agent.post('/auth/logout').type('form').send({}).set('Accept', 'text/html').expect(403);
    expect(refused.text).toContain('Form expired');
    expect(stack.emulator.calls('auth/token/revoke')).toHaveLength(revokesBefore);
    expect(await sessionIsLive(cookie)).toBe(true);
    await agent.get('/browse').expect(200);
  });

  test('when the POST carries a wrong anti-CSRF value, then it is refused with 403', async () => {
    const { agent } = await connectedAgent();
    await agent.post('/auth/logout').type('form').send({ _csrf: 'not-the-token' }).expect(403);
    await agent.get('/browse').expect(200);
  });

  test('when logout is requested with GET, then nothing changes (404)', async () => {
    const { agent } = await connectedAgent();
    await agent.get('/auth/logout').expect(404);
    await agent.get('/browse').expect(200);
  });
});
