import { connect } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, startStack, withConnectedUser } from '../support/stack';

const STACK_TRACE = /\n\s+at |Error:|node_modules/;

describe('When Dropbox misbehaves, people get a page they understand', () => {
  const user = withConnectedUser({ dropboxTimeoutMs: 800, env: EVERY_VIEW_CHECKS });
  afterEach(() => user.stack.emulator.clearFaults());
  let folders = 0;
  /** A folder nobody has opened yet, so that the view reads it with list_folder (the call the faults hit). */
  function freshFolder(): string {
    folders += 1;
    user.stack.emulator.tree.addFile(`/Fresh ${folders}/note.txt`, { content: 'hello' });
    return `/browse/Fresh%20${folders}`;
  }

  test('when Dropbox rate-limits with a long wait in JSON, then the page is 503 with Retry-After from the body', async () => {
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 42 });
    const page = await user.agent.get(freshFolder()).set('Accept', 'text/html').expect(503);
    expect(page.headers['retry-after']).toBe('42');
    expect(page.text).toContain('try again in 42 seconds');
    expect(page.text).not.toMatch(STACK_TRACE);
  });

  test('when Dropbox rate-limits in plain text with a long wait, then the answer is 503 with the Retry-After header it sent', async () => {
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit_text', retryAfter: 7 });
    const response = await user.agent.get(freshFolder()).set('Accept', 'application/json').expect(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body.error).toEqual({ code: 'dropbox_rate_limited', message: expect.stringContaining('7 seconds'), retryAfter: 7 });
  });

  test('when Dropbox answers 500 once, then the read is retried and the page shows', async () => {
    const before = user.stack.emulator.calls('files/list_folder').length;
    user.stack.emulator.injectFault('files/list_folder', { kind: 'server_error', status: 500 });
    await user.agent.get(freshFolder()).expect(200);
    expect(
      user.stack.emulator
        .calls('files/list_folder')
        .slice(before)
        .map((call) => call.status),
    ).toEqual([500, 200]);
  });

  test('when Dropbox keeps answering 5xx, then after the bounded retries the page is 502 and says Dropbox is having trouble', async () => {
    const before = user.stack.emulator.calls('files/list_folder').length;
    user.stack.emulator.injectFault('files/list_folder', { kind: 'server_error', status: 503 }, 10);
    const page = await user.agent.get(freshFolder()).set('Accept', 'text/html').expect(502);
    expect(page.text).toContain('Dropbox is having trouble');
    expect(page.text).not.toMatch(STACK_TRACE);
    expect(user.stack.emulator.calls('files/list_folder').length - before).toBe(3);
  });

  test('when Dropbox rate-limits with a short wait, then the app waits it out and retries once', async () => {
    const before = user.stack.emulator.calls('files/list_folder').length;
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 1, reason: 'too_many_write_operations' });
    const started = Date.now();
    await user.agent.get(freshFolder()).expect(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(
      user.stack.emulator
        .calls('files/list_folder')
        .slice(before)
        .map((call) => call.status),
    ).toEqual([429, 200]);
  });

  test('when Dropbox rate-limits in plain text with a short Retry-After, then the app waits it out and retries once', async () => {
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit_text', retryAfter: 1 });
    await user.agent.get(freshFolder()).expect(200);
  });

  test('when Dropbox rate-limits twice in a row, then the second 429 goes to the user as 503', async () => {
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 1 }, 2);
    const response = await user.agent.get(freshFolder()).set('Accept', 'application/json').expect(503);
    expect(response.headers['retry-after']).toBe('1');
  });

  test('when identical listings of one session are requested at once, then Dropbox is asked once', async () => {
    user.stack.emulator.setLatency(150);
    try {
      const before = user.stack.emulator.calls('files/list_folder').length;
      const folder = freshFolder();
      const responses = await Promise.all(Array.from({ length: 10 }, () => user.agent.get(folder).set('Accept', 'application/json')));
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
      expect(user.stack.emulator.calls('files/list_folder').length - before).toBe(1);
    } finally {
      user.stack.emulator.setLatency(0);
    }
  });

  test('when Dropbox hangs, then the page is 504 within the timeout', async () => {
    user.stack.emulator.injectFault('files/list_folder', { kind: 'hang' });
    const started = Date.now();
    const page = await user.agent.get(freshFolder()).set('Accept', 'text/html').expect(504);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(page.text).toContain('took too long');
  });

  test('when the token endpoint keeps failing during a refresh, then the page is 502 and the user stays connected', async () => {
    user.stack.emulator.expireAccessTokens();
    user.stack.emulator.injectFault('oauth2/token', { kind: 'server_error', status: 503 }, 3);
    const folder = freshFolder();
    await user.agent.get(folder).set('Accept', 'text/html').expect(502);
    await user.agent.get(folder).expect(200);
  });

  test('when Dropbox fails while an opened folder is checked, then the folder shows as last seen, saying it may be out of date', async () => {
    const folder = freshFolder();
    await user.agent.get(folder).expect(200);
    user.stack.emulator.injectFault('files/list_folder/continue', { kind: 'server_error', status: 503 }, 3);
    const page = await user.agent.get(folder).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('note.txt');
    expect(page.text).toContain('may be out of date');
  });

  test('when an address matches no route, then HTML clients get a 404 page and JSON clients a 404 JSON error', async () => {
    const page = await user.agent.get('/nowhere').set('Accept', 'text/html').expect(404);
    expect(page.text).toContain('There is nothing at this address.');
    const json = await user.agent.get('/nowhere').set('Accept', 'application/json').expect(404);
    expect(json.body).toEqual({ error: { code: 'not_found', message: 'There is nothing at this address.' } });
  });
});

describe('When Dropbox cannot be reached at all', () => {
  test('when the Dropbox host refuses connections, then the page is 502 and says Dropbox cannot be reached', async () => {
    const stack = await startStack();
    try {
      const agent = stack.agent();
      await connect(agent);
      await stack.emulator.close();
      const page = await agent.get('/browse').set('Accept', 'text/html').expect(502);
      expect(page.text).toContain('cannot reach Dropbox');
      expect(page.text).not.toMatch(STACK_TRACE);
    } finally {
      await stack.close();
    }
  });
});
