import { csrfTokenOf } from '../support/html';
import { connect } from '../support/oauth-dance';
import { startStack, withConnectedUser, type Stack } from '../support/stack';

/**
 * Hardening (issue 11, items 8, 9, 11 and 12): nothing private stays in the browser's cache
 * after logout; request logs carry no file names and no request id a client made up; tokens
 * never pass through a proxy the environment happens to set; a plain-http request in
 * production is reported.
 */

describe('What the browser keeps', () => {
  const user = withConnectedUser();

  test('when the person disconnects, then the browser is told to drop the cache and storage of this site', async () => {
    const page = await user.agent.get('/browse').expect(200);
    const logout = await user.agent
      .post('/auth/logout')
      .type('form')
      .send({ _csrf: csrfTokenOf(page.text) })
      .expect(302);
    expect(logout.headers['clear-site-data']).toBe('"cache", "storage"');
  });

  test('when a thumbnail is asked for with a made-up revision, then it is not cached for a day', async () => {
    const agent = user.stack.agent();
    await connect(agent);
    const made = await agent.get('/thumbnail/Photos/Family.jpg?size=w64h64&rev=0123456789abcdef').expect(200);
    expect(made.headers['cache-control']).toBe('private, max-age=300');
    const listing = await agent.get('/browse/Photos?view=grid').expect(200);
    const current = /src="(\/thumbnail\/Photos\/Family\.jpg\?size=w256h256&amp;rev=[0-9a-f]+)"/.exec(listing.text)?.[1].replaceAll('&amp;', '&') as string;
    expect((await agent.get(current).expect(200)).headers['cache-control']).toBe('private, max-age=86400, immutable');
  });
});

describe('Request logs', () => {
  const HOSTILE = 'Diagnosis 2026 (private).txt';
  let quiet: Stack;
  let verbose: Stack;
  beforeAll(async () => {
    quiet = await startStack();
    quiet.emulator.tree.addFile(`/Medical/${HOSTILE}`, { content: 'x' });
    verbose = await startStack({ emulator: quiet.emulator, env: { LOG_REQUEST_PATHS: '1' } });
  });
  afterAll(async () => {
    await verbose.close();
    await quiet.close();
  });

  async function browseThePrivateFile(stack: Stack) {
    const agent = stack.agent();
    await connect(agent);
    await agent.get('/browse/Medical').set('X-Request-Id', 'made-up-by-the-client').expect(200);
    await agent.get(`/file/Medical/${encodeURIComponent(HOSTILE)}`).expect(200);
    await agent.get('/browse/Medical/No%20such%20thing').expect(404);
  }

  test('when a person browses, then log lines name routes, not their folders and files', async () => {
    await browseThePrivateFile(quiet);
    const log = quiet.logLines.join('');
    expect(log).toContain('"route":"/browse{/*splat}"');
    expect(log).not.toContain('Medical');
    expect(log).not.toContain('Diagnosis');
  });

  test('when an operator asks for paths (LOG_REQUEST_PATHS=1), then log lines carry them, without the query string', async () => {
    await browseThePrivateFile(verbose);
    expect(verbose.logLines.join('')).toContain('"route":"/browse/Medical"');
  });

  test("when a client sends its own X-Request-Id and no proxy is trusted, then the log uses an id of the app's own", async () => {
    await browseThePrivateFile(quiet);
    expect(quiet.logLines.join('')).not.toContain('made-up-by-the-client');
  });

  test('when a trusted proxy sends X-Request-Id, then the log carries it', async () => {
    const behindProxy = await startStack({ emulator: quiet.emulator, env: { TRUST_PROXY: '1' } });
    try {
      await behindProxy.agent().get('/').set('X-Request-Id', 'proxy-id-123').expect(200);
      expect(behindProxy.logLines.join('')).toContain('"id":"proxy-id-123"');
    } finally {
      await behindProxy.close();
    }
  });
});

describe('Outbound connections to Dropbox', () => {
  let stack: Stack;
  const saved = { http: process.env.HTTP_PROXY, https: process.env.HTTPS_PROXY };
  beforeAll(async () => {
    // A proxy that does not exist: a request that went through it would fail.
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    stack = await startStack();
  });
  afterAll(async () => {
    process.env.HTTP_PROXY = saved.http;
    process.env.HTTPS_PROXY = saved.https;
    if (saved.http === undefined) delete process.env.HTTP_PROXY;
    if (saved.https === undefined) delete process.env.HTTPS_PROXY;
    await stack.close();
  });

  test('when the environment sets HTTP(S)_PROXY, then Dropview still talks to Dropbox directly', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent);
    expect(response.status).toBe(302);
    await agent.get('/browse').expect(200);
  });
});

describe('Plain HTTP in production', () => {
  test('when a request arrives without TLS in production, then an error is logged, once a minute at most', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'production', BASE_URL: 'https://dropview.test' } });
    try {
      for (let i = 0; i < 3; i += 1) await stack.agent().get('/');
      const alarms = stack.logLines.filter((line) => line.includes('plain_http_in_production'));
      expect(alarms).toHaveLength(1);
      expect(JSON.parse(alarms[0]).level).toBe(50);
    } finally {
      await stack.close();
    }
  });
});
