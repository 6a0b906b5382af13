import { DropboxEmulator, type EmulatorOptions } from '../../src';

/**
 * What the package's tests share: an emulator on a free port, tokens got through the real
 * authorize + token flow (as a client gets them), and RPC calls over real HTTP.
 */

export const REDIRECT_URI = 'http://localhost:9999/cb';

export interface Rpc<T = any> {
  status: number;
  contentType: string | null;
  text: string;
  /** The parsed body, when it was JSON. */
  body: T;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<DropboxEmulator> {
  const emulator = new DropboxEmulator({ autoApprove: true, redirectUris: [REDIRECT_URI], ...options });
  await emulator.listen();
  return emulator;
}

/** An access token for `accountId` (default: the default account), through authorize and the code exchange. */
export async function tokenFor(emulator: DropboxEmulator, accountId?: string): Promise<string> {
  const signedInBefore = emulator.signedInAccount.accountId;
  emulator.signInAs(accountId ?? emulator.defaultAccount.accountId);
  try {
    const authorize = new URL(`${emulator.url}/oauth2/authorize`);
    authorize.search = new URLSearchParams({ client_id: emulator.app.key, response_type: 'code', redirect_uri: REDIRECT_URI, token_access_type: 'offline' }).toString();
    const approval = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(approval.headers.get('location') as string).searchParams.get('code') as string;
    const exchange = await fetch(`${emulator.url}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${emulator.app.key}:${emulator.app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
    });
    return ((await exchange.json()) as { access_token: string }).access_token;
  } finally {
    emulator.signInAs(signedInBefore);
  }
}

/** POST /2/<route> with a JSON body (or none), as the SDKs send it. */
export async function rpc<T = any>(emulator: DropboxEmulator, route: string, token: string | undefined, args?: unknown): Promise<Rpc<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (args !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${emulator.url}/2/${route}`, { method: 'POST', headers, body: args === undefined ? undefined : JSON.stringify(args) });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, body };
}

export interface ListResult {
  entries: Record<string, any>[];
  cursor: string;
  has_more: boolean;
}

export async function listFolder(emulator: DropboxEmulator, token: string, args: Record<string, unknown>): Promise<ListResult> {
  const response = await rpc<ListResult>(emulator, 'files/list_folder', token, args);
  if (response.status !== 200) throw new Error(`list_folder: ${response.status} ${response.text}`);
  return response.body;
}

/** A page, or (for the errors tests check) `{error_summary, error}`. */
export type ListOrError = ListResult & { error?: Record<string, unknown>; error_summary?: string };

export async function listContinue(emulator: DropboxEmulator, token: string, cursor: string): Promise<Rpc<ListOrError>> {
  return rpc<ListOrError>(emulator, 'files/list_folder/continue', token, { cursor });
}

/** Pages through a listing to its last page; returns every entry and the last page's cursor. */
export async function listAll(emulator: DropboxEmulator, token: string, args: Record<string, unknown>): Promise<{ entries: Record<string, any>[]; cursor: string; pages: number }> {
  let page = await listFolder(emulator, token, args);
  const entries = [...page.entries];
  let pages = 1;
  while (page.has_more) {
    const next = await listContinue(emulator, token, page.cursor);
    if (next.status !== 200) throw new Error(`continue: ${next.status} ${next.text}`);
    page = next.body;
    entries.push(...page.entries);
    pages += 1;
  }
  return { entries, cursor: page.cursor, pages };
}

/** Resolves once the emulator has received `count` calls of `route` in all: an event, not a sleep. */
export async function callsArrived(emulator: DropboxEmulator, route: string, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (emulator.calls(route).length < count) {
    if (Date.now() > deadline) throw new Error(`${count} calls of ${route} did not arrive within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** POST /__emulator/<action> (the control API), answering status and JSON. */
export async function control<T = any>(emulator: DropboxEmulator, action: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${emulator.url}/__emulator/${action}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}
