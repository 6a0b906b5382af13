import { connect } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

const STACK_TRACE = /\n\s+at |Error:|node_modules/;

describe('When Dropbox misbehaves, people get a page they understand', () => {
  let stack: Stack;
  let agent: ReturnType<Stack['agent']>;
  beforeAll(async () => {
    stack = await startStack({ dropboxTimeoutMs: 800 });
    agent = stack.agent();
    await connect(agent);
  });
  afterAll(async () => stack.close());
  afterEach(() => stack.emulator.clearFaults());

  test('when Dropbox rate-limits with JSON, then the page is 503 with Retry-After from the body', async () => {
    stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 42 });
    const page = await agent.get('/browse').set('Accept', 'text/html').expect(503);
    expect(page.headers['retry-after']).toBe('42');
    expect(page.text).toContain('try again in 42 seconds');
    expect(page.text).not.toMatch(STACK_TRACE);
  });

  test('when Dropbox rate-limits in plain text, then the page is 503 with the Retry-After header it sent', async () => {
    stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit_text', retryAfter: 7 });
    const response = await agent.get('/browse').set('Accept', 'application/json').expect(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body.error).toEqual({ code: 'dropbox_rate_limited', message: expect.stringContaining('7 seconds'), retryAfter: 7 });
  });

  test('when Dropbox answers 500, then the page is 502 and says Dropbox is having trouble', async () => {
    stack.emulator.injectFault('files/list_folder', { kind: 'server_error', status: 500 });
    const page = await agent.get('/browse').set('Accept', 'text/html').expect(502);
    expect(page.text).toContain('Dropbox is having trouble');
    expect(page.text).not.toMatch(STACK_TRACE);
  });

  test('when Dropbox hangs, then the page is 504 within the timeout', async () => {
    stack.emulator.injectFault('files/list_folder', { kind: 'hang' });
    const started = Date.now();
    const page = await agent.get('/browse').set('Accept', 'text/html').expect(504);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(page.text).toContain('took too long');
  });

  test('when the token endpoint fails during a refresh, then the page is 502 and the user stays connected', async () => {
    stack.emulator.expireAccessTokens();
    stack.emulator.injectFault('oauth2/token', { kind: 'server_error', status: 503 });
    await agent.get('/browse').set('Accept', 'text/html').expect(502);
    await agent.get('/browse').expect(200);
  });

  test('when an address matches no route, then HTML clients get a 404 page and JSON clients a 404 JSON error', async () => {
    const page = await agent.get('/nowhere').set('Accept', 'text/html').expect(404);
    expect(page.text).toContain('There is nothing at this address.');
    const json = await agent.get('/nowhere').set('Accept', 'application/json').expect(404);
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
