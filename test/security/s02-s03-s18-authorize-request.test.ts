import { createHash } from 'node:crypto';
import { authorize, connect } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

describe('S2 PKCE, S3 exact redirect URI, S18 least privilege: the authorization request', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  test('S2: when two connections start, then each gets its own state and PKCE challenge', async () => {
    const first = await authorize(stack.agent());
    const second = await authorize(stack.agent());
    expect(first.authorizeUrl.searchParams.get('state')).not.toBe(second.authorizeUrl.searchParams.get('state'));
    expect(first.authorizeUrl.searchParams.get('code_challenge')).not.toBe(second.authorizeUrl.searchParams.get('code_challenge'));
  });

  test('S2: when the code is exchanged, then the verifier sent is the S256 preimage of the published challenge, never "plain"', async () => {
    const { authorizeUrl, response } = await connect(stack.agent());
    expect(response.status).toBe(302);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const exchange = stack.emulator.calls('oauth2/token', 'authorization_code').pop();
    const verifier = exchange?.codeVerifier as string;
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(authorizeUrl.searchParams.get('code_challenge'));
  });

  test('S3: when the request carries a spoofed Host or X-Forwarded-Host, then the redirect URI is still exactly the configured one', async () => {
    const response = await stack.agent().get('/auth/dropbox').set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https').expect(302);
    const redirectUri = new URL(response.headers.location).searchParams.get('redirect_uri');
    expect(redirectUri).toBe(`${stack.config.baseUrl}/auth/dropbox/callback`);
  });

  test('S18: when authorizing, then exactly the three scopes Dropview needs are requested', async () => {
    const { authorizeUrl } = await authorize(stack.agent());
    expect(authorizeUrl.searchParams.get('scope')?.split(' ').sort()).toEqual(['account_info.read', 'files.content.read', 'files.metadata.read']);
  });
});
