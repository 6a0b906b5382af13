import type { ChildProcess } from 'node:child_process';
import { moved, scrape, TEST_METRICS_TOKEN } from '../support/metrics';
import { connect } from '../support/oauth-dance';
import { freePort } from '../support/ports';
import { startOwnRedis, stopOwnRedis } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

/**
 * Liveness and readiness, as an orchestrator reads them: /healthz says the process runs, so
 * nothing restarts a healthy process during a Redis outage; /readyz says it can serve, so a
 * load balancer sends requests elsewhere while Redis is away or the process is stopping. The
 * metrics count what the outage did to Redis commands.
 */

describe('Liveness and readiness', () => {
  let port: number;
  let redis: ChildProcess;
  let stack: Stack;
  beforeAll(async () => {
    port = await freePort();
    redis = await startOwnRedis(port);
    stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, METRICS_TOKEN: TEST_METRICS_TOKEN } });
  });
  afterAll(async () => {
    await stack.close();
    redis.kill('SIGTERM');
  });

  test('when Redis answers, then /healthz and /readyz both answer 200', async () => {
    await stack.agent().get('/healthz').expect(200, { status: 'ok' });
    await stack.agent().get('/readyz').expect(200, { status: 'ok' });
  });

  test('when Redis stops, then /readyz answers 503 while /healthz stays 200, and the failed commands are counted; when Redis returns, /readyz is 200 again', async () => {
    const agent = stack.agent();
    await connect(agent);
    await agent.get('/browse').expect(200);

    await stopOwnRedis(redis);
    const before = await scrape(stack);
    await stack.agent().get('/readyz').expect(503, { status: 'unavailable' });
    await stack.agent().get('/healthz').expect(200, { status: 'ok' });
    await agent.get('/browse').set('Accept', 'text/html').expect(503);
    const after = await scrape(stack);
    // The page's session read (connect-redis' GET) failed at once: no connection, no queue.
    expect(moved(before, after, 'dropview_redis_command_errors_total', { command: 'GET' })).toBe(1);

    redis = await startOwnRedis(port);
    const deadline = Date.now() + 10_000;
    while ((await stack.agent().get('/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('/readyz did not turn 200 within 10 s of Redis returning');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stack.agent().get('/healthz').expect(200);
  });

  test('when Redis hangs (accepts but never answers), then /readyz answers 503 within its 1 s deadline while /healthz stays 200, and the deadline hit is counted', async () => {
    await stack.agent().get('/readyz').expect(200);
    const before = await scrape(stack);
    redis.kill('SIGSTOP');
    try {
      const started = Date.now();
      const [readiness, liveness] = await Promise.all([stack.agent().get('/readyz'), stack.agent().get('/healthz')]);
      expect(readiness.status).toBe(503);
      expect(liveness.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      redis.kill('SIGCONT');
    }
    const after = await scrape(stack);
    expect(moved(before, after, 'dropview_redis_deadline_hits_total')).toBe(1);
    await stack.agent().get('/readyz').expect(200);
  });

  test('when the app is told to stop, then /readyz answers 503 "stopping" at once while /healthz stays 200', async () => {
    const stopping = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    try {
      await stopping.agent().get('/readyz').expect(200);
      const stopped = stopping.dropview.stop();
      await stopping.agent().get('/readyz').expect(503, { status: 'stopping' });
      await stopping.agent().get('/healthz').expect(200, { status: 'ok' });
      await stopped;
    } finally {
      await stopping.close();
    }
  });
});
