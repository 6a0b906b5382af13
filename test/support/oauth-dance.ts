import type request from 'supertest';

type Agent = ReturnType<typeof request.agent>;

/**
 * What a browser does to connect: follow the app to the emulator's authorize page (which
 * approves at once in tests), then bring the code back to the app's callback.
 */

export interface DanceResult {
  /** The authorize URL the app sent the browser to. */
  authorizeUrl: URL;
  /** The callback URL Dropbox sent the browser back to. */
  callbackUrl: URL;
  /** The app's answer to the callback. */
  response: request.Response;
}

/** Goes through /auth/dropbox up to (not including) the callback. */
export async function authorize(agent: Agent, startPath = '/auth/dropbox'): Promise<{ authorizeUrl: URL; callbackUrl: URL }> {
  // A browser's page navigations: a page that needs a connection sends them on to /auth/dropbox.
  let location = (await agent.get(startPath).set('Accept', 'text/html').expect(302)).headers.location;
  if (location.startsWith('/')) location = (await agent.get(location).set('Accept', 'text/html').expect(302)).headers.location;
  const authorizeUrl = new URL(location);
  const approval = await fetch(authorizeUrl, { redirect: 'manual' });
  if (approval.status !== 302) throw new Error(`authorize answered ${approval.status}: ${await approval.text()}`);
  return { authorizeUrl, callbackUrl: new URL(approval.headers.get('location') as string) };
}

export async function connect(agent: Agent, startPath = '/auth/dropbox'): Promise<DanceResult> {
  const { authorizeUrl, callbackUrl } = await authorize(agent, startPath);
  const response = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`);
  return { authorizeUrl, callbackUrl, response };
}

/** The session cookie the agent holds, as `name=value`. */
export function sessionCookieOf(response: request.Response): string | undefined {
  const cookies = response.headers['set-cookie'] as unknown as string[] | undefined;
  return cookies?.find((cookie) => cookie.startsWith('dropview.sid='))?.split(';')[0];
}
