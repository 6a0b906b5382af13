import type { DropboxEmulator } from '../src';
import { control, listFolder, rpc, startEmulator, tokenFor } from './support/harness';

/** /__emulator/...: steering from another process, on only when asked for. */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ controlApi: true });
  token = await tokenFor(emulator);
});
afterAll(async () => emulator.close());

describe('The control API', () => {
  test('when a file is posted with content, then it appears; posted again with a size, then it is modified with the same id', async () => {
    const added = await control(emulator, 'files', { path: '/Ctl/notes.txt', content: 'hello', modified: '2024-05-06T07:08:09Z' });
    expect(added).toEqual({ status: 200, body: { id: expect.stringMatching(/^id:/), path: '/Ctl/notes.txt', rev: expect.any(String), size: 5, modified: '2024-05-06T07:08:09Z' } });
    const modified = await control(emulator, 'files', { path: '/ctl/NOTES.txt', size: 1234 });
    expect(modified.body).toMatchObject({ id: added.body.id, path: '/Ctl/notes.txt', size: 1234 });
    expect(modified.body.rev).not.toBe(added.body.rev);
    expect((await listFolder(emulator, token, { path: '/Ctl' })).entries.map((entry) => [entry.name, entry.size])).toEqual([['notes.txt', 1234]]);
  });

  test('when a path is deleted, then it is gone, and deleting it again says there was nothing', async () => {
    await control(emulator, 'files', { path: '/Ctl/bin/old.txt', content: 'x' });
    expect(await control(emulator, 'delete', { path: '/Ctl/bin' })).toEqual({ status: 200, body: { deleted: true } });
    expect(await control(emulator, 'delete', { path: '/Ctl/bin' })).toEqual({ status: 200, body: { deleted: false } });
    expect((await rpc(emulator, 'files/get_metadata', token, { path: '/Ctl/bin' })).status).toBe(409);
  });

  test('when an account is added and signed in, then the next sign-in gets its Dropbox, and files can be posted to it', async () => {
    const added = await control(emulator, 'accounts', { givenName: 'Cleo', surname: 'Camera', email: 'cleo@example.com' });
    expect(added.status).toBe(200);
    const { accountId } = added.body;
    expect(accountId).toMatch(/^dbid:[A-Za-z0-9_-]{35}$/);
    await control(emulator, 'files', { path: '/Mine.txt', content: 'cleo', accountId });
    expect(await control(emulator, 'sign-in', { accountId })).toEqual({ status: 200, body: { accountId } });
    try {
      const authorize = await fetch(`${emulator.url}/oauth2/authorize?client_id=${emulator.app.key}&response_type=code`);
      const code = /<code>([^<]+)<\/code>/.exec(await authorize.text())?.[1] as string;
      const exchange = await fetch(`${emulator.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: emulator.app.key, client_secret: emulator.app.secret }),
      });
      const cleo = ((await exchange.json()) as { access_token: string }).access_token;
      expect((await listFolder(emulator, cleo, { path: '' })).entries.map((entry) => entry.name)).toEqual(['Mine.txt']);
    } finally {
      emulator.signInAs(emulator.defaultAccount.accountId);
    }
  });

  test('when a plain folder of numbered items is asked for, then it holds item 1.txt to item <count>.txt', async () => {
    expect(await control(emulator, 'folder', { path: '/Items', count: 3 })).toEqual({ status: 200, body: { ok: true, count: 3 } });
    expect((await listFolder(emulator, token, { path: '/Items' })).entries.map((entry) => entry.name)).toEqual(['item 1.txt', 'item 2.txt', 'item 3.txt']);
  });

  test('when the bodies are wrong, then the answer is 400 with what is wrong', async () => {
    expect((await control(emulator, 'files', { path: '/x.txt' })).body).toEqual({ error: 'a file needs "content" (a string) or "size" (bytes)' });
    expect((await control(emulator, 'sign-in', { accountId: 'dbid:nobody' })).status).toBe(400);
    expect((await control(emulator, 'accounts', { givenName: 'No', surname: 'Mail' })).status).toBe(400);
    expect((await control(emulator, 'latency', { perEntryMs: -1 })).status).toBe(400);
  });

  test('when calls are counted, then /calls answers how many the journal holds for a route', async () => {
    const before = (await control(emulator, 'calls?route=files%2Flist_folder')).body.count;
    await listFolder(emulator, token, { path: '' });
    expect((await control(emulator, 'calls?route=files%2Flist_folder')).body).toEqual({ count: before + 1 });
  });

  test('when tokens are expired over the control API, then the next call is 401 expired_access_token', async () => {
    const fresh = await tokenFor(emulator);
    await control(emulator, 'expire-tokens', {});
    const answer = await rpc(emulator, 'files/list_folder', fresh, { path: '' });
    expect([answer.status, answer.body.error]).toEqual([401, { '.tag': 'expired_access_token' }]);
  });

  test('when the control API is off, then /__emulator is not there', async () => {
    const plain = await startEmulator();
    try {
      expect((await fetch(`${plain.url}/__emulator/files`, { method: 'POST' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
