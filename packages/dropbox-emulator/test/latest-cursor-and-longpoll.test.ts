import type { DropboxEmulator } from '../src';
import { callsArrived, listContinue, listFolder, rpc, startEmulator, tokenFor } from './support/harness';

/** files/list_folder/get_latest_cursor and files/list_folder/longpoll (no Authorization). */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  token = await tokenFor(emulator);
});
afterAll(async () => emulator.close());

async function latestCursor(path: string, recursive = false): Promise<string> {
  const answer = await rpc(emulator, 'files/list_folder/get_latest_cursor', token, { path, recursive });
  expect(answer.status).toBe(200);
  expect(Object.keys(answer.body)).toEqual(['cursor']);
  return answer.body.cursor;
}

/** Starts a longpoll (the SDKs send no Authorization) and resolves with its answer. */
function longpoll(cursor: string): Promise<{ status: number; body: any }> {
  return fetch(`${emulator.url}/2/files/list_folder/longpoll`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cursor, timeout: 30 }) }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
  );
}

describe('get_latest_cursor: a cursor for "now"', () => {
  test('when a folder already holds files, then continue on its latest cursor returns only what changes afterwards', async () => {
    emulator.tree.addFile('/Now/old.txt', { content: 'old' });
    const cursor = await latestCursor('/Now');
    expect((await listContinue(emulator, token, cursor)).body).toEqual({ entries: [], cursor: expect.any(String), has_more: false });
    emulator.tree.addFile('/Now/new.txt', { content: 'new' });
    expect((await listContinue(emulator, token, cursor)).body.entries.map((entry) => entry.name)).toEqual(['new.txt']);
  });

  test('when the path is not a folder, then it answers as list_folder does', async () => {
    const missing = await rpc(emulator, 'files/list_folder/get_latest_cursor', token, { path: '/No such folder' });
    expect([missing.status, missing.body.error]).toEqual([409, { '.tag': 'path', path: { '.tag': 'not_found' } }]);
    expect((await rpc(emulator, 'files/list_folder/get_latest_cursor', token, { path: '/' })).status).toBe(400);
  });
});

describe('longpoll: waiting for a folder to change', () => {
  test('when a file is added to the folder behind a change-feed cursor, then the longpoll answers changes: true', async () => {
    emulator.tree.addFile('/Polled/a.txt', { content: 'a' });
    const listing = await listFolder(emulator, token, { path: '/Polled' });
    const before = emulator.calls('files/list_folder/longpoll').length;
    const answer = longpoll(listing.cursor);
    await callsArrived(emulator, 'files/list_folder/longpoll', before + 1);
    emulator.tree.addFile('/Polled/b.txt', { content: 'b' });
    expect(await answer).toEqual({ status: 200, body: { changes: true } });
    expect(emulator.calls('files/list_folder/longpoll').pop()?.bearer).toBeUndefined();
  });

  test('when every cursor is reset while a longpoll is held, then it answers changes: true and the next continue says reset', async () => {
    const listing = await listFolder(emulator, token, { path: '/Polled' });
    const before = emulator.calls('files/list_folder/longpoll').length;
    const answer = longpoll(listing.cursor);
    await callsArrived(emulator, 'files/list_folder/longpoll', before + 1);
    emulator.resetCursors();
    expect(await answer).toEqual({ status: 200, body: { changes: true } });
    const next = await listContinue(emulator, token, listing.cursor);
    expect([next.status, next.body.error]).toEqual([409, { '.tag': 'reset' }]);
  });

  test('when the folder changed already since the cursor, then the longpoll answers at once', async () => {
    const cursor = await latestCursor('/Polled');
    emulator.tree.modifyFile('/Polled/a.txt', { content: 'A' });
    expect(await longpoll(cursor)).toEqual({ status: 200, body: { changes: true } });
  });

  test('when another folder changes, then the longpoll keeps waiting', async () => {
    emulator.tree.addFolder('/Still');
    emulator.tree.addFolder('/Busy');
    const stillCursor = await latestCursor('/Still');
    const busyCursor = await latestCursor('/Busy');
    let stillAnswered = false;
    const before = emulator.calls('files/list_folder/longpoll').length;
    const still = longpoll(stillCursor).then((answer) => {
      stillAnswered = true;
      return answer;
    });
    await callsArrived(emulator, 'files/list_folder/longpoll', before + 1);
    const busy = longpoll(busyCursor);
    await callsArrived(emulator, 'files/list_folder/longpoll', before + 2);
    emulator.tree.addFile('/Busy/x.txt', { content: 'x' });
    // The busy folder's longpoll has heard the change; one more round trip later the quiet one still has not.
    expect((await busy).body).toEqual({ changes: true });
    await listFolder(emulator, token, { path: '/Still' });
    expect(stillAnswered).toBe(false);
    emulator.tree.addFile('/Still/y.txt', { content: 'y' });
    expect((await still).body).toEqual({ changes: true });
  });

  test('when a recursive cursor watches a folder, then a change deep inside wakes it', async () => {
    emulator.tree.addFolder('/Tree/a/b');
    const cursor = await latestCursor('/Tree', true);
    const before = emulator.calls('files/list_folder/longpoll').length;
    const answer = longpoll(cursor);
    await callsArrived(emulator, 'files/list_folder/longpoll', before + 1);
    emulator.tree.addFile('/Tree/a/b/deep.txt', { content: 'd' });
    expect((await answer).body).toEqual({ changes: true });
  });

  test('when the cursor was never issued, then the longpoll answers 409 reset', async () => {
    const answer = await longpoll('AAHnot-a-cursor');
    expect([answer.status, answer.body.error]).toEqual([409, { '.tag': 'reset' }]);
  });

  test('when the timeout is out of 30-480, then the answer is 400', async () => {
    const response = await fetch(`${emulator.url}/2/files/list_folder/longpoll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ cursor: 'x', timeout: 5 }),
    });
    expect(response.status).toBe(400);
  });
});
