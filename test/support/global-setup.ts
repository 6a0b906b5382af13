import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './ports';
import { waitForRedis } from './redis';

/**
 * The suite needs a real Redis. REDIS_URL wins when set; otherwise a throwaway redis-server is
 * started on a free port and stopped by the teardown. No Redis at all fails loudly.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) {
    await waitForRedis(process.env.REDIS_URL, 3000).catch((error: Error) => {
      throw new Error(`REDIS_URL=${process.env.REDIS_URL} does not answer (${error.message}). Start Redis or unset REDIS_URL.`);
    });
    return;
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('The tests need Redis: set REDIS_URL to a running server, or install redis-server (apt-get install redis-server).');
  }
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitForRedis(url, 5000);
  process.env.REDIS_URL = url;
  (globalThis as { throwawayRedis?: typeof server }).throwawayRedis = server;
}
