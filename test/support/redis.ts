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
