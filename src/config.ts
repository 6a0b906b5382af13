import { z } from 'zod';

/**
 * Dropview's configuration (docs/contract.md "Configuration"), read from the environment once at
 * start-up into one typed, frozen object. Anything missing or malformed stops start-up with
 * one line naming the variable.
 */

export interface DropboxEndpoints {
  appKey: string;
  appSecret: string;
  authorizeUrl: string;
  apiUrl: string;
  contentUrl: string;
  notifyUrl: string;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  /** Undefined when PORT is 0 and BASE_URL unset: the server fills it in once it knows its port. */
  baseUrl?: string;
  /** True when no Dropbox app is configured outside production: an embedded emulator stands in. */
  demoMode: boolean;
  dropbox: DropboxEndpoints;
  session: {
    secrets: string[];
    idleTimeoutMs: number;
    maxAgeMs: number;
  };
  tokenEncryptionKeys: string[];
  redisUrl?: string;
  redisClusterNodes?: string[];
  trustProxy: number;
  /** Requests to /auth/* per client IP per 15 minutes. */
  authRateLimit: number;
  /** A Dropbox 429 asking for at most this many seconds is waited out and retried once. */
  dropboxRetryMaxWaitSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_REQUEST_PATHS: request log lines carry paths (file names) instead of route templates. */
  logRequestPaths: boolean;
  eventStreams: {
    /** EVENT_STREAMS_PER_SESSION: a new stream beyond this ends the session's oldest. */
    perSession: number;
    /** EVENT_STREAMS_PER_INSTANCE: beyond this, new streams are refused (503). */
    perInstance: number;
    /** EVENT_STREAM_LIFETIME: a stream ends after this; the browser reconnects and is checked again. */
    lifetimeMs: number;
  };
  folderIndex: {
    /** An index not written for this long is dropped (FOLDER_INDEX_TTL). */
    ttlMs: number;
    /** Entries one folder index keeps (FOLDER_INDEX_MAX_ENTRIES). */
    maxEntries: number;
    /** Entries this process keeps in memory across indexes (FOLDER_INDEX_MEMORY_ENTRIES). */
    memoryEntries: number;
    /** How long after its last check a folder whose Dropbox longpoll stays quiet is shown without a check; 0: every view checks (FOLDER_INDEX_QUIET_TRUST). */
    quietTrustMs: number;
  };
  /** METRICS_TOKEN: GET /metrics answers only `Authorization: Bearer <this>`; unset, there are no metrics. */
  metricsToken?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Things an operator should know but that do not stop start-up. */
  warnings: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30m", "12h", "7d" (and "45s") into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
  return ms > 0 ? ms : undefined;
}

/** A duration in milliseconds; with `zero`, `0` is allowed too (for "none"). */
const durationSchema = (zero: boolean) =>
  z.string().transform((text, ctx) => {
    const ms = zero && text.trim() === '0' ? 0 : parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be ${zero ? '0 or ' : ''}a duration such as 30m, 12h or 7d (got "${text}")` });
      return z.NEVER;
    }
    return ms;
  });
const duration = durationSchema(false);
const durationOrZero = durationSchema(true);

const MIN_SECRET_LENGTH = 32;
const MIN_DISTINCT_CHARACTERS = 10;

/**
 * Long is not enough: 32 times the same letter is long. A secret must mix at least ten
 * different characters, none making up more than a quarter of it; any generated secret
 * (`openssl rand -base64 48`) does, and a keyboard pattern or a repeated word does not.
 */
export function looksRandom(secret: string): boolean {
  const counts = new Map<string, number>();
  for (const character of secret) counts.set(character, (counts.get(character) ?? 0) + 1);
  return counts.size >= MIN_DISTINCT_CHARACTERS && Math.max(...counts.values()) <= secret.length / 4;
}

const secretList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .refine((items) => items.length > 0, 'must hold at least one secret')
  .refine((items) => items.every((item) => item.length >= MIN_SECRET_LENGTH), `each secret must be at least ${MIN_SECRET_LENGTH} characters`)
  .refine((items) => items.every(looksRandom), 'looks weak: use a random value, e.g. `openssl rand -base64 48`');

const bearerToken = z
  .string()
  .trim()
  .refine((token) => token.length >= MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
  .refine((token) => /^[\x21-\x7e]+$/.test(token), 'must be printable ASCII without spaces (it is sent in an Authorization header)')
  .refine(looksRandom, 'looks weak: use a random value, e.g. `openssl rand -base64 48`');

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** https, or plain http to this machine only (an emulator beside the app, as the benchmarks run it). */
function isSecureOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || LOOPBACK_HOSTS.has(parsed.hostname);
}

const hostPortList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .refine((items) => items.length > 0 && items.every((item) => /^[^\s:,]+:\d{1,5}$/.test(item)), 'must be host:port,host:port,...');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((url) => url.replace(/\/+$/, ''));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  BASE_URL: httpUrl.optional(),
  DROPBOX_APP_KEY: z.string().optional(),
  DROPBOX_APP_SECRET: z.string().optional(),
  SESSION_SECRET: secretList.optional(),
  TOKEN_ENCRYPTION_KEY: secretList.optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  SESSION_IDLE_TIMEOUT: duration.default(12 * DURATION_UNITS_MS.h),
  SESSION_MAX_AGE: duration.default(7 * DURATION_UNITS_MS.d),
  TRUST_PROXY: z.coerce.number({ error: 'must be a number of proxy hops' }).int().min(0).max(10).default(0),
  AUTH_RATE_LIMIT: z.coerce.number({ error: 'must be a number of requests' }).int().min(1).default(60),
  DROPBOX_RETRY_MAX_WAIT: z.coerce.number({ error: 'must be a number of seconds' }).min(0).max(60).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_REQUEST_PATHS: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
  DROPBOX_AUTHORIZE_URL: httpUrl.default('https://www.dropbox.com/oauth2/authorize'),
  DROPBOX_API_URL: httpUrl.default('https://api.dropboxapi.com'),
  DROPBOX_CONTENT_URL: httpUrl.default('https://content.dropboxapi.com'),
  DROPBOX_NOTIFY_URL: httpUrl.default('https://notify.dropboxapi.com'),
  EVENT_STREAMS_PER_SESSION: z.coerce.number({ error: 'must be a number of streams' }).int().min(1).max(100).default(4),
  EVENT_STREAMS_PER_INSTANCE: z.coerce.number({ error: 'must be a number of streams' }).int().min(1).default(1000),
  EVENT_STREAM_LIFETIME: duration.default(15 * DURATION_UNITS_MS.m),
  FOLDER_INDEX_TTL: duration.default(24 * DURATION_UNITS_MS.h),
  FOLDER_INDEX_MAX_ENTRIES: z.coerce.number({ error: 'must be a number of entries' }).int().min(1000).default(250_000),
  FOLDER_INDEX_MEMORY_ENTRIES: z.coerce.number({ error: 'must be a number of entries' }).int().min(1000).default(500_000),
  FOLDER_INDEX_QUIET_TRUST: durationOrZero.default(30 * DURATION_UNITS_MS.s),
  METRICS_TOKEN: bearerToken.optional(),
});

type Env = z.infer<typeof schema>;

/** The key and secret the embedded emulator registers in demo mode. */
export const DEMO_APP = { key: 'demo-app-key', secret: 'demo-app-secret' } as const;

function firstIssueLine(error: z.ZodError): string {
  const issue = error.issues[0];
  const variable = issue.path.join('.') || 'environment';
  return `${variable} ${issue.message}`;
}

/** `.env` files often carry `NAME=` for "not set"; treat empty values as absent. */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1]?.trim())));
}

function crossChecks(env: Env): string | undefined {
  const production = env.NODE_ENV === 'production';
  if (production) {
    if (!env.DROPBOX_APP_KEY) return 'DROPBOX_APP_KEY is required in production';
    if (!env.DROPBOX_APP_SECRET) return 'DROPBOX_APP_SECRET is required in production';
    if (!env.SESSION_SECRET) return `SESSION_SECRET is required in production (at least ${MIN_SECRET_LENGTH} random characters)`;
    if (!env.TOKEN_ENCRYPTION_KEY) return 'TOKEN_ENCRYPTION_KEY is required in production (its own random value, not derived from SESSION_SECRET)';
    if (env.TOKEN_ENCRYPTION_KEY.some((key) => env.SESSION_SECRET?.includes(key))) return 'TOKEN_ENCRYPTION_KEY must differ from SESSION_SECRET in production';
    if (!env.BASE_URL) return 'BASE_URL is required in production (the public https:// origin, as registered in the Dropbox App Console)';
    if (!env.BASE_URL.startsWith('https://')) return 'BASE_URL must be an https:// URL in production';
    for (const variable of ['DROPBOX_AUTHORIZE_URL', 'DROPBOX_API_URL', 'DROPBOX_CONTENT_URL', 'DROPBOX_NOTIFY_URL'] as const) {
      if (!isSecureOrLoopback(env[variable])) return `${variable} must be an https:// URL in production (plain http only to this machine)`;
    }
  }
  if (env.DROPBOX_APP_KEY && !env.DROPBOX_APP_SECRET) return 'DROPBOX_APP_SECRET is required when DROPBOX_APP_KEY is set';
  if (env.DROPBOX_APP_SECRET && !env.DROPBOX_APP_KEY) return 'DROPBOX_APP_KEY is required when DROPBOX_APP_SECRET is set';
  if (env.SESSION_MAX_AGE < env.SESSION_IDLE_TIMEOUT) return 'SESSION_MAX_AGE must not be shorter than SESSION_IDLE_TIMEOUT';
  // An index bigger than the memory budget could never be held, and every view would load it whole.
  if (env.FOLDER_INDEX_MEMORY_ENTRIES < env.FOLDER_INDEX_MAX_ENTRIES) return 'FOLDER_INDEX_MEMORY_ENTRIES must be at least FOLDER_INDEX_MAX_ENTRIES';
  return undefined;
}

/**
 * @param randomSecret supplies a session secret outside production when none is set; every
 *   restart then signs cookies anew, which is why the caller is warned.
 */
export function loadConfig(rawEnv: NodeJS.ProcessEnv, randomSecret: () => string): LoadedConfig {
  const parsed = schema.safeParse(withoutEmptyValues(rawEnv));
  if (!parsed.success) throw new ConfigError(firstIssueLine(parsed.error));
  const env = parsed.data;
  const problem = crossChecks(env);
  if (problem) throw new ConfigError(problem);

  const warnings: string[] = [];
  const demoMode = !env.DROPBOX_APP_KEY;
  let sessionSecrets = env.SESSION_SECRET;
  if (!sessionSecrets) {
    sessionSecrets = [randomSecret()];
    warnings.push('SESSION_SECRET is not set: using a random one, so sessions end when the process restarts');
  }
  if (env.REDIS_URL && env.REDIS_CLUSTER_NODES) warnings.push('REDIS_CLUSTER_NODES is set, so REDIS_URL is ignored');
  if (env.TRUST_PROXY > 0 && !isLoopbackBind(env.HOST)) {
    warnings.push(
      `TRUST_PROXY=${env.TRUST_PROXY} while listening on ${env.HOST}: a client that reaches the app directly can claim any address and HTTPS in X-Forwarded-* headers. Listen on an address only the proxy can reach, or firewall the port.`,
    );
  }

  const config: Config = {
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    baseUrl: env.BASE_URL ?? (env.PORT === 0 ? undefined : `http://localhost:${env.PORT}`),
    demoMode,
    dropbox: {
      appKey: env.DROPBOX_APP_KEY ?? DEMO_APP.key,
      appSecret: env.DROPBOX_APP_SECRET ?? DEMO_APP.secret,
      authorizeUrl: env.DROPBOX_AUTHORIZE_URL,
      apiUrl: env.DROPBOX_API_URL,
      contentUrl: env.DROPBOX_CONTENT_URL,
      notifyUrl: env.DROPBOX_NOTIFY_URL,
    },
    session: { secrets: sessionSecrets, idleTimeoutMs: env.SESSION_IDLE_TIMEOUT, maxAgeMs: env.SESSION_MAX_AGE },
    tokenEncryptionKeys: env.TOKEN_ENCRYPTION_KEY ?? sessionSecrets,
    redisUrl: env.REDIS_CLUSTER_NODES ? undefined : env.REDIS_URL,
    redisClusterNodes: env.REDIS_CLUSTER_NODES,
    trustProxy: env.TRUST_PROXY,
    authRateLimit: env.AUTH_RATE_LIMIT,
    dropboxRetryMaxWaitSeconds: env.DROPBOX_RETRY_MAX_WAIT,
    logLevel: env.LOG_LEVEL,
    logRequestPaths: env.LOG_REQUEST_PATHS === '1',
    eventStreams: { perSession: env.EVENT_STREAMS_PER_SESSION, perInstance: env.EVENT_STREAMS_PER_INSTANCE, lifetimeMs: env.EVENT_STREAM_LIFETIME },
    folderIndex: { ttlMs: env.FOLDER_INDEX_TTL, maxEntries: env.FOLDER_INDEX_MAX_ENTRIES, memoryEntries: env.FOLDER_INDEX_MEMORY_ENTRIES, quietTrustMs: env.FOLDER_INDEX_QUIET_TRUST },
    metricsToken: env.METRICS_TOKEN,
  };
  return { config: Object.freeze(config), warnings };
}

export function redirectUriOf(baseUrl: string): string {
  return `${baseUrl}/auth/dropbox/callback`;
}
