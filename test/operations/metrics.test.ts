import { randomBytes } from 'node:crypto';
import { openEventStream } from '../support/event-stream';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { moved, scrape, seriesOf, TEST_METRICS_TOKEN, type Scrape } from '../support/metrics';
import { EVERY_VIEW_CHECKS, sessionIdOf, startStack, withConnectedUser, type Stack } from '../support/stack';

/**
 * What an operator scrapes from GET /metrics (src/telemetry/prometheus.ts): each counter moves
 * by what happened, and no label ever carries what a person owns (a path, a file name, the
 * account) or a secret.
 */

const HTTP = 'dropview_http_request_duration_seconds_count';
const CALLS = 'dropview_dropbox_calls_total';
const INDEX = 'dropview_folder_index_operations_total';
const BROWSE = { method: 'GET', route: '/browse{/*splat}', status: '200' };

/** Names a shared folder could hand us that would break a naive exposition: quotes, braces, a fake label, a newline. */
const LABEL_BREAKERS = ['evil"} x="1" {.txt', 'line\nbreak x="1".txt', "back\\slash'n.txt"];

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Prometheus metrics', () => {
  const user = withConnectedUser({ env: { ...EVERY_VIEW_CHECKS, METRICS_TOKEN: TEST_METRICS_TOKEN } });
  const tree = () => user.stack.emulator.tree;

  test('when a folder is viewed for the first time and again, then both views, one full read, one hit and one delta check are counted', async () => {
    tree().addFile('/Metered/one.txt', { content: '1' });
    const before = await scrape(user.stack);
    await user.agent.get('/browse/Metered').expect(200);
    const afterFirst = await scrape(user.stack);
    await user.agent.get('/browse/Metered').expect(200);
    const afterSecond = await scrape(user.stack);

    expect(moved(before, afterFirst, HTTP, BROWSE)).toBe(1);
    expect(moved(before, afterFirst, INDEX, { kind: 'full_read' })).toBe(1);
    expect(moved(before, afterFirst, CALLS, { route: 'files/list_folder', status: '200' })).toBe(1);

    expect(moved(afterFirst, afterSecond, HTTP, BROWSE)).toBe(1);
    expect(moved(afterFirst, afterSecond, INDEX, { kind: 'full_read' })).toBe(0);
    expect(moved(afterFirst, afterSecond, INDEX, { kind: 'hit' })).toBe(1);
    expect(moved(afterFirst, afterSecond, INDEX, { kind: 'delta_check' })).toBe(1);
    expect(moved(afterFirst, afterSecond, CALLS, { route: 'files/list_folder/continue', status: '200' })).toBe(1);
    expect(moved(afterFirst, afterSecond, 'dropview_dropbox_call_duration_seconds_count', { route: 'files/list_folder/continue' })).toBe(1);
    expect(afterSecond.value('dropview_folder_index_entries_held')).toBeGreaterThanOrEqual(1);
    expect(afterSecond.value('dropview_folder_index_stored_bytes')).toBeGreaterThan(0);
  });

  test('when the access token has expired, then one refresh is counted: started, lock won, no wait, no failure', async () => {
    tree().addFile('/Refreshing/one.txt', { content: '1' });
    await user.agent.get('/browse/Refreshing').expect(200);
    user.stack.emulator.expireAccessTokens();
    const before = await scrape(user.stack);
    await user.agent.get('/browse/Refreshing').expect(200);
    const after = await scrape(user.stack);

    expect(moved(before, after, 'dropview_token_refreshes_started_total')).toBe(1);
    expect(moved(before, after, 'dropview_token_refresh_locks_won_total')).toBe(1);
    expect(moved(before, after, 'dropview_token_refresh_waits_total')).toBe(0);
    expect(moved(before, after, 'dropview_token_refresh_failures_total')).toBe(0);
    expect(moved(before, after, CALLS, { route: 'oauth2/token', status: '200' })).toBe(1);
    expect(moved(before, after, CALLS, { route: 'files/list_folder/continue', status: '401', error: 'expired_access_token' })).toBe(1);
    expect(moved(before, after, CALLS, { route: 'files/list_folder/continue', status: '200' })).toBe(1);
  });

  test('when the refresh token was revoked, then the refresh failure is counted with its reason', async () => {
    let clockOffsetMs = 0;
    const stack = await startStack({ env: { ...EVERY_VIEW_CHECKS, METRICS_TOKEN: TEST_METRICS_TOKEN }, now: () => Date.now() + clockOffsetMs });
    try {
      const agent = stack.agent();
      await connect(agent);
      await agent.get('/browse').expect(200);
      // Past the access token's expiry (4 hours), so the next view refreshes first; Dropbox refuses the revoked grant.
      clockOffsetMs = 5 * 3_600_000;
      stack.emulator.revokeAllGrants();
      const before = await scrape(stack);
      await agent.get('/browse/Photos').set('Accept', 'application/json').expect(401);
      const after = await scrape(stack);
      expect(moved(before, after, 'dropview_token_refreshes_started_total')).toBe(1);
      expect(moved(before, after, 'dropview_token_refresh_failures_total', { reason: 'invalid_grant' })).toBe(1);
      expect(moved(before, after, CALLS, { route: 'oauth2/token', status: '400', error: 'invalid_grant' })).toBe(1);
    } finally {
      await stack.close();
    }
  });

  test('when two instances refresh one session at once, then one wins the lock and the other is counted waiting for it', async () => {
    const namespace = `test:${randomBytes(6).toString('hex')}:`;
    const env = { ...EVERY_VIEW_CHECKS, METRICS_TOKEN: TEST_METRICS_TOKEN };
    const first = await startStack({ namespace, env });
    const second = await startStack({ namespace, emulator: first.emulator, env: { ...env, BASE_URL: first.url } });
    try {
      const agent = first.agent();
      const cookie = sessionCookieOf((await connect(agent)).response) as string;
      await agent.get('/browse/Photos').expect(200);
      await second.agent().get('/browse/Photos').set('Cookie', cookie).expect(200);
      first.emulator.expireAccessTokens();
      // The winner's refresh takes a while, so the other instance finds the lock held.
      first.emulator.setLatency(300, 'oauth2/token');
      const before = await Promise.all([scrape(first), scrape(second)]);
      const views = await Promise.all([first, second].map(async (stack) => (await stack.agent().get('/browse/Photos').set('Cookie', cookie).set('Accept', 'application/json')).status));
      const after = await Promise.all([scrape(first), scrape(second)]);
      const total = (name: string) => moved(before[0], after[0], name) + moved(before[1], after[1], name);

      expect(views).toEqual([200, 200]);
      expect(total('dropview_token_refreshes_started_total')).toBe(2);
      expect(total('dropview_token_refresh_locks_won_total')).toBe(1);
      expect(total('dropview_token_refresh_waits_total')).toBe(1);
      expect(total('dropview_token_refresh_failures_total')).toBe(0);
      expect(moved(before[0], after[0], CALLS, { route: 'oauth2/token' }) + moved(before[1], after[1], CALLS, { route: 'oauth2/token' })).toBe(1);
    } finally {
      first.emulator.setLatency(0, 'oauth2/token');
      await second.close();
      await first.close();
    }
  });

  test('when Dropbox answers 429 with a short wait, then the 429, the wait, the retry and the call that then succeeded are counted', async () => {
    tree().addFile('/Limited/one.txt', { content: '1' });
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 1 });
    const before = await scrape(user.stack);
    await user.agent.get('/browse/Limited').expect(200);
    const after = await scrape(user.stack);

    expect(moved(before, after, CALLS, { route: 'files/list_folder', status: '429', error: 'too_many_requests' })).toBe(1);
    expect(moved(before, after, CALLS, { route: 'files/list_folder', status: '200' })).toBe(1);
    expect(moved(before, after, 'dropview_dropbox_retries_total', { route: 'files/list_folder', reason: 'rate_limited' })).toBe(1);
    expect(moved(before, after, 'dropview_dropbox_retries_total', { reason: 'server_error' })).toBe(0);
    expect(moved(before, after, 'dropview_dropbox_rate_limit_wait_seconds_total', { route: 'files/list_folder' })).toBe(1);
  });

  test("when a file's content is read and a preview fails once with 503, then the content calls, the 503 and its retry are counted", async () => {
    tree().addFile('/Content/notes.txt', { content: 'hello' });
    tree().addFile('/Content/Letter.docx', { content: 'not really a document' });
    const before = await scrape(user.stack);
    await user.agent.get('/file/Content/notes.txt').expect(200);
    user.stack.emulator.injectFault('files/get_preview', { kind: 'server_error', status: 503 });
    await user.agent.get('/preview/Content/Letter.docx').expect(200);
    const after = await scrape(user.stack);

    expect(moved(before, after, CALLS, { route: 'files/download', status: '200' })).toBe(1);
    expect(moved(before, after, CALLS, { route: 'files/get_preview', status: '503' })).toBe(1);
    expect(moved(before, after, CALLS, { route: 'files/get_preview', status: '200' })).toBe(1);
    expect(moved(before, after, 'dropview_dropbox_retries_total', { route: 'files/get_preview', reason: 'server_error' })).toBe(1);
  });

  test('when an event stream is open, then it and its longpoll are counted, beside the limit; when it closes, neither is', async () => {
    tree().addFile('/Watched/one.txt', { content: '1' });
    await user.agent.get('/browse/Watched').expect(200);
    const stream = openEventStream(`${user.stack.url}/events/browse/Watched`, user.cookie);
    try {
      await stream.opened;
      await until(async () => (await scrape(user.stack)).value('dropview_dropbox_longpolls_held') === 1, 'the longpoll to be counted');
      const open = await scrape(user.stack);
      expect(open.value('dropview_event_streams_open')).toBe(1);
      expect(open.value('dropview_event_streams_limit')).toBe(user.stack.config.eventStreams.perInstance);
    } finally {
      stream.close();
    }
    await until(async () => (await scrape(user.stack)).value('dropview_event_streams_open') === 0, 'the stream to be forgotten');
    await until(async () => (await scrape(user.stack)).value('dropview_dropbox_longpolls_held') === 0, 'the longpoll to end');
  });

  test('when files have hostile names and the user browses, opens, downloads and searches them, then no label holds a name, a path, the account or a secret', async () => {
    for (const name of LABEL_BREAKERS) tree().addFile(`/Hostile/${name}`, { content: 'harmless' });
    await user.agent.get('/browse/Hostile').expect(200);
    for (const name of LABEL_BREAKERS) {
      const address = encodeURIComponent(name);
      // A name with a line break is refused as an address (400) before anything is asked of Dropbox; /browse of a file sends to /file.
      const status = name.includes('\n') ? 400 : 200;
      await user.agent.get(`/file/Hostile/${address}`).expect(status);
      await user.agent.get(`/download/Hostile/${address}`).expect(status === 200 ? 302 : 400);
      await user.agent.get(`/browse/Hostile/${address}`).expect(status === 200 ? 302 : 400);
    }
    await user.agent.get(`/search?q=${encodeURIComponent('x="1"')}`).expect(200);
    await user.agent.get(`/${encodeURIComponent('x="1"')}`).expect(404);
    const { text, series } = await scrape(user.stack);

    // The exposition still parses line by line: nothing broke out of a label.
    expect(seriesOf(text).length).toBe(series.length);
    const account = user.stack.emulator.defaultAccount;
    for (const secret of ['x="1"', 'evil', 'Hostile', 'break', 'back\\', account.accountId, account.email, account.surname, sessionIdOf(user.cookie), TEST_METRICS_TOKEN]) {
      expect(text).not.toContain(secret);
    }
    const routes = new Set(series.filter((one) => one.name === HTTP).map((one) => one.labels.route));
    for (const route of routes)
      expect([
        '/browse{/*splat}',
        '/events/browse{/*splat}',
        '/file/*splat',
        '/download/*splat',
        '/content/*splat',
        '/preview/*splat',
        '/zip/*splat',
        '/thumbnail/*splat',
        '/search',
        '/metrics',
        '/auth/dropbox',
        '/auth/dropbox/callback',
        'unmatched',
      ]).toContain(route);
    expect(routes).toContain('unmatched');
    for (const one of series) for (const value of Object.values(one.labels)) expect(value).toMatch(/^[A-Za-z0-9_./{}*:+ -]*$/);
  });

  test('when a page fails, a static file is served or no route matches, then each is counted under its template, its mount point or "unmatched"', async () => {
    const before = await scrape(user.stack);
    await user.agent.get('/browse/No%20such%20folder').expect(404);
    await user.agent.get('/public/style.css').expect(200);
    await user.agent.get('/no/such/page').expect(404);
    const after = await scrape(user.stack);
    expect(moved(before, after, HTTP, { route: '/browse{/*splat}', status: '404' })).toBe(1);
    expect(moved(before, after, HTTP, { route: '/public', status: '200' })).toBe(1);
    expect(moved(before, after, HTTP, { route: 'unmatched', status: '404' })).toBe(1);
    expect(moved(before, after, CALLS, { route: 'files/list_folder', status: '409', error: 'path/not_found' })).toBe(1);
  });

  test('when a person connects Dropbox, then one session created is counted', async () => {
    const before = await scrape(user.stack);
    await connect(user.stack.agent());
    const after = await scrape(user.stack);
    expect(moved(before, after, 'dropview_sessions_created_total')).toBe(1);
    expect(moved(before, after, HTTP, { route: '/auth/dropbox/callback', status: '302' })).toBe(1);
  });

  test('when metrics are on, then Node process metrics (event-loop lag, heap, GC) are in the scrape', async () => {
    const scraped = await scrape(user.stack);
    const names = new Set(scraped.series.map((one) => one.name));
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) expect(names).toContain(name);
    expect(scraped.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(scraped.text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });
});

describe('Prometheus metrics of quiet folders', () => {
  let stack: Stack;
  let clockAheadMs = 0;
  beforeAll(async () => {
    stack = await startStack({ env: { METRICS_TOKEN: TEST_METRICS_TOKEN }, now: () => Date.now() + clockAheadMs });
  });
  afterAll(async () => stack.close());

  test('when a folder is viewed again while its longpoll is quiet, then the view is counted as quiet, no Dropbox call is, and the longpoll is held', async () => {
    stack.emulator.tree.addFile('/Quietly/one.txt', { content: '1' });
    const agent = stack.agent();
    await connect(agent);
    const watching = stack.emulator.nextCall('files/list_folder/longpoll');
    await agent.get('/browse/Quietly').expect(200);
    await watching;
    // Time for the longpoll to have reached Dropbox (src/folders/quiet-folders.ts).
    clockAheadMs += 1000;
    const before = await scrape(stack);
    await agent.get('/browse/Quietly').expect(200);
    const after = await scrape(stack);

    expect(moved(before, after, INDEX, { kind: 'quiet' })).toBe(1);
    expect(moved(before, after, INDEX, { kind: 'hit' })).toBe(1);
    expect(moved(before, after, INDEX, { kind: 'delta_check' })).toBe(0);
    expect(moved(before, after, CALLS)).toBe(0);
    expect(after.value('dropview_dropbox_longpolls_held')).toBe(1);
  });
});

describe('Who may scrape /metrics', () => {
  let withToken: Stack;
  let withoutToken: Stack;
  beforeAll(async () => {
    [withToken, withoutToken] = await Promise.all([startStack({ env: { METRICS_TOKEN: TEST_METRICS_TOKEN } }), startStack()]);
  });
  afterAll(async () => Promise.all([withToken?.close(), withoutToken?.close()]));

  const get = (stack: Stack, authorization?: string) => fetch(`${stack.url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });

  test('when METRICS_TOKEN is not set, then /metrics is an unknown address, with or without a token', async () => {
    expect((await get(withoutToken)).status).toBe(404);
    expect((await get(withoutToken, `Bearer ${TEST_METRICS_TOKEN}`)).status).toBe(404);
  });

  test('when no Authorization header is sent, then /metrics answers 404 like an unknown address', async () => {
    const response = await get(withToken);
    expect(response.status).toBe(404);
    const unknown = await fetch(`${withToken.url}/no-such-page`);
    expect(await response.text()).toBe(await unknown.text());
  });

  test('when a wrong token, a prefix of the token, the token without "Bearer" or as Basic is sent, then /metrics answers 404 and shows nothing', async () => {
    for (const authorization of [
      'Bearer wrong',
      `Bearer ${TEST_METRICS_TOKEN.slice(0, -1)}`,
      `Bearer ${TEST_METRICS_TOKEN}x`,
      TEST_METRICS_TOKEN,
      `Basic ${Buffer.from(`x:${TEST_METRICS_TOKEN}`).toString('base64')}`,
    ]) {
      const response = await get(withToken, authorization);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('dropview_');
    }
  });

  test('when the right bearer token is sent, then the scrape is served in the Prometheus text format and not cached', async () => {
    const response = await get(withToken, `Bearer ${TEST_METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const scraped: Scrape['series'] = seriesOf(await response.text());
    expect(scraped.some((one) => one.name === 'dropview_sessions_created_total')).toBe(true);
  });
});
