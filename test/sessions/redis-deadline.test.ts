import { RedisConnection } from '../../src/redis/connection';
import { RedisDeadlineError, withinDeadline } from '../../src/sessions/deadline';

/** Holds this process's event loop, as a burst of CPU work does. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // nothing: the point is that no callback runs meanwhile
  }
}

describe('A deadline on each Redis operation', () => {
  let redis: RedisConnection;
  beforeAll(async () => {
    redis = RedisConnection.single({ url: process.env.REDIS_URL });
    await redis.connect();
  });
  afterAll(async () => redis.close());

  test('when this process was busy past the deadline while Redis answered, then the answer counts', async () => {
    const answer = withinDeadline(redis.command<string>(undefined, true, ['PING']), 50);
    busyFor(300);
    await expect(answer).resolves.toBe('PONG');
  });

  test('when Redis does not answer in time, then the operation fails with a deadline error', async () => {
    // A script that holds Redis for 200 ms: the answer comes, but after the 20 ms deadline.
    const slow = redis.eval('local t = redis.call("TIME") local s = t[1] * 1000000 + t[2] repeat t = redis.call("TIME") until (t[1] * 1000000 + t[2]) - s > 200000 return 1', [], []);
    await expect(withinDeadline(slow, 20)).rejects.toBeInstanceOf(RedisDeadlineError);
    await slow;
  });
});
