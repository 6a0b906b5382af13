import { createHash } from 'node:crypto';
import { authorize, connect, sessionCookieOf } from '../support/oauth-dance';
import { startStack, storedCredentials, storedSession, type Stack } from '../support/stack';

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

  test('when two connections start, then each gets its own state and PKCE challenge', async () => {
    const first = await authorize(stack.agent());
    const second = await authorize(stack.agent());
    expect(first.authorizeUrl.searchParams.get('state')).not.toBe(second.authorizeUrl.searchParams.get('state'));
    expect(first.authorizeUrl.searchParams.get('code_challenge')).not.toBe(second.authorizeUrl.searchParams.get('code_challenge'));
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

  test('when the code is exchanged, then the PKCE verifier the app sends is the S256 preimage of the challenge it published', async () => {
    const { authorizeUrl, response } = await connect(stack.agent());
    expect(response.status).toBe(302);

    const exchange = stack.emulator.calls('oauth2/token', 'authorization_code').pop();
    const verifier = exchange?.codeVerifier as string;
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(authorizeUrl.searchParams.get('code_challenge'));
  });

  test('when the user connects, then the session id changes (no fixation)', async () => {
    const agent = stack.agent();
    const start = await agent.get('/auth/dropbox').expect(302);
    const before = sessionCookieOf(start);
    const callbackUrl = new URL((await fetch(start.headers.location as string, { redirect: 'manual' })).headers.get('location') as string);
    const callback = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302);
    const after = sessionCookieOf(callback);

    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // The pre-login id no longer leads anywhere.
    await stack.agent().get('/browse').set('Cookie', before as string).expect(302).expect('Location', '/auth/dropbox');
  });

  test('when a user who asked for a folder connects, then they land on that folder', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent, '/browse/Photos/2024%20Trip');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/browse/Photos/2024%20Trip');
  });

  test('when connected, then Redis holds the account id and sealed tokens beside the session, and the cookie only an id', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent);
    const cookie = sessionCookieOf(response) as string;
    const session = (await storedSession(stack, cookie)) as Record<string, any>;
    const credentials = await storedCredentials(stack, cookie);

    expect(session.connectedAt).toBeLessThanOrEqual(Date.now());
    expect(credentials.acct).toBe('dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc');
    expect(credentials.rt).toMatch(/^v1\./);
    expect(credentials.at).toMatch(/^v1\./);
    const issued = [...stack.emulator.tokens.issuedAccessTokens(), ...stack.emulator.tokens.issuedRefreshTokens()];
    const everything = JSON.stringify([session, credentials, cookie]);
    for (const token of issued) expect(everything).not.toContain(token);
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
