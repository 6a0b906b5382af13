import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DropboxRetryReason, FolderIndexStep, RefreshStep, Telemetry, TelemetryGauges } from './telemetry';

/**
 * Telemetry as Prometheus metrics (prom-client), on a registry of this instance's own so that
 * several Dropviews in one process (the tests) count apart. Built by the composition root
 * only when METRICS_TOKEN is set; served on GET /metrics (handlers/metrics.ts). README
 * "Operating Dropview" lists every metric and what to alert on.
 */

/**
 * Every label value is a name from the code, but a value that does not look like one (a
 * Dropbox error tag is Dropbox's text, after all) is recorded as `other`: a label can then
 * never carry a quote, a newline or a person's words, and the number of series stays bounded.
 */
const LABEL_VALUE = /^[A-Za-z0-9_./{}*:-]{0,80}$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function labelValue(value: string): string {
  return LABEL_VALUE.test(value) ? value : 'other';
}

/** Lookups kept for label sets seen before (see httpSeries). */
const MAX_KEPT_SERIES = 1000;

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Up to the longest longpoll Dropbox may hold (its timeout plus 90 s of jitter). */
const DROPBOX_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60, 120];

export class PrometheusTelemetry implements Telemetry {
  private readonly registry = new Registry();
  private gauges?: TelemetryGauges;

  private readonly httpDuration = new Histogram({
    name: 'dropview_http_request_duration_seconds',
    help: 'Requests answered, by method, route template (never the path) and status; _count counts them.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly dropboxCalls = new Counter({
    name: 'dropview_dropbox_calls_total',
    help: 'Dropbox call attempts, by route and outcome: HTTP status (or timeout, unreachable) and Dropbox error tag.',
    labelNames: ['route', 'status', 'error'] as const,
    registers: [this.registry],
  });
  private readonly dropboxDuration = new Histogram({
    name: 'dropview_dropbox_call_duration_seconds',
    help: 'Time of each Dropbox call attempt, by route (files/list_folder/longpoll is held open on purpose).',
    labelNames: ['route'] as const,
    buckets: DROPBOX_BUCKETS,
    registers: [this.registry],
  });
  private readonly dropboxRetries = new Counter({
    name: 'dropview_dropbox_retries_total',
    help: 'Dropbox calls made again, by route and reason (server_error: a 5xx; rate_limited: a 429 waited out).',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly rateLimitWait = new Counter({
    name: 'dropview_dropbox_rate_limit_wait_seconds_total',
    help: 'Seconds spent waiting out Dropbox 429s before retrying, by route.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private readonly refreshSteps = {
    started: new Counter({ name: 'dropview_token_refreshes_started_total', help: 'Token refreshes this process began.', registers: [this.registry] }),
    lock_won: new Counter({ name: 'dropview_token_refresh_locks_won_total', help: "Token refreshes that took the session's refresh lock.", registers: [this.registry] }),
    waited: new Counter({ name: 'dropview_token_refresh_waits_total', help: 'Token refreshes that found the lock held (another instance) and waited for its token.', registers: [this.registry] }),
  } satisfies Record<RefreshStep, Counter>;
  private readonly refreshFailures = new Counter({
    name: 'dropview_token_refresh_failures_total',
    help: 'Token refreshes that failed, by reason (invalid_grant: revoked; refresh_busy: the lock holder never finished; unavailable, timeout, rate_limited: Dropbox).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly folderIndexSteps = new Counter({
    name: 'dropview_folder_index_operations_total',
    help: 'Folder index work, by kind: hit (a page from a complete index), delta_check (list_folder/continue), quiet (a view a quiet Dropbox longpoll spared its check), full_read (a folder read whole).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly redisErrors = new Counter({
    name: 'dropview_redis_command_errors_total',
    help: 'Redis commands that failed (error reply or no connection), by command.',
    labelNames: ['command'] as const,
    registers: [this.registry],
  });
  private readonly redisDeadlines = new Counter({
    name: 'dropview_redis_deadline_hits_total',
    help: 'Redis operations that did not answer within their deadline (1.5 s; 1 s for /readyz).',
    registers: [this.registry],
  });
  private readonly sessions = new Counter({ name: 'dropview_sessions_created_total', help: 'Sessions that connected a Dropbox account.', registers: [this.registry] });

  /**
   * The series of label sets seen before, by a key of their values: what a view observes is
   * found with one Map lookup instead of prom-client's checking and hashing of the labels.
   */
  private readonly httpSeries = new Map<string, ReturnType<PrometheusTelemetry['httpDuration']['labels']>>();
  private readonly dropboxSeries = new Map<string, { calls: ReturnType<PrometheusTelemetry['dropboxCalls']['labels']>; duration: ReturnType<PrometheusTelemetry['dropboxDuration']['labels']> }>();
  private readonly folderIndexSeries = {
    hit: this.folderIndexSteps.labels('hit'),
    delta_check: this.folderIndexSteps.labels('delta_check'),
    quiet: this.folderIndexSteps.labels('quiet'),
    full_read: this.folderIndexSteps.labels('full_read'),
  } satisfies Record<FolderIndexStep, unknown>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const gauges = () => this.gauges;
    new Gauge({
      name: 'dropview_event_streams_open',
      help: 'Event streams (live folder pages) open on this instance.',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.eventStreams().open ?? 0);
      },
    });
    new Gauge({
      name: 'dropview_event_streams_limit',
      help: 'Event streams this instance accepts (EVENT_STREAMS_PER_INSTANCE); beyond it new ones get 503.',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.eventStreams().limit ?? 0);
      },
    });
    new Gauge({
      name: 'dropview_dropbox_longpolls_held',
      help: 'Dropbox longpolls this instance holds open (one per watched folder).',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.longpollsHeld() ?? 0);
      },
    });
    new Gauge({
      name: 'dropview_folder_index_entries_held',
      help: 'Folder index entries held in this process (FOLDER_INDEX_MEMORY_ENTRIES bounds them).',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.folderIndex().entries ?? 0);
      },
    });
    new Gauge({
      name: 'dropview_folder_index_stored_bytes',
      help: 'Bytes in the store (Redis) of the index batches of the folders this process holds.',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.folderIndex().storedBytes ?? 0);
      },
    });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.httpSeries.get(key);
    if (!series) {
      series = this.httpDuration.labels(METHODS.has(method) ? method : 'other', labelValue(route), String(status));
      if (this.httpSeries.size < MAX_KEPT_SERIES) this.httpSeries.set(key, series);
    }
    series.observe(seconds);
  }

  dropboxCall(route: string, status: string, errorTag: string, seconds: number): void {
    const key = `${route} ${status} ${errorTag}`;
    let series = this.dropboxSeries.get(key);
    if (!series) {
      const routeLabel = labelValue(route);
      series = { calls: this.dropboxCalls.labels(routeLabel, labelValue(status), labelValue(errorTag)), duration: this.dropboxDuration.labels(routeLabel) };
      // Dropbox's error tags are a closed set, but its answers are not ours: past a bound, the lookup is not kept.
      if (this.dropboxSeries.size < MAX_KEPT_SERIES) this.dropboxSeries.set(key, series);
    }
    series.calls.inc();
    series.duration.observe(seconds);
  }

  dropboxRetry(route: string, reason: DropboxRetryReason): void {
    this.dropboxRetries.labels(labelValue(route), reason).inc();
  }

  dropboxRateLimitWait(route: string, seconds: number): void {
    this.rateLimitWait.labels(labelValue(route)).inc(seconds);
  }

  tokenRefresh(step: RefreshStep): void {
    this.refreshSteps[step].inc();
  }

  tokenRefreshFailed(reason: string): void {
    this.refreshFailures.labels(labelValue(reason)).inc();
  }

  folderIndex(step: FolderIndexStep): void {
    this.folderIndexSeries[step].inc();
  }

  redisCommandFailed(command: string): void {
    this.redisErrors.labels(labelValue(command.toUpperCase())).inc();
  }

  redisDeadlineHit(): void {
    this.redisDeadlines.inc();
  }

  sessionCreated(): void {
    this.sessions.inc();
  }

  watch(gauges: TelemetryGauges): void {
    this.gauges = gauges;
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
