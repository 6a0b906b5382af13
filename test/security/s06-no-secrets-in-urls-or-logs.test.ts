import { csrfTokenOf } from '../support/html';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, TEST_SESSION_SECRET, type Stack } from '../support/stack';

describe('S6: no token, code or secret in a URL or a log line', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when a user goes through login, refresh, 401, 429, 500, download and logout, then no log line holds any of their secrets', async () => {
    const agent = stack.agent();
    const { callbackUrl, response } = await connect(agent);
    const sessionCookie = (sessionCookieOf(response) as string).split('=')[1];
    await agent.get('/browse').expect(200);
    stack.emulator.expireAccessTokens();
    await agent.get('/browse').expect(200);
    // Folders not read before: their first listing meets the faults.
    stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 30 });
    await agent.get('/browse/Photos').expect(503);
    stack.emulator.injectFault('files/list_folder', { kind: 'server_error' }, 3);
    await agent.get('/browse/Music').expect(502);
    await agent.get('/download/Documents/Notes.md').expect(302);
    const page = await agent.get('/browse').expect(200);
    await agent
      .post('/auth/logout')
      .type('form')
      .send({ _csrf: csrfTokenOf(page.text) })
      .expect(302);
    await agent.get('/browse').set('Accept', 'application/json').expect(401);
    await stack.agent().get('/auth/dropbox/callback?code=guessed&state=guessed').expect(400);

    const secrets = [
      ...stack.emulator.tokens.issuedAccessTokens(),
      ...stack.emulator.tokens.issuedRefreshTokens(),
      callbackUrl.searchParams.get('code') as string,
      callbackUrl.searchParams.get('state') as string,
      stack.emulator.app.secret,
      TEST_SESSION_SECRET,
      csrfTokenOf(page.text),
      sessionCookie,
    ];
    const log = stack.logLines.join('\n');
    expect(stack.logLines.length).toBeGreaterThan(10);
    expect(log).toContain('/auth/dropbox/callback');
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/guessed|Bearer|Basic |cookie/i);
  });

  test('when the app talks to the token endpoint, then nothing travels in its query string', async () => {
    const agent = stack.agent();
    await connect(agent);
    stack.emulator.expireAccessTokens();
    await agent.get('/browse').expect(200);
    const tokenCalls = stack.emulator.calls('oauth2/token');
    expect(new Set(tokenCalls.map((call) => call.grantType))).toEqual(new Set(['authorization_code', 'refresh_token']));
    for (const call of tokenCalls) expect(call.queryKeys).toEqual([]);
  });
});
