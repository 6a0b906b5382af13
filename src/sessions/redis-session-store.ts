import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { RedisConnection } from '../redis/connection';
import { REDIS_DEADLINE_MS, withinDeadline } from './deadline';

/**
 * connect-redis, with one change: a destroyed session stays destroyed. express-session writes a
 * whole session at the end of each request that changed it, so a request still in flight when
 * the user logs out would write the session back. Here `destroy` leaves a tombstone under the
 * session's own key for a while, and `set` refuses to overwrite a tombstone. One key per
 * operation, so this also holds on a Redis Cluster. Every operation has a deadline (deadline.ts).
 */

export const TOMBSTONE = '{"ended":true}';
/**
 * A touch (EXPIRE) within this long of the last one from this process is skipped: the idle
 * timeout is hours, so its expiry may trail by a minute, and a page view costs one Redis
 * command fewer (npm run bench, B2).
 */
const TOUCH_INTERVAL_MS = 60_000;
const REMEMBERED_TOUCHES = 50_000;
/** Longer than any request can be in flight. */
const TOMBSTONE_TTL_MS = 10 * 60 * 1000;
const DEFAULT_TTL_SECONDS = 86_400;

const SET_UNLESS_ENDED = `
if redis.call('GET', KEYS[1]) == ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

// The callback shape connect-redis declares.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- connect-redis declares its callbacks with `any`
type Callback = (err?: unknown, data?: any) => unknown;

/** Told each time a session's expiry is written (set or touch), so what lives beside it can follow. */
export type SessionRenewed = (sid: string, session: SessionData) => Promise<void>;

export class EndingRedisStore extends RedisStore {
  private readonly lastWrites = new Map<string, number>();

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly renewed: SessionRenewed = async () => undefined,
  ) {
    super({ client: redis.client, prefix });
  }

  override async get(sid: string, cb?: Callback): Promise<unknown> {
    try {
      const data = (await this.bounded(this.redis.counted('GET', super.get(sid)))) as (SessionData & { ended?: boolean }) | null;
      const live = data?.ended ? null : data;
      return cb ? cb(null, live) : live;
    } catch (error) {
      if (cb) return cb(error);
      throw error;
    }
  }

  override async set(sid: string, sess: SessionData, cb?: Callback): Promise<unknown> {
    try {
      const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() - Date.now() : DEFAULT_TTL_SECONDS * 1000;
      if (expires <= 0) {
        await this.bounded(this.redis.del(this.prefix + sid));
      } else {
        const written = await this.bounded(this.redis.eval(SET_UNLESS_ENDED, [this.prefix + sid], [this.serializer.stringify(sess), String(Math.ceil(expires)), TOMBSTONE]));
        if (written === 1) await this.bounded(this.renewed(sid, sess));
      }
      this.remember(sid);
      return cb ? cb(null) : undefined;
    } catch (error) {
      if (cb) return cb(error);
      throw error;
    }
  }

  override async touch(sid: string, sess: SessionData, cb?: Callback): Promise<unknown> {
    try {
      if (Date.now() - (this.lastWrites.get(sid) ?? 0) >= TOUCH_INTERVAL_MS) {
        await this.bounded(this.redis.counted('EXPIRE', super.touch(sid, sess)));
        await this.bounded(this.renewed(sid, sess));
        this.remember(sid);
      }
      return cb ? cb(null) : undefined;
    } catch (error) {
      if (cb) return cb(error);
      throw error;
    }
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    this.lastWrites.delete(sid);
    try {
      await this.bounded(this.redis.set(this.prefix + sid, TOMBSTONE, TOMBSTONE_TTL_MS));
      return cb ? cb(null) : undefined;
    } catch (error) {
      if (cb) return cb(error);
      throw error;
    }
  }

  /** Within the Redis deadline, a miss counted on this store's connection. */
  private bounded<T>(work: Promise<T>): Promise<T> {
    return withinDeadline(work, REDIS_DEADLINE_MS, this.redis);
  }

  private remember(sid: string): void {
    this.lastWrites.delete(sid);
    this.lastWrites.set(sid, Date.now());
    if (this.lastWrites.size > REMEMBERED_TOUCHES) this.lastWrites.delete(this.lastWrites.keys().next().value as string);
  }
}
