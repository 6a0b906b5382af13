import { randomBytes } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { Response } from 'supertest';
import type { DropboxEmulator } from '@dropview/dropbox-emulator';
import { csrfTokenOf } from '../support/html';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, startEmulator, startStack, storedCredentials, storedSession, type Stack } from '../support/stack';

/**
 * Tokens under concurrency: two app instances share one Redis and one emulator, as two
 * processes behind a load balancer would. Each instance has its own in-process state, so
 * anything they agree on went through Redis.
 */
describe('Tokens hold under concurrency and across instances', () => {
  let emulator: DropboxEmulator;
  let instanceA: Stack;
  let instanceB: Stack;
  let clockOffsetMs = 0;
  let bOffsetMs = 0;
  const now = () => Date.now() + clockOffsetMs;

  beforeAll(async () => {
    emulator = await startEmulator();
    const namespace = `test:${randomBytes(6).toString('hex')}:`;
    instanceA = await startStack({ emulator, namespace, now, env: EVERY_VIEW_CHECKS });
    instanceB = await startStack({ emulator, namespace, now: () => now() + bOffsetMs, env: { ...EVERY_VIEW_CHECKS, BASE_URL: instanceA.url } });
  });
  afterAll(async () => {
    await instanceA.close();
    await instanceB.close();
    await emulator.close();
  });
  afterEach(() => {
    clockOffsetMs = 0;
    bOffsetMs = 0;
    emulator.setLatency(0, 'oauth2/token');
    emulator.setLatency(0, 'files/list_folder');
  });

  const refreshes = () => emulator.calls('oauth2/token', 'refresh_token').length;
  /** supertest sends nothing until awaited; a race needs the request on the wire now. */
  const sendNow = (request: PromiseLike<Response>) => request.then((response) => response);

  async function connectedCookie(): Promise<string> {
    const agent = instanceA.agent();
    const { response } = await connect(agent);
    await agent.get('/browse').expect(200);
    return sessionCookieOf(response) as string;
  }

  function burst(cookie: string, count: number, instances: Stack[]) {
    return Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const response = await instances[index % instances.length].agent().get('/browse/Photos').set('Cookie', cookie).set('Accept', 'application/json');
        return { status: response.status };
      }),
    );
  }

  test('when 50 requests of one session arrive at expiry on one instance, then Dropbox sees one refresh and every request is answered (npm run bench, B4, measures the wait)', async () => {
    const cookie = await connectedCookie();
    emulator.setLatency(200, 'oauth2/token');
    clockOffsetMs = 5 * 3_600_000;
    const before = refreshes();

    const results = await burst(cookie, 50, [instanceA]);

    expect(results.map((result) => result.status)).toEqual(Array(50).fill(200));
    expect(refreshes()).toBe(before + 1);
  });

  test('when 50 requests of one session arrive at expiry spread over two instances, then Dropbox still sees one refresh', async () => {
    const cookie = await connectedCookie();
    emulator.setLatency(200, 'oauth2/token');
    clockOffsetMs = 5 * 3_600_000;
    const before = refreshes();

    const results = await burst(cookie, 50, [instanceA, instanceB]);

    expect(results.map((result) => result.status)).toEqual(Array(50).fill(200));
    expect(refreshes()).toBe(before + 1);
  });

  test('when Dropbox says "expired" to requests on both instances at once, then one refresh serves both', async () => {
    const cookie = await connectedCookie();
    emulator.setLatency(150, 'oauth2/token');
    emulator.expireAccessTokens();
    const before = refreshes();

    const results = await burst(cookie, 20, [instanceA, instanceB]);

    expect(results.map((result) => result.status)).toEqual(Array(20).fill(200));
    expect(refreshes()).toBe(before + 1);
  });

  test('when a slow request that began before a refresh finishes after it, then the refreshed credentials survive', async () => {
    const cookie = await connectedCookie();
    const original = await storedCredentials(instanceA, cookie);
    emulator.setLatency(600, 'files/list_folder');

    // A: a slow listing on instance A with the old token, started first.
    const listing = emulator.nextCall('files/list_folder');
    const slow = sendNow(instanceA.agent().get('/browse/Documents').set('Cookie', cookie));
    await listing; // A's listing is at Dropbox, with the old token
    // B: on instance B the token is due, so B refreshes while A is still in flight.
    clockOffsetMs = 5 * 3_600_000;
    await instanceB.agent().get('/download/Documents/Notes.md').set('Cookie', cookie).expect(302);
    const refreshed = await storedCredentials(instanceA, cookie);
    expect(refreshed.v).not.toBe(original.v);
    expect((await slow).status).toBe(200);

    const after = await storedCredentials(instanceA, cookie);
    expect(after).toEqual(refreshed);
    const before = refreshes();
    emulator.setLatency(0, 'files/list_folder');
    await instanceA.agent().get('/browse').set('Cookie', cookie).expect(200);
    expect(refreshes()).toBe(before);
  });

  /**
   * Instance B's clock says the token is due, so a request on B refreshes, slowly; A's clock
   * does not, so a logout on A goes ahead meanwhile without waiting for B.
   */
  async function logoutWhileBRefreshes(): Promise<{ cookie: string; late: Response }> {
    const agent = instanceA.agent();
    const { response } = await connect(agent);
    const cookie = sessionCookieOf(response) as string;
    const csrf = csrfTokenOf((await agent.get('/browse').expect(200)).text);
    bOffsetMs = 5 * 3_600_000;
    emulator.setLatency(500, 'oauth2/token');

    const refreshing = emulator.nextCall('oauth2/token');
    const inFlight = sendNow(instanceB.agent().get('/browse/Photos').set('Cookie', cookie).set('Accept', 'application/json'));
    await refreshing; // B's refresh is at Dropbox
    await instanceA.agent().post('/auth/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf }).expect(302);
    return { cookie, late: await inFlight };
  }

  test('when a request is still in flight as the user logs out, then neither the session nor its credentials come back', async () => {
    const { cookie, late } = await logoutWhileBRefreshes();

    expect(late.status).toBe(401);
    // Proving that nothing is written late needs a window in which a late write would land.
    await setTimeout(100);
    expect(await storedSession(instanceA, cookie)).toEqual({ ended: true });
    expect(await storedCredentials(instanceA, cookie)).toEqual({});
    await instanceB.agent().get('/browse').set('Cookie', cookie).set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
  });

  test('when the revoke at logout fails and an in-flight refresh then succeeds, then the refreshed credentials are not written back', async () => {
    emulator.injectFault('auth/token/revoke', { kind: 'server_error' });
    const refreshesBefore = refreshes();

    const { cookie, late } = await logoutWhileBRefreshes();

    // The refresh itself succeeded at Dropbox; only writing its result was refused.
    expect(
      emulator
        .calls('oauth2/token', 'refresh_token')
        .slice(refreshesBefore)
        .map((call) => call.status),
    ).toEqual([200]);
    expect(late.status).toBe(401);
    expect(await storedCredentials(instanceA, cookie)).toEqual({});
    expect(await storedSession(instanceA, cookie)).toEqual({ ended: true });
  });
});
