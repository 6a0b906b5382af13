import { createClient, createCluster, RESP_TYPES } from '@redis/client';
import type { DeadlineWatch } from '../sessions/deadline';
import { NO_TELEMETRY, type Telemetry } from '../telemetry/telemetry';

/**
 * The Redis commands Dropview sends, on a single Redis (REDIS_URL) or a Redis Cluster
 * (REDIS_CLUSTER_NODES). Every command names the one key it touches, so a cluster routes it to
 * that key's slot.
 *
 * Everything goes through `sendCommand` on purpose: node-redis types each of its hundreds of
 * commands with deep generics, and the union of its client and cluster types alone took 12 of
 * the 13 s that type-checking this project cost (node-redis issue #2975). This narrow surface
 * is all the app needs.
 */

export type RedisArg = string | Buffer;
export type RedisReply = string | number | Buffer | null | RedisReply[];

/** node-redis' client or cluster, seen only through the few members used here. */
interface RawConnection {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
}

type Send = (key: string | undefined, readOnly: boolean, args: RedisArg[], buffers: boolean) => Promise<unknown>;

const BUFFER_REPLIES = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;

/**
 * Also a DeadlineWatch: operations bounded by sessions/deadline.ts on this connection say
 * here when they miss it, and failed commands are counted, both for the metrics.
 */
export class RedisConnection implements DeadlineWatch {
  private readonly send: Send;

  private constructor(
    private readonly raw: RawConnection,
    send: Send,
    private readonly pingAll: () => Promise<string[]>,
    /** The node-redis object itself, for libraries that take one (connect-redis). */
    readonly client: unknown,
    readonly isCluster: boolean,
    private readonly telemetry: Telemetry,
  ) {
    this.send = (key, readOnly, args, buffers) => this.counted(String(args[0]), send(key, readOnly, args, buffers));
  }

  static single(options: Parameters<typeof createClient>[0], telemetry: Telemetry = NO_TELEMETRY): RedisConnection {
    const client = createClient(options);
    const send: Send = (_key, _readOnly, args, buffers) => client.sendCommand(args, buffers ? { typeMapping: BUFFER_REPLIES } : undefined);
    return new RedisConnection(client, send, async () => [await client.sendCommand<string>(['PING'])], client, false, telemetry);
  }

  static cluster(options: Parameters<typeof createCluster>[0], telemetry: Telemetry = NO_TELEMETRY): RedisConnection {
    const cluster = createCluster(options);
    const send: Send = (key, readOnly, args, buffers) => cluster.sendCommand(key, readOnly, args, buffers ? { typeMapping: BUFFER_REPLIES } : undefined);
    // A cluster answers for all its data only when every master does.
    const pingAll = async () => Promise.all(cluster.masters.map(async (master) => await (await cluster.nodeClient(master)).sendCommand<string>(['PING'])));
    return new RedisConnection(cluster, send, pingAll, cluster, true, telemetry);
  }

  /** `work`, a command sent some other way (connect-redis sends its own), its failure counted as this command's. */
  counted<T>(command: string, work: Promise<T>): Promise<T> {
    return work.catch((error: unknown) => {
      this.telemetry.redisCommandFailed(command);
      throw error;
    });
  }

  deadlineHit(): void {
    this.telemetry.redisDeadlineHit();
  }

  get isReady(): boolean {
    return this.raw.isReady;
  }

  onError(listener: (error: Error) => void): void {
    this.raw.on('error', listener);
  }

  async connect(): Promise<void> {
    await this.raw.connect();
  }

  async close(): Promise<void> {
    if (!this.raw.isOpen) return;
    await this.raw.close().catch(() => this.raw.destroy());
  }

  destroy(): void {
    this.raw.destroy();
  }

  /** PING on every node; true when all answered PONG. */
  async pingEveryNode(): Promise<string[]> {
    return this.counted('PING', this.pingAll());
  }

  /** A raw command on `key`'s node; replies keep node-redis' RESP2 shapes. */
  command<T = RedisReply>(key: string | undefined, readOnly: boolean, args: RedisArg[]): Promise<T> {
    return this.send(key, readOnly, args, false) as Promise<T>;
  }

  /** As `command`, with bulk strings as Buffers (for binary values). */
  commandForBuffers<T = RedisReply>(key: string, readOnly: boolean, args: RedisArg[]): Promise<T> {
    return this.send(key, readOnly, args, true) as Promise<T>;
  }

  get(key: string): Promise<string | null> {
    return this.command(key, true, ['GET', key]);
  }

  /** SET with a lifetime; with `onlyIfAbsent`, true only when this call created the key. */
  async set(key: string, value: RedisArg, ttlMs: number, onlyIfAbsent = false): Promise<boolean> {
    const reply = await this.command(key, false, ['SET', key, value, 'PX', String(Math.max(1, Math.ceil(ttlMs))), ...(onlyIfAbsent ? ['NX'] : [])]);
    return reply === 'OK';
  }

  async del(key: string): Promise<void> {
    await this.command(key, false, ['DEL', key]);
  }

  async hGetAll(key: string): Promise<Record<string, string>> {
    // node-redis answers HGETALL with an object already; a flat list is what RESP2 sends.
    const reply = await this.command<string[] | Record<string, string>>(key, true, ['HGETALL', key]);
    if (!Array.isArray(reply)) return { ...reply };
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) hash[reply[i]] = reply[i + 1];
    return hash;
  }

  async pExpire(key: string, ttlMs: number): Promise<void> {
    await this.command(key, false, ['PEXPIRE', key, String(Math.max(1, Math.ceil(ttlMs)))]);
  }

  /**
   * A Lua script on the node of `keys[0]`; every key must share its slot (a `{hash tag}`).
   * EVAL every time: Redis caches the compiled script by its text, and one command cannot
   * meet a NOSCRIPT on a node that restarted.
   */
  eval<T = RedisReply>(script: string, keys: string[], args: RedisArg[], options: { buffers?: boolean; readOnly?: boolean } = {}): Promise<T> {
    const command = [options.readOnly ? 'EVAL_RO' : 'EVAL', script, String(keys.length), ...keys, ...args];
    return options.buffers ? this.commandForBuffers(keys[0], Boolean(options.readOnly), command) : this.command(keys[0], Boolean(options.readOnly), command);
  }
}
