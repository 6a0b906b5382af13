import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionError } from '../auth/errors';
import { isDropboxFailure, isRouteError } from '../dropbox/errors';
import type { FolderIndex, FolderSource } from './folder-index';
import type { Longpoller } from './quiet-folders';

/**
 * Live folders for open pages. Each open page holds a stream; streams that watch the same
 * folder (the same folder index: one account, root and path) share one upstream watch, which
 * holds one Dropbox longpoll on the index's cursor and tells every stream when the folder
 * changed. While a folder is still being read for the first time, the watch reports progress
 * instead.
 *
 * Streams are bounded: a few per session (a new one ends that session's oldest), a total per
 * instance, distinct watched folders per instance (each holds a socket to Dropbox), and a
 * lifetime, after which the browser reconnects and is checked again. A stream ends when its
 * session does (logout here or on another instance, revocation, expiry) and at shutdown.
 */

export interface StreamClient {
  /** The session the stream belongs to. */
  sessionId: string;
  /** Dropbox as that session sees it, for checking the folder after a longpoll. */
  source: FolderSource;
  /**
   * The folder's version on the page that opened the stream. A folder whose read finished, or
   * that changed, between the page and its stream is `changed` at once: no event would say so.
   */
  shownVersion?: string;
  send(event: 'progress' | 'changed', data?: object): void;
  end(): void;
}

export interface WatchLimits {
  perSession: number;
  perInstance: number;
  /** Distinct folders watched at once (each holds one longpoll socket). */
  folders: number;
  lifetimeMs: number;
  /** How often a stream checks that its session still exists. */
  sessionCheckMs: number;
}

export interface WatcherDeps {
  folders: FolderIndex;
  longpoller: Longpoller;
  /** Whether a session still exists and is connected (read from the shared session store). */
  sessionIsLive(sessionId: string): Promise<boolean>;
  onError?(event: string, error: unknown): void;
}

/** A check failed because the session's Dropbox access is gone: its streams end. */
function isDisconnected(error: unknown): boolean {
  return error instanceof ConnectionError || isDropboxFailure(error, 'unauthorized');
}

/** The folder itself is gone (deleted, or not a folder): every stream of it ends. */
function isFolderGone(error: unknown): boolean {
  return isRouteError(error, 'not_found') || isRouteError(error, 'not_folder');
}

export type OpenResult = { ok: true; stream: Stream } | { ok: false; reason: 'instance_full' | 'too_many_folders' };

const LONGPOLL_SECONDS = 30;
const PROGRESS_MS = 1000;
const RETRY_MS = 5000;

export class Stream {
  private ended = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly client: StreamClient,
    readonly watch: Watch,
    private readonly onEnd: (stream: Stream) => void,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  schedule(timer: NodeJS.Timeout): void {
    timer.unref();
    this.timers.push(timer);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const timer of this.timers) clearInterval(timer);
    this.client.end();
    this.onEnd(this);
  }
}

/** One folder's upstream watch, shared by its streams. */
class Watch {
  readonly streams = new Set<Stream>();
  private readonly stopped = new AbortController();
  private lastVersion = '';
  /** Whether the folder was read whole when the watch last looked. */
  private complete = false;

  constructor(
    readonly id: string,
    private readonly path: string,
    private readonly deps: WatcherDeps,
    private readonly endSession: (sessionId: string) => void,
  ) {}

  get signal(): AbortSignal {
    return this.stopped.signal;
  }

  stop(): void {
    this.stopped.abort();
  }

  /** The loop: progress while the folder is read, then longpolls; it stops with its last stream. */
  async run(): Promise<void> {
    const pause = (ms: number) => delay(ms, undefined, { signal: this.signal }).catch(() => undefined);
    let known = await this.withSource((source) => this.deps.folders.cursorOf(source, this.path));
    if (known) this.know(known.version, known.complete);
    for (const stream of this.streams) this.greet(stream);
    while (!this.signal.aborted && known) {
      try {
        if (!known.complete || !known.cursor) {
          await pause(PROGRESS_MS);
          const now = await this.withSource((source) => this.deps.folders.cursorOf(source, this.path));
          if (!now) break;
          if (now.complete) this.changed(now.version, true);
          else if (now.entries !== known.entries) this.broadcast('progress', { entries: now.entries });
          known = now;
          continue;
        }
        const { changes, backoffSeconds } = await this.deps.longpoller.longpoll(known.cursor, LONGPOLL_SECONDS, this.signal);
        if (changes) {
          const version = await this.withSource((source) => this.deps.folders.refresh(source, this.path));
          if (version !== undefined) this.changed(version);
          known = await this.withSource((source) => this.deps.folders.cursorOf(source, this.path));
        }
        if (backoffSeconds) await pause(backoffSeconds * 1000);
      } catch (error) {
        if (this.signal.aborted || isFolderGone(error)) break;
        this.deps.onError?.('longpoll_failed', error);
        await pause(RETRY_MS);
        known = (await this.withSource((source) => this.deps.folders.cursorOf(source, this.path)).catch(() => known)) ?? known;
      }
    }
  }

  /** A stream that joined: told at once when its page shows an older version than the watch knows. */
  greet(stream: Stream): void {
    const shown = stream.client.shownVersion;
    if (this.lastVersion && this.complete && shown !== undefined && shown !== this.lastVersion) stream.client.send('changed');
  }

  private know(version: string, complete: boolean): void {
    this.lastVersion = version;
    this.complete = complete;
  }

  private changed(version: string, complete = this.complete): void {
    if (version === this.lastVersion && complete === this.complete) return;
    this.know(version, complete);
    this.broadcast('changed');
  }

  private broadcast(event: 'progress' | 'changed', data?: object): void {
    for (const stream of this.streams) stream.client.send(event, data);
  }

  /**
   * Runs a Dropbox-facing step with some stream's session; a session whose Dropbox access
   * is gone loses its streams and the next one is tried. Undefined when no stream is left.
   */
  private async withSource<T>(step: (source: FolderSource) => Promise<T>): Promise<T | undefined> {
    for (;;) {
      const stream = this.streams.values().next().value;
      if (!stream || this.signal.aborted) return undefined;
      try {
        return await step(stream.client.source);
      } catch (error) {
        if (!isDisconnected(error)) throw error;
        this.endSession(stream.client.sessionId);
      }
    }
  }
}

export class FolderWatcher {
  private readonly watches = new Map<string, Watch>();
  private readonly bySession = new Map<string, Stream[]>();
  private readonly deps: WatcherDeps;
  private total = 0;
  private longpolls = 0;

  constructor(
    deps: WatcherDeps,
    private readonly limits: WatchLimits,
  ) {
    // Every watch's longpoll passes here, so the longpolls held open can be counted.
    const upstream = deps.longpoller;
    const longpoll: Longpoller['longpoll'] = async (...args) => {
      this.longpolls += 1;
      try {
        return await upstream.longpoll(...args);
      } finally {
        this.longpolls -= 1;
      }
    };
    this.deps = { ...deps, longpoller: { longpoll } };
  }

  /** Streams open on this instance, distinct folders they watch, and Dropbox longpolls held for them (for metrics and benchmarks). */
  get size(): { streams: number; folders: number; longpolls: number } {
    return { streams: this.total, folders: this.watches.size, longpolls: this.longpolls };
  }

  open(client: StreamClient, path: string): OpenResult {
    const id = this.deps.folders.idOf(client.source, path);
    const own = this.bySession.get(client.sessionId) ?? [];
    // The session's oldest stream makes room; only a new session's stream can meet the instance's bound.
    if (own.length >= this.limits.perSession) own[0].end();
    else if (this.total >= this.limits.perInstance) return { ok: false, reason: 'instance_full' };
    if (!this.watches.has(id) && this.watches.size >= this.limits.folders) return { ok: false, reason: 'too_many_folders' };

    const existing = this.watches.get(id);
    const target = existing ?? new Watch(id, path, this.deps, (sessionId) => this.endSession(sessionId));
    const stream = new Stream(client, target, (ended) => this.forget(ended));
    target.streams.add(stream);
    // A new watch starts once it has its first stream: its loop reads Dropbox as that stream's session.
    if (existing) existing.greet(stream);
    else this.startWatch(target);
    this.bySession.set(client.sessionId, [...(this.bySession.get(client.sessionId) ?? []), stream]);
    this.total += 1;
    stream.schedule(setTimeout(() => stream.end(), this.limits.lifetimeMs));
    stream.schedule(
      setInterval(() => {
        this.deps.sessionIsLive(client.sessionId).then(
          (live) => live || this.endSession(client.sessionId),
          () => undefined,
        );
      }, this.limits.sessionCheckMs),
    );
    return { ok: true, stream };
  }

  /** Ends every stream of a session (logout, revocation). */
  endSession(sessionId: string): void {
    for (const stream of [...(this.bySession.get(sessionId) ?? [])]) stream.end();
  }

  /** Ends every stream at once (shutdown): nothing waits for a longpoll to finish. */
  closeAll(): void {
    for (const watch of [...this.watches.values()]) for (const stream of [...watch.streams]) stream.end();
  }

  private startWatch(watch: Watch): void {
    const { id } = watch;
    this.watches.set(id, watch);
    watch
      .run()
      .catch((error: unknown) => this.deps.onError?.('folder_watch_failed', error))
      .finally(() => {
        // The loop ended (its last stream left, or no session could read the folder): end what is left.
        for (const stream of [...watch.streams]) stream.end();
        if (this.watches.get(id) === watch) this.watches.delete(id);
      });
  }

  private forget(stream: Stream): void {
    this.total -= 1;
    const own = (this.bySession.get(stream.client.sessionId) ?? []).filter((candidate) => candidate !== stream);
    if (own.length) this.bySession.set(stream.client.sessionId, own);
    else this.bySession.delete(stream.client.sessionId);
    const { watch } = stream;
    watch.streams.delete(stream);
    if (watch.streams.size === 0) {
      watch.stop();
      if (this.watches.get(watch.id) === watch) this.watches.delete(watch.id);
    }
  }
}
