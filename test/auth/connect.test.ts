import { authorize, connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, storedCredentials, type Stack } from '../support/stack';

describe('Connecting Dropbox (OAuth 2 code flow with PKCE)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('when a user starts connecting, then they are sent to Dropbox with every parameter the contract names', async () => {
    const agent = stack.agent();
    const { authorizeUrl } = await authorize(agent);

    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${stack.emulator.url}/oauth2/authorize`);
    const params = authorizeUrl.searchParams;
    expect(params.get('client_id')).toBe(stack.emulator.app.key);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('token_access_type')).toBe('offline');
    expect(params.get('redirect_uri')).toBe(`${stack.url}/auth/dropbox/callback`);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('scope')).toBe('account_info.read files.content.read files.metadata.read');
    // 256 bits of state, base64url-encoded.
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('when the user approves, then the app exchanges the code once, in a POST body, and lands on the root folder', async () => {
    const agent = stack.agent();
    const exchangesBefore = stack.emulator.calls('oauth2/token', 'authorization_code').length;

    const { response } = await connect(agent);

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/browse');
    const exchanges = stack.emulator.calls('oauth2/token', 'authorization_code');
    expect(exchanges).toHaveLength(exchangesBefore + 1);
    expect(exchanges[exchanges.length - 1]).toMatchObject({ status: 200, queryKeys: [] });
    const page = await agent.get('/browse').expect(200);
    expect(page.text).toContain('Photos');
  });

  test('when a user who asked for a folder connects, then they land on that folder', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent, '/browse/Photos/2024%20Trip');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/browse/Photos/2024%20Trip');
  });

  test('when Dropbox issues a token, then its expiry is stored as now + expires_in - 100 s', async () => {
    const agent = stack.agent();
    const before = Date.now();
    const { response } = await connect(agent);
    const expiresAt = Number((await storedCredentials(stack, sessionCookieOf(response) as string)).exp);

    const expected = before + (14400 - 100) * 1000;
    expect(expiresAt).toBeGreaterThanOrEqual(expected);
    expect(expiresAt).toBeLessThan(expected + 5000);
  });
});
