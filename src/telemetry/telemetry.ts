/**
 * What the parts of Dropview tell an operator about their work: counts and timings, each
 * labelled only with names fixed in the code (a route template, a Dropbox route, a status, an
 * error tag, a reason). Nothing here ever takes a user, an account id, a path, a file name or
 * a token: the methods have no parameter that could carry one.
 *
 * Parts are handed a Telemetry through their options and default to NO_TELEMETRY, which does
 * nothing; the composition root builds the Prometheus one (prometheus.ts) when METRICS_TOKEN is
 * set. No part imports prom-client.
 */

/** Why a Dropbox call was made again. */
export type DropboxRetryReason = 'server_error' | 'rate_limited';

/** A step of a token refresh (auth/token-keeper.ts). */
export type RefreshStep =
  /** This process began refreshing a session's token (requests of one process share one). */
  | 'started'
  /** It took the session's refresh lock (in the credential store, shared by every instance). */
  | 'lock_won'
  /** Another holder (another instance) had the lock: this one waited for its token. */
  | 'waited';

/** What a folder view or a watch asked of the folder index (folders/folder-index.ts). */
export type FolderIndexStep =
  /** A page served from a complete index (checked against Dropbox, or from its stored first rows). */
  | 'hit'
  /** A freshness check: list_folder/continue on the index's cursor. */
  | 'delta_check'
  /** A view served without a freshness check: a Dropbox longpoll on the index's cursor vouched that nothing changed. */
  | 'quiet'
  /** A read of the whole folder began (this instance took the read lease). */
  | 'full_read';

/** Values read when metrics are scraped, not counted as they change. */
export interface TelemetryGauges {
  /** Event streams open on this instance, and the most it accepts (EVENT_STREAMS_PER_INSTANCE). */
  eventStreams(): { open: number; limit: number };
  /** Dropbox longpolls this instance holds open now (one per watched folder that is read whole). */
  longpollsHeld(): number;
  /** Folder index entries this process holds in memory, and the bytes of the index batches they came from in the store. */
  folderIndex(): { entries: number; storedBytes: number };
}

export interface Telemetry {
  /** A request answered: its route template (or `unmatched`), never its path. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /**
   * One attempt at a Dropbox call: `status` is the HTTP status, or `timeout` / `unreachable`
   * when none came; `errorTag` is Dropbox's error tag (`path/not_found`, `invalid_grant`), or
   * `` on success.
   */
  dropboxCall(route: string, status: string, errorTag: string, seconds: number): void;
  dropboxRetry(route: string, reason: DropboxRetryReason): void;
  /** A 429 waited out before its retry. */
  dropboxRateLimitWait(route: string, seconds: number): void;
  tokenRefresh(step: RefreshStep): void;
  /** A refresh that failed: `invalid_grant`, `refresh_busy`, `unavailable`, `timeout`... */
  tokenRefreshFailed(reason: string): void;
  folderIndex(step: FolderIndexStep): void;
  /** A Redis command that failed (an error reply, or no connection): its name (`GET`, `EVAL`). */
  redisCommandFailed(command: string): void;
  /** A Redis operation that did not answer within its deadline (sessions/deadline.ts). */
  redisDeadlineHit(): void;
  /** A session became connected to Dropbox (a new session id, after the OAuth callback). */
  sessionCreated(): void;
  /** Where the gauges are read from; set once by the composition root. */
  watch(gauges: TelemetryGauges): void;
  /** The scrape, in the Prometheus text format; undefined when metrics are off. */
  scrape(): Promise<{ contentType: string; body: string } | undefined>;
}

const nothing = () => undefined;

/** Telemetry off: every method does nothing, so a part costs nothing for being observable. */
export const NO_TELEMETRY: Telemetry = {
  httpRequest: nothing,
  dropboxCall: nothing,
  dropboxRetry: nothing,
  dropboxRateLimitWait: nothing,
  tokenRefresh: nothing,
  tokenRefreshFailed: nothing,
  folderIndex: nothing,
  redisCommandFailed: nothing,
  redisDeadlineHit: nothing,
  sessionCreated: nothing,
  watch: nothing,
  scrape: () => Promise.resolve(undefined),
};
