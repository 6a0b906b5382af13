import { SessionStoreError } from './errors';

/**
 * A bound on one Redis operation. node-redis' own command timeout stops counting once a
 * command is written to the socket, so a Redis that accepts commands but never answers (a
 * hung or paused server) would hold a request forever; this bound makes it a fast 503.
 */

export const REDIS_DEADLINE_MS = 1500;

export class RedisDeadlineError extends Error {
  override name = 'RedisDeadlineError';
}

/** Told when an operation misses its deadline: the connection it ran on (redis/connection.ts counts them). */
export interface DeadlineWatch {
  deadlineHit(): void;
}

/**
 * When the deadline's timer fires this much later than asked, the process was busy: what it
 * sent meanwhile may only now be going out (node-redis writes on the next turn of the loop).
 */
const BUSY_LATENESS_MS = 20;
/** What such a command is given after the process is free again: a round trip to a live Redis. */
const BUSY_GRACE_MS = 50;

export function withinDeadline<T>(work: Promise<T>, ms = REDIS_DEADLINE_MS, watch?: DeadlineWatch): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const startedAt = performance.now();
  const deadline = new Promise<never>((_, reject) => {
    const expire = () => {
      if (settled) return;
      watch?.deadlineHit();
      reject(new RedisDeadlineError(`Redis did not answer within ${ms} ms`));
    };
    // The timer fires late when this process was busy, and the answer may then be waiting
    // unread in the socket, or the command not yet written: a busy process gives the command a
    // short grace once it is free, and every expiry waits one turn (setImmediate runs after
    // pending I/O is read), so a busy process does not report an answering Redis as down.
    timer = setTimeout(() => {
      const late = performance.now() - startedAt - ms > BUSY_LATENESS_MS;
      timer = late ? setTimeout(() => setImmediate(expire), BUSY_GRACE_MS) : undefined;
      if (!late) setImmediate(expire);
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    settled = true;
    clearTimeout(timer);
  });
}

/** A Redis operation for a request: bounded, and any failure a SessionStoreError ("session service unavailable"). */
export function redisCall<T>(work: Promise<T>, watch: DeadlineWatch): Promise<T> {
  return withinDeadline(work, REDIS_DEADLINE_MS, watch).catch((error: unknown) => {
    throw error instanceof SessionStoreError ? error : new SessionStoreError(error);
  });
}
