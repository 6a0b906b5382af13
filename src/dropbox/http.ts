import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { NO_TELEMETRY, type Telemetry } from '../telemetry/telemetry';
import { errorTagOf, isDropboxFailure, retryAfterOf, transportFailure } from './errors';

/**
 * One axios instance per Dropbox host, with keep-alive agents so that page views reuse
 * connections, a bound on connecting and on every whole call so that a hung Dropbox cannot
 * hang a page, and the retry rules of Dropbox's guidance: 5xx retried with backoff a few
 * times, a 429 retried once when Dropbox asks for a short wait.
 */

export interface HttpOptions {
  /** Time to open a TCP connection. */
  connectTimeoutMs: number;
  /** Total time a call may take before it is abandoned (504 to the user). */
  timeoutMs: number;
  /** A 429 asking for at most this many seconds is waited out and retried once; longer ones go to the user as 503. */
  maxRetryWaitSeconds: number;
  /** Retries of a 500/502/503/504 on calls that are safe to repeat. */
  serverErrorRetries: number;
  /** First backoff delay; each retry waits three times longer, plus jitter. */
  backoffMs: number;
  /** Connections per host at most. */
  maxSockets?: number;
  /** Told of every attempt, retry and 429 wait. */
  telemetry?: Telemetry;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = { connectTimeoutMs: 3000, timeoutMs: 10_000, maxRetryWaitSeconds: 5, serverErrorRetries: 2, backoffMs: 100 };

const RETRIED_STATUSES = new Set([500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Destroys a socket that has not connected within `ms`; the request then fails with ETIMEDOUT. */
function boundConnect(socket: Socket, ms: number): Socket {
  if (socket.connecting) {
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), ms);
    const clear = () => clearTimeout(timer);
    socket.once('connect', clear);
    socket.once('close', clear);
  }
  return socket;
}

function agentsFor(options: HttpOptions) {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, maxFreeSockets: 16 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  for (const agent of [httpAgent, httpsAgent] as (http.Agent & { createConnection: (...args: unknown[]) => Socket })[]) {
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (...args: unknown[]) => boundConnect(create(...args), options.connectTimeoutMs);
  }
  return { httpAgent, httpsAgent };
}

export class DropboxHttp {
  private readonly axios: AxiosInstance;
  private readonly telemetry: Telemetry;

  constructor(
    baseURL: string,
    private readonly options: HttpOptions,
  ) {
    this.telemetry = options.telemetry ?? NO_TELEMETRY;
    this.axios = axios.create({
      baseURL,
      timeout: options.timeoutMs,
      ...agentsFor(options),
      // Every status is handled by the caller, which turns it into an AppError with a tag.
      validateStatus: () => true,
      // Dropbox bodies are JSON or plain text depending on the status; parse them ourselves.
      transformResponse: (data: unknown) => data,
      responseType: 'text',
      maxRedirects: 0,
      // Never through HTTP(S)_PROXY from the environment: tokens and the app secret would pass
      // through whatever proxy a host happens to set, and our connect bound would not apply.
      proxy: false,
    });
  }

  /**
   * POSTs and applies the retry rules when `repeatable`. Transport failures come back as
   * AppErrors; axios errors, which carry the request's headers, never leave this method.
   */
  async post(
    route: string,
    url: string,
    body: string | undefined,
    config: {
      headers: Record<string, string | null>;
      auth?: { username: string; password: string };
      timeoutMs?: number;
      signal?: AbortSignal;
      /** False: a 429 goes back to the caller at once instead of being waited out. */
      waitOutRateLimit?: boolean;
    },
    repeatable: boolean,
  ): Promise<AxiosResponse<string>> {
    let serverErrorRetries = 0;
    let rateLimitRetried = false;
    for (;;) {
      let response: AxiosResponse<string>;
      const started = performance.now();
      try {
        response = await this.axios.post<string>(url, body, { headers: config.headers, auth: config.auth, signal: config.signal, ...(config.timeoutMs ? { timeout: config.timeoutMs } : {}) });
      } catch (error) {
        const failure = transportFailure(route, error);
        // A longpoll ended by its watch (shutdown, last page closed) is not Dropbox's failure.
        if (!config.signal?.aborted) this.telemetry.dropboxCall(route, isDropboxFailure(failure, 'timeout') ? 'timeout' : 'unreachable', '', (performance.now() - started) / 1000);
        throw failure;
      }
      this.telemetry.dropboxCall(route, String(response.status), response.status === 200 ? '' : errorTagOf(response), (performance.now() - started) / 1000);
      if (!repeatable) return response;
      if (response.status === 429 && !rateLimitRetried && config.waitOutRateLimit !== false) {
        const waitSeconds = retryAfterOf(response);
        if (waitSeconds > this.options.maxRetryWaitSeconds) return response;
        rateLimitRetried = true;
        this.telemetry.dropboxRateLimitWait(route, waitSeconds);
        this.telemetry.dropboxRetry(route, 'rate_limited');
        await sleep(waitSeconds * 1000);
        continue;
      }
      if (RETRIED_STATUSES.has(response.status) && serverErrorRetries < this.options.serverErrorRetries) {
        const delay = this.options.backoffMs * 3 ** serverErrorRetries;
        serverErrorRetries += 1;
        this.telemetry.dropboxRetry(route, 'server_error');
        await sleep(delay + Math.random() * delay);
        continue;
      }
      return response;
    }
  }
}
