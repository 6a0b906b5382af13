import { spawn, type ChildProcess } from 'node:child_process';
import { RedisConnection } from '../../src/redis/connection';

/** Resolves once Redis at `url` answers PING, or rejects after `timeoutMs`. */
export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = RedisConnection.single({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
    client.onError(() => undefined);
    try {
      await client.connect();
      await client.command(undefined, true, ['PING']);
      await client.close();
      return;
    } catch (error) {
      lastError = error;
      client.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no answer');
}

/** A redis-server of a test's own on `port` (no persistence), so stopping it disturbs nothing else. */
export async function startOwnRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForRedis(`redis://127.0.0.1:${port}`, 5000);
  return server;
}

export async function stopOwnRedis(server: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}
