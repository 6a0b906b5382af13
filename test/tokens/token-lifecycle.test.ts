import { connect } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, startStack, type Stack } from '../support/stack';

describe('Every Dropbox call gets a valid access token', () => {
  let stack: Stack;
  let clockOffsetMs = 0;
  beforeAll(async () => {
    stack = await startStack({ now: () => Date.now() + clockOffsetMs, env: EVERY_VIEW_CHECKS });
  });
  afterAll(async () => stack.close());
  beforeEach(() => {
    clockOffsetMs = 0;
  });

  const refreshes = () => stack.emulator.calls('oauth2/token', 'refresh_token').length;
  /** The last call that read a folder: its first listing, or the check of its index (list_folder/continue). */
  const folderReads = () => stack.emulator.journal.filter((call) => call.route === 'files/list_folder' || call.route === 'files/list_folder/continue');
  const lastListing = () => folderReads().pop();

  async function connectedAgent() {
    const agent = stack.agent();
    await connect(agent);
    await agent.get('/browse').expect(200);
    return agent;
  }

  test('when the stored expiry has passed, then the app refreshes first and calls Dropbox with the new token', async () => {
    const agent = await connectedAgent();
    const oldBearer = lastListing()?.bearer;
    const before = refreshes();
    clockOffsetMs = (14400 - 100) * 1000 + 1000;

    await agent.get('/browse').expect(200);

    expect(refreshes()).toBe(before + 1);
    const listing = lastListing();
    expect(listing?.status).toBe(200);
    expect(listing?.bearer).not.toBe(oldBearer);
  });

  test('when the stored expiry is still ahead, then no refresh happens', async () => {
    const agent = await connectedAgent();
    const before = refreshes();
    clockOffsetMs = (14400 - 100) * 1000 - 60_000;
    await agent.get('/browse').expect(200);
    expect(refreshes()).toBe(before);
  });

  test('when Dropbox answers 401 expired_access_token, then the app refreshes once and retries once', async () => {
    const agent = await connectedAgent();
    const refreshesBefore = refreshes();
    const listingsBefore = folderReads().length;
    stack.emulator.expireAccessTokens();

    await agent.get('/browse').expect(200);

    const listings = folderReads().slice(listingsBefore);
    expect(listings.map((call) => call.status)).toEqual([401, 200]);
    expect(refreshes()).toBe(refreshesBefore + 1);
  });

  test('when a token was refreshed, then the same refresh token keeps working for the next expiry (Dropbox does not rotate it)', async () => {
    const agent = await connectedAgent();
    const before = refreshes();
    stack.emulator.expireAccessTokens();
    await agent.get('/browse').expect(200);
    stack.emulator.expireAccessTokens();
    await agent.get('/browse').expect(200);

    const calls = stack.emulator.calls('oauth2/token', 'refresh_token').slice(before);
    expect(calls.map((call) => call.status)).toEqual([200, 200]);
  });

  test('when many requests of one session arrive at expiry, then one refresh serves them all', async () => {
    const agent = await connectedAgent();
    const before = refreshes();
    clockOffsetMs = 5 * 3_600_000;

    const responses = await Promise.all(Array.from({ length: 20 }, () => agent.get('/browse/Photos')));

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(refreshes()).toBe(before + 1);
  });

  test('when the user unlinked the app in Dropbox, then the refresh fails, the credentials are dropped and the page says to reconnect', async () => {
    const agent = await connectedAgent();
    stack.emulator.revokeAllGrants();
    clockOffsetMs = 5 * 3_600_000;

    const response = await agent.get('/browse').set('Accept', 'text/html');

    expect(response.status).toBe(401);
    expect(response.text).toContain('Please connect Dropbox again');
    expect(response.text).toContain('disconnected in your Dropbox settings');
    expect(response.text).toContain('href="/auth/dropbox"');
    expect(stack.emulator.calls('oauth2/token', 'refresh_token').pop()?.status).toBe(400);
    // The session no longer claims a connection: the next visit goes to connect.
    await agent.get('/browse').set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
  });

  test('when Dropbox answers 401 invalid_access_token, then the credentials are dropped without a refresh and JSON clients get 401', async () => {
    const agent = await connectedAgent();
    const before = refreshes();
    stack.emulator.revokeAllGrants();

    const response = await agent.get('/browse').set('Accept', 'application/json');

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('reconnect_required');
    expect(refreshes()).toBe(before);
    await agent.get('/browse').set('Accept', 'application/json').expect(401);
  });
});
