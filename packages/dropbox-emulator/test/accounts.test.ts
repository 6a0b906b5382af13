import type { DropboxEmulator, EmulatedAccount } from '../src';
import { listFolder, listContinue, rpc, startEmulator, tokenFor } from './support/harness';

/** Several accounts, each with its own Dropbox, and grants that work for their own account only. */

let emulator: DropboxEmulator;
let bob: EmulatedAccount;
let dana: string;
let bobs: string;
beforeAll(async () => {
  emulator = await startEmulator();
  bob = emulator.addAccount({ givenName: 'Bob', surname: 'Builder', email: 'bob@example.com' });
  emulator.tree.addFile('/Shared name/dana.txt', { content: "Dana's" });
  bob.tree.addFile('/Shared name/bob.txt', { content: "Bob's" });
  dana = await tokenFor(emulator);
  bobs = await tokenFor(emulator, bob.accountId);
});
afterAll(async () => emulator.close());

describe('Accounts: each with its own Dropbox', () => {
  test('when an account is added without an id, then it gets a 40-character dbid: id of its own', () => {
    expect(bob.accountId).toMatch(/^dbid:[A-Za-z0-9_-]{35}$/);
    expect(bob.accountId).not.toBe(emulator.defaultAccount.accountId);
    expect(() => emulator.addAccount({ accountId: 'dbid:short', givenName: 'X', surname: 'Y', email: 'x@example.com' })).toThrow(/40 characters/);
  });

  test('when two accounts have the same folder path, then each sees its own files', async () => {
    expect((await listFolder(emulator, dana, { path: '/Shared name' })).entries.map((entry) => entry.name)).toEqual(['dana.txt']);
    expect((await listFolder(emulator, bobs, { path: '/Shared name' })).entries.map((entry) => entry.name)).toEqual(['bob.txt']);
  });

  test("when one account continues another's cursor, then the answer is 409 reset", async () => {
    const danas = await listFolder(emulator, dana, { path: '/Shared name' });
    const answer = await listContinue(emulator, bobs, danas.cursor);
    expect([answer.status, answer.body.error]).toEqual([409, { '.tag': 'reset' }]);
    expect((await listContinue(emulator, dana, danas.cursor)).status).toBe(200);
  });

  test("when get_current_account is called, then it answers for the token's account", async () => {
    const account = (await rpc(emulator, 'users/get_current_account', bobs)).body;
    expect(account).toMatchObject({ account_id: bob.accountId, email: 'bob@example.com', name: { given_name: 'Bob', surname: 'Builder', display_name: 'Bob Builder' } });
    expect(account.root_info.home_namespace_id).not.toBe((await rpc(emulator, 'users/get_current_account', dana)).body.root_info.home_namespace_id);
  });

  test("when a code is exchanged, then the token and the answer's account_id are the signed-in account's", async () => {
    emulator.signInAs(bob.accountId);
    try {
      // Without a redirect_uri, Dropbox shows the code on the page.
      const page = await (await fetch(`${emulator.url}/oauth2/authorize?client_id=${emulator.app.key}&response_type=code`, { redirect: 'manual' })).text();
      const code = /<code>([^<]+)<\/code>/.exec(page)?.[1] as string;
      const exchange = await fetch(`${emulator.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: emulator.app.key, client_secret: emulator.app.secret }),
      });
      expect(((await exchange.json()) as { account_id: string }).account_id).toBe(bob.accountId);
    } finally {
      emulator.signInAs(emulator.defaultAccount.accountId);
    }
  });

  test('when the consent page is shown, then it names the signed-in account', async () => {
    emulator.autoApprove = false;
    emulator.signInAs(bob.accountId);
    try {
      const page = await (await fetch(`${emulator.url}/oauth2/authorize?client_id=${emulator.app.key}&response_type=code`)).text();
      expect(page).toContain('bob@example.com');
    } finally {
      emulator.autoApprove = true;
      emulator.signInAs(emulator.defaultAccount.accountId);
    }
  });

  test('when a temporary link or a search cursor of one account is used with another, then it serves nothing of the other', async () => {
    const link = (await rpc(emulator, 'files/get_temporary_link', bobs, { path: '/Shared name/bob.txt' })).body.link as string;
    expect(await (await fetch(link)).text()).toBe("Bob's");
    expect((await rpc(emulator, 'files/get_temporary_link', dana, { path: '/Shared name/bob.txt' })).status).toBe(409);

    for (let n = 0; n < 3; n += 1) bob.tree.addFile(`/Finds/match ${n}.txt`, { content: String(n) });
    const search = (await rpc(emulator, 'files/search_v2', bobs, { query: 'match', options: { max_results: 1 } })).body;
    expect(search.has_more).toBe(true);
    expect((await rpc(emulator, 'files/search/continue_v2', dana, { cursor: search.cursor })).status).toBe(400);
    expect((await rpc(emulator, 'files/search/continue_v2', bobs, { cursor: search.cursor })).status).toBe(200);
  });

  test("when one account is rate-limited, then another account's calls still go through", async () => {
    emulator.setRandomFaults({ serverErrorRate: 0, rateLimitRate: 1, retryAfter: 60 });
    const limited = await rpc(emulator, 'users/get_space_usage', bobs);
    emulator.setRandomFaults({ serverErrorRate: 0, rateLimitRate: 0, retryAfter: 60 });
    try {
      expect(limited.status).toBe(429);
      // Bob's window is open for 60 s; Dana's calls are not in it.
      expect((await rpc(emulator, 'users/get_space_usage', bobs)).status).toBe(429);
      expect((await rpc(emulator, 'users/get_space_usage', dana)).status).toBe(200);
    } finally {
      emulator.clearFaults();
      bob.rateLimitedUntil.clear();
    }
  });

  test('when the tokens are looked at, then each is bound to the account it was issued for', () => {
    expect(emulator.tokens.checkAccessToken(bobs)).toMatchObject({ ok: true, accountId: bob.accountId });
    expect(emulator.tokens.checkAccessToken(dana)).toMatchObject({ ok: true, accountId: emulator.defaultAccount.accountId });
  });
});
