import type { ChildProcess } from 'node:child_process';
import { connect } from '../support/oauth-dance';
import { freePort } from '../support/ports';
import { startOwnRedis, stopOwnRedis } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

describe('When the session store (Redis) goes away', () => {
  let port: number;
  let redis: ChildProcess;
  let stack: Stack;
  beforeAll(async () => {
    port = await freePort();
    redis = await startOwnRedis(port);
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

    await stopOwnRedis(redis);
    const started = Date.now();
    const page = await agent.get('/browse').set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.text).toContain('session service');
    expect(page.text).not.toMatch(/\n\s+at /);
    await stack.agent().get('/readyz').expect(503, { status: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2000);
    await stack.agent().get('/healthz').expect(200, { status: 'ok' });

    redis = await startOwnRedis(port);
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
