import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { NO_TELEMETRY, type Telemetry } from '../telemetry/telemetry';
import { apiFailure, errorTagOf, isDropboxFailure, retryAfterOf, transportFailure } from './errors';

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

/** Bytes of an error answer read from a streamed response: Dropbox's error bodies are small JSON. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** A download-style answer: the headers, and the body as bytes or as a stream still arriving. */
export interface ContentResponse<T> {
  status: 200;
  headers: AxiosResponse['headers'];
  data: T;
}

async function textOf(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= ERROR_BODY_LIMIT) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

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
  const maxSockets = options.maxSockets ?? 64;
  // As many idle connections kept as may be open: fewer, and every burst of concurrent views
  // closed the surplus and opened it again on the next (connect + close were 3 % of a folder
  // page's CPU under npm run bench:profile with 50 sessions).
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  for (const agent of [httpAgent, httpsAgent] as (http.Agent & { createConnection: (...args: unknown[]) => Socket })[]) {
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (...args: unknown[]) => boundConnect(create(...args), options.connectTimeoutMs);
  }
  return { httpAgent, httpsAgent };
}

/** Answers remembered for recentAnswerMs. */
const REMEMBERED_ANSWERS = 16;

export class DropboxHttp {
  private readonly axios: AxiosInstance;
  private readonly telemetry: Telemetry;
  private readonly answerMs: number[] = [];
  private nextAnswer = 0;

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
   * A download-style call (files/download, files/get_preview, files/download_zip): a POST with
   * no body and its answer's bytes, whole (`maxBytes` at most, else a transport failure) or as
   * a stream still arriving. Anything but a 200 is thrown as Dropbox's failure (apiFailure).
   * Whole answers follow the retry rules for 5xx; a stream is one attempt.
   */
  async content(route: string, url: string, config: { headers: Record<string, string>; maxBytes: number; signal?: AbortSignal }): Promise<ContentResponse<Buffer>> {
    let serverErrorRetries = 0;
    for (;;) {
      const response = await this.contentOnce<ArrayBuffer>(route, url, config, 'arraybuffer');
      if (response.status === 200) return { status: 200, headers: response.headers, data: Buffer.from(response.data) };
      if (RETRIED_STATUSES.has(response.status) && serverErrorRetries < this.options.serverErrorRetries) {
        await this.backOff(route, serverErrorRetries);
        serverErrorRetries += 1;
        continue;
      }
      throw apiFailure(route, { ...response, data: Buffer.from(response.data).toString('utf8') });
    }
  }

  /** The same, the body a stream: the caller pipes it on and must consume or destroy it. `signal` aborts it. */
  async contentStream(route: string, url: string, config: { headers: Record<string, string>; signal?: AbortSignal }): Promise<ContentResponse<Readable>> {
    const response = await this.contentOnce<Readable>(route, url, config, 'stream');
    if (response.status === 200) return { status: 200, headers: response.headers, data: response.data };
    throw apiFailure(route, { ...response, data: await textOf(response.data) });
  }

  private async contentOnce<T>(
    route: string,
    url: string,
    config: { headers: Record<string, string>; maxBytes?: number; signal?: AbortSignal },
    responseType: 'arraybuffer' | 'stream',
  ): Promise<AxiosResponse<T>> {
    const started = performance.now();
    try {
      const response = await this.axios.post<T>(url, undefined, {
        // null: no Content-Type at all for the empty body (axios would otherwise pick a form type).
        headers: { ...config.headers, 'Content-Type': null },
        signal: config.signal,
        responseType,
        ...(config.maxBytes ? { maxContentLength: config.maxBytes } : {}),
      });
      // Timed to the answer's head: a stream's body takes as long as the reader does. The error
      // tag is in a body not read yet, so it is left out here.
      this.telemetry.dropboxCall(route, String(response.status), '', (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      const failure = transportFailure(route, error);
      if (!config.signal?.aborted) this.telemetry.dropboxCall(route, isDropboxFailure(failure, 'timeout') ? 'timeout' : 'unreachable', '', (performance.now() - started) / 1000);
      throw failure;
    }
  }

  /** The slowest of this host's last answers (0 before the first): how long a request takes to reach Dropbox and come back now. */
  recentAnswerMs(): number {
    return this.answerMs.length ? Math.max(...this.answerMs) : 0;
  }

  /** Waits before retrying a 5xx: 100 ms, then 300 ms (backoffMs times 3 to the retry), plus as much jitter at most. */
  private async backOff(route: string, retry: number): Promise<void> {
    const delay = this.options.backoffMs * 3 ** retry;
    this.telemetry.dropboxRetry(route, 'server_error');
    await sleep(delay + Math.random() * delay);
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
      const answerMs = performance.now() - started;
      this.telemetry.dropboxCall(route, String(response.status), response.status === 200 ? '' : errorTagOf(response), answerMs / 1000);
      this.answerMs[this.nextAnswer] = answerMs;
      this.nextAnswer = (this.nextAnswer + 1) % REMEMBERED_ANSWERS;
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
        await this.backOff(route, serverErrorRetries);
        serverErrorRetries += 1;
        continue;
      }
      return response;
    }
  }
}
