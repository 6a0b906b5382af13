import { createHash } from 'node:crypto';
import { addSampleFiles, DropboxEmulator } from '../src';

/** The emulator speaks Dropbox's wire contract (README.md, "The Dropbox facts it implements"), byte for byte where it is known. */

const REDIRECT_URI = 'http://localhost:9999/cb';
let emulator: DropboxEmulator;
const basic = () => `Basic ${Buffer.from(`${emulator.app.key}:${emulator.app.secret}`).toString('base64')}`;

beforeAll(async () => {
  emulator = new DropboxEmulator({ autoApprove: true, redirectUris: [REDIRECT_URI] });
  addSampleFiles(emulator.tree);
  await emulator.listen();
});
afterAll(async () => emulator.close());

async function codeFor(params: Record<string, string> = {}): Promise<string> {
  const url = new URL(`${emulator.url}/oauth2/authorize`);
  url.search = new URLSearchParams({ client_id: emulator.app.key, response_type: 'code', redirect_uri: REDIRECT_URI, token_access_type: 'offline', ...params }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  return new URL(response.headers.get('location') as string).searchParams.get('code') as string;
}

async function token(fields: Record<string, string>, headers: Record<string, string> = { Authorization: basic() }) {
  const response = await fetch(`${emulator.url}/oauth2/token`, { method: 'POST', headers, body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function accessToken(scope?: string): Promise<string> {
  const code = await codeFor(scope ? { scope } : {});
  return (await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).body.access_token as string;
}

async function rpc(route: string, body: string | undefined, headers: Record<string, string>) {
  const response = await fetch(`${emulator.url}/2/${route}`, { method: 'POST', headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-dropbox-request-id'), text: await response.text() };
}

describe('The emulated authorize page', () => {
  test('when the client_id is unknown, then it shows an error page and does not redirect', async () => {
    const response = await fetch(`${emulator.url}/oauth2/authorize?client_id=nope&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Invalid client_id');
  });

  test('when the redirect_uri is not registered, then it shows an error page and does not redirect', async () => {
    const response = await fetch(`${emulator.url}/oauth2/authorize?client_id=${emulator.app.key}&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  test('when a person is asked, then the page offers Allow and Deny', async () => {
    emulator.autoApprove = false;
    try {
      const response = await fetch(`${emulator.url}/oauth2/authorize?client_id=${emulator.app.key}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&state=s1`);
      const html = await response.text();
      expect(html).toContain('value="allow"');
      expect(html).toContain('value="deny"');
    } finally {
      emulator.autoApprove = true;
    }
  });
});

describe('The emulated token endpoint', () => {
  test('when an offline code is exchanged, then the answer has every field the SDKs read', async () => {
    const { status, body } = await token({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: REDIRECT_URI });
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^sl\.u\./),
      expires_in: 14400,
      token_type: 'bearer',
      scope: 'account_info.read files.content.read files.metadata.read',
      refresh_token: expect.any(String),
      account_id: expect.stringMatching(/^dbid:.{35}$/),
      uid: expect.any(String),
    });
  });

  test('when a code is used twice, then the second use is invalid_grant', async () => {
    const code = await codeFor();
    await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expect(await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: "code doesn't exist or has expired" },
    });
  });

  test('when the redirect_uri differs from the authorize one, then it is invalid_grant', async () => {
    const { status, body } = await token({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: 'http://localhost:9999/other' });
    expect([status, body.error]).toEqual([400, 'invalid_grant']);
  });

  test('when the app secret is wrong, then it is invalid_client', async () => {
    const { status, body } = await token(
      { grant_type: 'authorization_code', code: await codeFor(), redirect_uri: REDIRECT_URI },
      {
        Authorization: `Basic ${Buffer.from(`${emulator.app.key}:wrong`).toString('base64')}`,
      },
    );
    expect([status, body.error]).toEqual([400, 'invalid_client']);
  });

  test('when PKCE was used, then only the matching verifier redeems the code', async () => {
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const wrong = await token({
      grant_type: 'authorization_code',
      code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }),
      redirect_uri: REDIRECT_URI,
      code_verifier: 'x'.repeat(64),
    });
    expect(wrong.body.error).toBe('invalid_grant');
    const right = await token(
      {
        grant_type: 'authorization_code',
        code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }),
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        client_id: emulator.app.key,
      },
      {},
    );
    expect(right.status).toBe(200);
  });

  test('when parameters come in the query string with no body (as the JS SDK sends a refresh), then they are honoured', async () => {
    const code = await codeFor();
    const refreshToken = (await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).body.refresh_token as string;
    const response = await fetch(`${emulator.url}/oauth2/token?grant_type=refresh_token&refresh_token=${refreshToken}&client_id=${emulator.app.key}&client_secret=${emulator.app.secret}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(Object.keys((await response.json()) as object).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
  });

  test('when a refresh token is garbled or revoked, then the descriptions match Dropbox', async () => {
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'x' })).body).toEqual({ error: 'invalid_grant', error_description: 'refresh token is malformed' });
    const code = await codeFor();
    const grant = (await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).body;
    await rpc('auth/token/revoke', undefined, { Authorization: `Bearer ${grant.access_token as string}` });
    expect((await token({ grant_type: 'refresh_token', refresh_token: grant.refresh_token as string })).body).toEqual({
      error: 'invalid_grant',
      error_description: 'refresh token is invalid or revoked',
    });
  });

  test('when the grant type is unknown, then it is unsupported_grant_type', async () => {
    expect((await token({ grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
  });
});

describe('The emulated RPC routes', () => {
  test('when the Authorization header is missing, wrong or malformed, then the 400 is plain text as Dropbox words it', async () => {
    const missing = await rpc('files/list_folder', '{"path":""}', { 'Content-Type': 'application/json' });
    expect(missing).toMatchObject({ status: 400, text: 'Error in call to API function "files/list_folder": Must provide HTTP header "Authorization" or URL parameter "authorization".' });
    expect(missing.contentType).toMatch(/^text\/plain/);
    const malformed = await rpc('files/list_folder', '{"path":""}', { 'Content-Type': 'application/json', Authorization: 'Bearer garbage' });
    expect(malformed.text).toBe('Error in call to API function "files/list_folder": The given OAuth 2 access token is malformed.');
    const basicScheme = await rpc('files/list_folder', '{"path":""}', { 'Content-Type': 'application/json', Authorization: 'Basic abc' });
    expect(basicScheme.text).toMatch(/Expecting "Bearer <oauth2-access-token>"\.$/);
  });

  test('when a token expired or lacks a scope, then the 401 JSON carries the tag', async () => {
    const limited = await accessToken('files.metadata.read');
    const noScope = await rpc('users/get_current_account', undefined, { Authorization: `Bearer ${limited}` });
    expect(noScope.status).toBe(401);
    expect(JSON.parse(noScope.text)).toEqual({ error_summary: expect.stringMatching(/^missing_scope\/\.{0,3}$/), error: { '.tag': 'missing_scope', required_scope: 'account_info.read' } });

    const expiring = await accessToken();
    emulator.expireAccessTokens();
    const expired = await rpc('files/list_folder', '{"path":""}', { Authorization: `Bearer ${expiring}`, 'Content-Type': 'application/json' });
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text).error).toEqual({ '.tag': 'expired_access_token' });
  });

  test('when a no-argument route is called, then no body or a JSON null works, and an empty JSON body or a form type does not', async () => {
    const bearer = { Authorization: `Bearer ${await accessToken()}` };
    expect((await rpc('users/get_current_account', undefined, bearer)).status).toBe(200);
    expect((await rpc('users/get_current_account', 'null', { ...bearer, 'Content-Type': 'application/json' })).status).toBe(200);
    expect((await rpc('users/get_current_account', '', { ...bearer, 'Content-Type': 'application/json' })).text).toBe(
      'Error in call to API function "users/get_current_account": request body: could not decode input as JSON',
    );
    expect((await rpc('users/get_current_account', 'a=1', { ...bearer, 'Content-Type': 'application/x-www-form-urlencoded' })).text).toBe(
      'Error in call to API function "users/get_current_account": Bad HTTP "Content-Type" header: "application/x-www-form-urlencoded".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".',
    );
  });

  test('when list_folder gets "/", a trailing slash, a file or a missing path, then each answers as Dropbox does', async () => {
    const headers = { Authorization: `Bearer ${await accessToken()}`, 'Content-Type': 'application/json' };
    expect((await rpc('files/list_folder', '{"path":"/"}', headers)).text).toBe(
      'Error in call to API function "files/list_folder": request body: path: Specify the root folder as an empty string rather than as "/".',
    );
    const trailing = await rpc('files/list_folder', '{"path":"/Photos/"}', headers);
    expect([trailing.status, JSON.parse(trailing.text).error]).toEqual([409, { '.tag': 'path', path: { '.tag': 'malformed_path' } }]);
    const file = await rpc('files/list_folder', '{"path":"/Documents/Notes.md"}', headers);
    expect(JSON.parse(file.text).error_summary).toMatch(/^path\/not_folder\/\.{0,3}$/);
    const missing = await rpc('files/list_folder', '{"path":"/nope"}', headers);
    expect(missing).toMatchObject({ status: 409, contentType: 'application/json' });
    expect(missing.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect((await rpc('files/list_folder', '{"path":"","limit":5000}', headers)).status).toBe(400);
  });

  test('when get_metadata or get_temporary_link gets the root, a trailing slash, no path or an unknown one, then each answers as Dropbox does', async () => {
    const headers = { Authorization: `Bearer ${await accessToken()}`, 'Content-Type': 'application/json' };
    for (const route of ['files/get_metadata', 'files/get_temporary_link']) {
      expect((await rpc(route, '{"path":""}', headers)).text).toBe(`Error in call to API function "${route}": request body: path: The root folder is unsupported.`);
      expect((await rpc(route, '{}', headers)).text).toBe(`Error in call to API function "${route}": request body: missing required field 'path'`);
      expect((await rpc(route, '{"path":"Documents"}', headers)).text).toMatch(new RegExp(`^Error in call to API function "${route}": request body: path: 'Documents' did not match pattern`));
      const trailing = await rpc(route, '{"path":"/Documents/"}', headers);
      expect([trailing.status, JSON.parse(trailing.text).error]).toEqual([409, { '.tag': 'path', path: { '.tag': 'malformed_path' } }]);
      const missing = await rpc(route, '{"path":"/nope"}', headers);
      expect([missing.status, JSON.parse(missing.text).error]).toEqual([409, { '.tag': 'path', path: { '.tag': 'not_found' } }]);
    }
    const folder = await rpc('files/get_temporary_link', '{"path":"/Documents"}', headers);
    expect([folder.status, JSON.parse(folder.text).error]).toEqual([409, { '.tag': 'path', path: { '.tag': 'not_file' } }]);
  });

  test('when paths differ only in case, then they name the same folder and the answer keeps the real case', async () => {
    const headers = { Authorization: `Bearer ${await accessToken()}`, 'Content-Type': 'application/json' };
    const listing = JSON.parse((await rpc('files/list_folder', '{"path":"/pHoToS"}', headers)).text);
    expect(listing.entries.map((entry: { path_display: string }) => entry.path_display).sort()).toEqual(['/Photos/2024 Trip', '/Photos/Family.jpg']);
  });

  test('when a temporary link is older than 4 hours, then it answers 410 Gone', async () => {
    const headers = { Authorization: `Bearer ${await accessToken()}`, 'Content-Type': 'application/json' };
    const { link } = JSON.parse((await rpc('files/get_temporary_link', '{"path":"/Documents/Notes.md"}', headers)).text);
    expect((await fetch(link)).status).toBe(200);
    emulator.advanceClock(4 * 3_600_000 + 1000);
    expect((await fetch(link)).status).toBe(410);
  });
});
