import { Dropbox, DropboxAuth, DropboxResponseError } from 'dropbox';
import { addSampleFiles, DropboxEmulator } from '../src';

/**
 * The official `dropbox` npm SDK, pointed at the emulator: it always speaks https to Dropbox's
 * hosts, so a fetch wrapper sends those requests to the emulator instead.
 */

const REDIRECT_URI = 'http://localhost:9999/sdk-callback';
let emulator: DropboxEmulator;

beforeAll(async () => {
  emulator = new DropboxEmulator({ autoApprove: true, redirectUris: [REDIRECT_URI] });
  addSampleFiles(emulator.tree);
  await emulator.listen();
});
afterAll(async () => emulator.close());

function toEmulator(url: string): string {
  return url.replace(/^https:\/\/((www\.)?dropbox\.com|api\.dropboxapi\.com|content\.dropboxapi\.com|notify\.dropboxapi\.com)/, emulator.url);
}

const emulatorFetch = ((url: string, init?: RequestInit) => fetch(toEmulator(url), init)) as unknown as typeof fetch;

describe('The official Dropbox JS SDK against the emulator', () => {
  test('when the SDK runs the PKCE code flow, lists folders, refreshes and revokes, then every step works', async () => {
    const auth = new DropboxAuth({ clientId: emulator.app.key, fetch: emulatorFetch });
    const authorizeUrl = String(await auth.getAuthenticationUrl(REDIRECT_URI, 'sdk-state', 'code', 'offline', undefined, 'none', true));
    const approval = await fetch(toEmulator(authorizeUrl), { redirect: 'manual' });
    const code = new URL(approval.headers.get('location') as string).searchParams.get('code') as string;

    const tokenResponse = await auth.getAccessTokenFromCode(REDIRECT_URI, code);
    const grant = tokenResponse.result as { access_token: string; refresh_token: string; expires_in: number };
    auth.setAccessToken(grant.access_token);
    auth.setRefreshToken(grant.refresh_token);
    auth.setAccessTokenExpiresAt(new Date(Date.now() + grant.expires_in * 1000));

    const dbx = new Dropbox({ auth, fetch: emulatorFetch });
    const root = await dbx.filesListFolder({ path: '' });
    expect(root.result.entries.map((entry) => entry.name)).toContain('Photos');

    const page = await dbx.filesListFolder({ path: '/Big folder (2,500 files)', limit: 1000 });
    const next = await dbx.filesListFolderContinue({ cursor: page.result.cursor });
    expect(page.result.entries.length + next.result.entries.length).toBe(2000);

    const account = await dbx.usersGetCurrentAccount();
    expect(account.result.email).toBe('dana@example.com');

    // The SDK refreshes by itself (query-string POST, no body) when the expiry has passed.
    const refreshesBefore = emulator.calls('oauth2/token', 'refresh_token').length;
    auth.setAccessTokenExpiresAt(new Date(0));
    await dbx.filesListFolder({ path: '/Photos' });
    expect(emulator.calls('oauth2/token', 'refresh_token').length).toBe(refreshesBefore + 1);

    const missing = await dbx.filesListFolder({ path: '/nope' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(DropboxResponseError);
    expect((missing as DropboxResponseError<{ error_summary: string }>).status).toBe(409);
    expect((missing as DropboxResponseError<{ error_summary: string }>).error.error_summary).toMatch(/^path\/not_found\//);

    await dbx.authTokenRevoke();
    const afterRevoke = await dbx.filesListFolder({ path: '' }).catch((error: unknown) => error);
    expect((afterRevoke as DropboxResponseError<unknown>).status).toBe(401);
  });
});
