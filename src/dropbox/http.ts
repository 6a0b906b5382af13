import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

/**
 * One axios instance per Dropbox host, with keep-alive agents so that page views reuse
 * connections, and a bound on every call so that a hung Dropbox cannot hang a page.
 */

export interface HttpOptions {
  /** Total time a call may take before it is abandoned (504 to the user). */
  timeoutMs: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = { timeoutMs: 10_000 };

const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16 };

export function createDropboxHttp(baseURL: string, options: HttpOptions): AxiosInstance {
  return axios.create({
    baseURL,
    timeout: options.timeoutMs,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    // Every status is handled by the caller, which turns it into an AppError with a tag.
    validateStatus: () => true,
    // Dropbox bodies are JSON or plain text depending on the status; parse them ourselves.
    transformResponse: (data: unknown) => data,
    responseType: 'text',
    maxRedirects: 0,
  });
}
