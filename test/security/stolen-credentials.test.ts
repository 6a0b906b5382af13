import { RedisConnection } from '../../src/redis/connection';
import { refreshTokenWorks } from '../support/dropbox-wire';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, sessionIdOf, startStack, storedCredentials, type Stack } from '../support/stack';

/**
 * Hardening (issue 11, items 4 and 5): whoever can write to Redis cannot move one person's
 * sealed tokens into another session; credentials live as long as their session, and a grant
 * whose session lapsed is revoked at Dropbox.
 */

describe('Credentials at rest are bound to their session', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: EVERY_VIEW_CHECKS });
  });
  afterAll(async () => stack.close());

  test("when one session's sealed tokens are copied into another session's entry, then they do not open there", async () => {
    const victim = stack.agent();
    const victimCookie = sessionCookieOf((await connect(victim)).response) as string;
    const attacker = stack.agent();
    const attackerCookie = sessionCookieOf((await connect(attacker)).response) as string;
    await attacker.get('/browse').expect(200);

    const stolen = await storedCredentials(stack, victimCookie);
    const redis = RedisConnection.single({ url: stack.config.redisUrl });
    await redis.connect();
    try {
      const attackersKey = stack.sessions.credentials.keyOf(sessionIdOf(attackerCookie));
      await redis.command(attackersKey, false, ['HSET', attackersKey, ...Object.entries(stolen).flat()]);
    } finally {
      await redis.close();
    }

    const page = await attacker.get('/browse').set('Accept', 'text/html');
    expect(page.status).toBe(401);
    expect(page.text).toContain('could not be read');
  });

  test('when credentials are stored, then their key does not contain the session id from the cookie', async () => {
    const cookie = sessionCookieOf((await connect(stack.agent())).response) as string;
    const key = stack.sessions.credentials.keyOf(sessionIdOf(cookie));
    expect(key).not.toContain(sessionIdOf(cookie));
    expect(Object.keys(await storedCredentials(stack, cookie))).toContain('at');
  });
});

describe('Grants end with their session', () => {
  let stack: Stack;
  let clockOffsetMs = 0;
  beforeAll(async () => {
    stack = await startStack({ env: { SESSION_IDLE_TIMEOUT: '30m', SESSION_MAX_AGE: '8h' }, now: () => Date.now() + clockOffsetMs });
  });
  afterAll(async () => stack.close());
  afterEach(() => {
    clockOffsetMs = 0;
  });

  async function connectedRefreshToken() {
    const agent = stack.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    await agent.get('/browse').expect(200);
    return { agent, cookie, refreshToken: stack.emulator.tokens.issuedRefreshTokens().at(-1) as string };
  }

  test('when a session lapses without a logout, then the sweep revokes its grant at Dropbox and drops its credentials', async () => {
    const { cookie, refreshToken } = await connectedRefreshToken();
    expect(await stack.dropview.sweepGrants()).toBe(0);
    expect(await refreshTokenWorks(stack.emulator.url, stack.emulator.app, refreshToken)).toBe(true);

    clockOffsetMs = 31 * 60_000;
    expect(await stack.dropview.sweepGrants()).toBeGreaterThanOrEqual(1);
    expect(await refreshTokenWorks(stack.emulator.url, stack.emulator.app, refreshToken)).toBe(false);
    expect(await storedCredentials(stack, cookie)).toEqual({});
  });

  test('when a session is in use, then the sweep leaves its grant alone', async () => {
    const { refreshToken } = await connectedRefreshToken();
    clockOffsetMs = 29 * 60_000;
    await stack.dropview.sweepGrants();
    expect(await refreshTokenWorks(stack.emulator.url, stack.emulator.app, refreshToken)).toBe(true);
  });
});
