import { RedisConnection } from '../../src/redis/connection';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { secondsToLive, sessionIdOf, startStack, type Stack } from '../support/stack';

/**
 * Hardening (issue 11, items 2, 3 and 6): anonymous requests store nothing; a sign-in's session
 * lives minutes and never pushes out connected people; disconnecting is never rate-limited;
 * a sign-in set off by another site is confirmed, and a connected person is not signed in again.
 */

async function keysOf(stack: Stack): Promise<string[]> {
  const redis = RedisConnection.single({ url: stack.config.redisUrl });
  await redis.connect();
  try {
    return await redis.command<string[]>(undefined, true, ['KEYS', `${stack.namespace}*`]);
  } finally {
    await redis.close();
  }
}

describe('Anonymous requests and sign-in starts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_RATE_LIMIT: '6' } });
  });
  afterAll(async () => stack.close());

  test('when cookieless requests reach every protected route, then nothing is stored for them', async () => {
    const before = await keysOf(stack);
    const requests: [string, Record<string, string>][] = [
      ['/browse/Photos', { Accept: 'text/html', 'Sec-Fetch-Dest': 'document' }],
      ['/browse/Photos', { Accept: 'application/json' }],
      ['/file/Documents/Notes.md', { Accept: 'text/html' }],
      ['/download/Documents/Notes.md', { Accept: 'text/html' }],
      ['/search?q=beach', { Accept: 'text/html' }],
      ['/search?q=beach', { Accept: 'application/json' }],
      ['/thumbnail/Photos/Family.jpg?size=w256h256', { Accept: 'image/avif,image/webp,*/*', 'Sec-Fetch-Dest': 'image' }],
      ['/events/browse/Photos', { Accept: 'text/event-stream' }],
    ];
    for (let round = 0; round < 25; round += 1) {
      for (const [path, headers] of requests) {
        const response = await fetch(`${stack.url}${path}`, { headers, redirect: 'manual' });
        expect([302, 401]).toContain(response.status);
        expect(response.headers.get('set-cookie')).toBeNull();
      }
    }
    expect(await keysOf(stack)).toEqual(before);
  });

  test('when a page asks for a connection, then the page to come back to travels in the address, not in a session', async () => {
    const response = await fetch(`${stack.url}/browse/Photos/2024%20Trip`, { headers: { Accept: 'text/html' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/auth/dropbox?return_to=%2Fbrowse%2FPhotos%2F2024%2520Trip');
  });

  test('when a sign-in starts, then its session lives ten minutes, not the twelve hours of a connected one', async () => {
    const start = await stack.agent().get('/auth/dropbox').expect(302);
    const cookie = sessionCookieOf(start) as string;
    const ttl = await secondsToLive(stack, `sess:${sessionIdOf(cookie)}`);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  test('when sign-ins from one address hit their limit, then a connected person there can still disconnect', async () => {
    const agent = stack.agent();
    await connect(agent);
    const page = await agent.get('/browse').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    let status = 302;
    while (status === 302) status = (await stack.agent().get('/auth/dropbox')).status;
    expect(status).toBe(429);
    await agent.post('/auth/logout').type('form').send({ _csrf: csrf }).expect(302).expect('Location', '/?disconnected=1');
  });
});

describe('Starting a sign-in', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  const exchanges = () => stack.emulator.calls('oauth2/token', 'authorization_code').length;

  test('when a connected person follows a link to /auth/dropbox, then they go to their folders and no second grant is made', async () => {
    const agent = stack.agent();
    await connect(agent);
    const before = exchanges();
    await agent.get('/auth/dropbox').expect(302).expect('Location', '/browse');
    await agent.get('/auth/dropbox?return_to=%2Fbrowse%2FPhotos').expect(302).expect('Location', '/browse/Photos');
    expect(exchanges()).toBe(before);
  });

  test.each(['cross-site', 'same-site'])("when another site's page starts a sign-in (Sec-Fetch-Site: %s), then the person is asked to confirm and nothing is started", async (site) => {
    const response = await fetch(`${stack.url}/auth/dropbox?return_to=%2Fbrowse%2FPhotos`, { headers: { 'Sec-Fetch-Site': site, Accept: 'text/html' }, redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    const page = await response.text();
    expect(page).toContain('A page on another site sent you here');
    expect(page).toContain('href="/auth/dropbox?return_to=%2Fbrowse%2FPhotos"');
  });

  test("when the person confirms from Dropview's own page (same-origin), then the sign-in starts", async () => {
    const response = await fetch(`${stack.url}/auth/dropbox`, { headers: { 'Sec-Fetch-Site': 'same-origin' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location') as string).pathname).toBe('/oauth2/authorize');
  });
});

describe('The embedded store under a flood of sign-in starts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sessions: 'embedded', embeddedLimits: { maxSessions: 50, maxPending: 20 } });
  });
  afterAll(async () => stack.close());

  test('when many more sign-ins start than the store holds, then connected people stay connected', async () => {
    const agent = stack.agent();
    await connect(agent);
    for (let n = 0; n < 200; n += 1) await stack.agent().get('/auth/dropbox').expect(302);
    await agent.get('/browse').expect(200);
  });
});
