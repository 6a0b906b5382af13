import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from '../support/oauth-dance';
import { freePort } from '../support/ports';
import { waitForRedis } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

/** A Redis of this test's own, so stopping it disturbs nothing else. */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForRedis(`redis://127.0.0.1:${port}`, 5000);
  return server;
}

async function stopRedis(server: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

describe('When the session store (Redis) goes away', () => {
  let port: number;
  let redis: ChildProcess;
  let stack: Stack;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await stack.close();
    redis.kill('SIGTERM');
  });

  test('when Redis stops, then pages and /readyz answer 503 fast while /healthz stays 200; when it returns, the app recovers by itself', async () => {
    const agent = stack.agent();
    await connect(agent);
    await agent.get('/browse').expect(200);

    await stopRedis(redis);
    const started = Date.now();
    const page = await agent.get('/browse').set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.text).toContain('session service');
    expect(page.text).not.toMatch(/\n\s+at /);
    await stack.agent().get('/readyz').expect(503, { status: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2000);
    await stack.agent().get('/healthz').expect(200, { status: 'ok' });

    redis = await startRedis(port);
    // Sessions lived only in the old process (no persistence), so the user connects again.
    const deadline = Date.now() + 10_000;
    while ((await stack.agent().get('/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('the app did not recover within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const again = stack.agent();
    await connect(again);
    await again.get('/browse').expect(200);
  });

  test('when Redis hangs (accepts but never answers), then pages and /readyz answer 503 within 2 s while /healthz stays 200; when it wakes, everything works again', async () => {
    const agent = stack.agent();
    await connect(agent);
    await agent.get('/browse').expect(200);

    redis.kill('SIGSTOP');
    try {
      const started = Date.now();
      const [page, readiness, liveness] = await Promise.all([agent.get('/browse').set('Accept', 'text/html'), stack.agent().get('/readyz'), stack.agent().get('/healthz')]);
      expect(page.status).toBe(503);
      expect(readiness.status).toBe(503);
      expect(liveness.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      redis.kill('SIGCONT');
    }
    await agent.get('/browse').expect(200);
    await stack.agent().get('/readyz').expect(200, { status: 'ok' });
  });
});
