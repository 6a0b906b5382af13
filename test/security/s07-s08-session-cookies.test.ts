import { randomBytes } from 'node:crypto';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { sessionIdOf, startStack, TEST_SESSION_SECRET, TEST_TOKEN_KEY, type Stack } from '../support/stack';

describe('S7 cookie flags, S8 session renewal, secret rotation and tampering', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('S8: when the user connects, then the session id changes and the old one leads nowhere', async () => {
    const agent = stack.agent();
    const start = await agent.get('/auth/dropbox').expect(302);
    const before = sessionCookieOf(start);
    const callbackUrl = new URL((await fetch(start.headers.location, { redirect: 'manual' })).headers.get('location') as string);
    const callback = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302);
    const after = sessionCookieOf(callback);

    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // The pre-login id no longer leads anywhere.
    await stack
      .agent()
      .get('/browse')
      .set('Cookie', before as string)
      .set('Accept', 'text/html')
      .expect(302)
      .expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
  });

  test('when the session cookie is tampered with, then it counts for nothing: the visitor is anonymous and no session is made for them', async () => {
    const { response } = await connect(stack.agent());
    const cookie = sessionCookieOf(response) as string;
    const signature = cookie.slice(cookie.lastIndexOf('.') + 1);
    const tampered = `${cookie.slice(0, cookie.lastIndexOf('.') + 1)}${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;

    const answer = await stack.agent().get('/browse').set('Cookie', tampered).set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
    expect(sessionCookieOf(answer)).toBeUndefined();
  });

  test('when a cookie names a session id the store never issued, then it is an anonymous visitor', async () => {
    const unknown = `dropview.sid=s%3A${randomBytes(24).toString('base64url')}.forged`;
    await stack.agent().get('/browse').set('Cookie', unknown).set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
  });

  test('when SESSION_SECRET rotates (new first, old kept), then existing cookies still work and new ones are signed with the new secret', async () => {
    const { response } = await connect(stack.agent());
    const oldCookie = sessionCookieOf(response) as string;
    const rotated = await startStack({
      emulator: stack.emulator,
      namespace: stack.namespace,
      env: { BASE_URL: stack.config.baseUrl as string, SESSION_SECRET: `rotated-secret-0123456789-abcdefghijklmnop,${TEST_SESSION_SECRET}`, TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY },
    });
    try {
      const page = await rotated.agent().get('/browse').set('Cookie', oldCookie).expect(200);
      const reissued = sessionCookieOf(page) as string;
      expect(sessionIdOf(reissued)).toBe(sessionIdOf(oldCookie));
      expect(reissued).not.toBe(oldCookie);
      // Only the rotated instance accepts the new signature: the old secret alone does not.
      await stack.agent().get('/browse').set('Cookie', reissued).set('Accept', 'text/html').expect(302);
      await rotated.agent().get('/browse').set('Cookie', reissued).expect(200);
    } finally {
      await rotated.close();
    }
  });
});

describe('S7: cookie flags in production behind a TLS-terminating proxy', () => {
  let production: Stack;
  let untrusting: Stack;
  beforeAll(async () => {
    production = await startStack({ env: { NODE_ENV: 'production', TRUST_PROXY: '1', BASE_URL: 'https://dropview.test' } });
    untrusting = await startStack({ emulator: production.emulator, env: { NODE_ENV: 'production', TRUST_PROXY: '0', BASE_URL: 'https://dropview.test' } });
  });
  afterAll(async () => {
    await untrusting.close();
    await production.close();
  });

  test('when the proxy says https, then the cookie is __Host-dropview; Path=/; HttpOnly; Secure; SameSite=Lax, with no Domain', async () => {
    const response = await production.agent().get('/auth/dropbox').set('X-Forwarded-Proto', 'https').expect(302);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-dropview=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  test('when the connection is plain http, then no session cookie is sent at all', async () => {
    const response = await production.agent().get('/auth/dropbox').expect(302);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  test('when proxies are not trusted (TRUST_PROXY=0), then a forged X-Forwarded-Proto does not make the connection count as https', async () => {
    const response = await untrusting.agent().get('/auth/dropbox').set('X-Forwarded-Proto', 'https').expect(302);
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});
