import { authorize } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

describe('S1 state and S4 one-time codes: the OAuth callback refuses what it should', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  const exchanges = () => stack.emulator.calls('oauth2/token', 'authorization_code').length;

  function expectTryAgainPage(text: string) {
    expect(text).toContain('Dropbox was not connected');
    expect(text).toContain('href="/auth/dropbox"');
    expect(text).not.toMatch(/at \w+ \(|Error:/);
  }

  test('when the callback arrives without a sign-in started in this browser, then a 400 page offers to try again and no token is requested', async () => {
    const before = exchanges();
    const { callbackUrl } = await authorize(stack.agent());
    // A different browser (no session) presents the code.
    const response = await stack.agent().get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Accept', 'text/html');

    expect(response.status).toBe(400);
    expectTryAgainPage(response.text);
    expect(exchanges()).toBe(before);
  });

  test('when the state does not match, then a 400 page offers to try again and no token is requested', async () => {
    const agent = stack.agent();
    const before = exchanges();
    const { callbackUrl } = await authorize(agent);
    callbackUrl.searchParams.set('state', 'forged-state-value-000000000000000000000000');
    const response = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Accept', 'text/html');

    expect(response.status).toBe(400);
    expectTryAgainPage(response.text);
    expect(exchanges()).toBe(before);
  });

  test('when the state is missing, then a 400 page offers to try again and no token is requested', async () => {
    const agent = stack.agent();
    const before = exchanges();
    const { callbackUrl } = await authorize(agent);
    callbackUrl.searchParams.delete('state');
    const response = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`);

    expect(response.status).toBe(400);
    expect(exchanges()).toBe(before);
  });

  test("when a forged answer with a wrong state arrives first, then it is refused and the person's own sign-in still completes, once", async () => {
    const agent = stack.agent();
    const { callbackUrl } = await authorize(agent);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'forged');
    forged.searchParams.set('code', 'attackers-code');
    const before = exchanges();
    await agent.get(`${forged.pathname}${forged.search}`).expect(400);
    expect(exchanges()).toBe(before);

    await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302).expect('Location', '/browse');
    expect(exchanges()).toBe(before + 1);
    // Used once: the same answer again finds nothing to match.
    await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(400);
  });

  test('when the same callback is replayed, then the second one is refused and only one exchange happened', async () => {
    const agent = stack.agent();
    const before = exchanges();
    const { callbackUrl } = await authorize(agent);
    await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302).expect('Location', '/browse');

    const replay = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Accept', 'text/html');
    expect(replay.status).toBe(400);
    expectTryAgainPage(replay.text);
    expect(exchanges()).toBe(before + 1);
  });

  test('when the user clicks Deny on Dropbox, then a 403 page says nothing was connected and offers to try again', async () => {
    const agent = stack.agent();
    stack.emulator.autoApprove = false;
    try {
      const location = (await agent.get('/auth/dropbox').expect(302)).headers.location;
      const authorizeUrl = new URL(location);
      const form = new URLSearchParams([...authorizeUrl.searchParams.entries(), ['decision', 'deny']]);
      const denial = await fetch(`${stack.emulator.url}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
      const callbackUrl = new URL(denial.headers.get('location') as string);
      expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
      const before = exchanges();

      const response = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Accept', 'text/html');
      expect(response.status).toBe(403);
      expectTryAgainPage(response.text);
      expect(response.text).toContain('You chose not to give Dropview access');
      expect(exchanges()).toBe(before);
    } finally {
      stack.emulator.autoApprove = true;
    }
  });

  test('when Dropbox returns some other error, then a 502 page offers to try again', async () => {
    const agent = stack.agent();
    const { callbackUrl } = await authorize(agent);
    const errored = new URL(callbackUrl);
    errored.searchParams.delete('code');
    errored.searchParams.set('error', 'server_error');
    const before = exchanges();

    const response = await agent.get(`${errored.pathname}${errored.search}`).set('Accept', 'text/html');
    expect(response.status).toBe(502);
    expectTryAgainPage(response.text);
    expect(exchanges()).toBe(before);
  });

  test('when Dropbox rejects the code as used or expired (invalid_grant), then a 400 page offers to try again', async () => {
    const agent = stack.agent();
    const { callbackUrl } = await authorize(agent);
    // Someone else (an attacker who intercepted it, say) redeems the code first.
    const stolen = callbackUrl.searchParams.get('code') as string;
    const theft = await fetch(`${stack.emulator.url}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${stack.emulator.app.key}:${stack.emulator.app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: stolen, redirect_uri: `${stack.url}/auth/dropbox/callback` }),
    });
    // PKCE: without the verifier the thief gets nothing, and the code is spent.
    expect(theft.status).toBe(400);

    const response = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Accept', 'text/html');
    expect(response.status).toBe(400);
    expectTryAgainPage(response.text);
    expect(response.text).toContain('expired or was already used');
  });

  test('when a callback fails, then the user can start again and connect', async () => {
    const agent = stack.agent();
    await agent.get('/auth/dropbox/callback?code=x&state=y').expect(400);
    const { callbackUrl } = await authorize(agent);
    await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302).expect('Location', '/browse');
  });
});
