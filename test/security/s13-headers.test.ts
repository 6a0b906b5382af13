import { authorize } from '../support/oauth-dance';
import { startStack, withConnectedUser } from '../support/stack';

import { mediaSourcesOf } from '../../src/http/app';

/** Media (audio and video) only from the Dropbox content host's temporary links: here the emulator. */
const expectedCsp = (dropboxOrigin: string) =>
  `default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';media-src ${dropboxOrigin};frame-src 'self';object-src 'none';frame-ancestors 'none';base-uri 'self';form-action 'self'`;

describe('S13: security headers on every page', () => {
  const user = withConnectedUser();

  test.each(['/', '/browse', '/browse/Photos', '/nowhere'])('when %s is served, then the CSP is strict and referrers, framing and sniffing are off', async (path) => {
    const response = await user.agent.get(path).set('Accept', 'text/html');
    expect(response.headers['content-security-policy']).toBe(expectedCsp(user.stack.emulator.url));
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  test('when a page shows account data, then no cache may keep it', async () => {
    for (const path of ['/browse', '/browse/Photos', '/download/Documents/Notes.md']) {
      expect((await user.agent.get(path)).headers['cache-control']).toBe('no-store');
    }
  });

  test('when the callback answers, then it is a bare redirect with no-referrer, so the code cannot leak through Referer', async () => {
    const fresh = user.stack.agent();
    const { callbackUrl } = await authorize(fresh);
    const response = await fresh.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.text).not.toMatch(/<script|<img|<link/);
  });

  test('when the pages are rendered, then they carry no inline script or style', async () => {
    for (const path of ['/', '/browse', '/nowhere']) {
      const html = (await user.agent.get(path).set('Accept', 'text/html')).text;
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
  });

  test("when Dropview talks to the real Dropbox, then media may come from Dropbox's temporary-link hosts only", () => {
    expect(mediaSourcesOf('https://content.dropboxapi.com')).toEqual(['https://*.dl.dropboxusercontent.com']);
    expect(mediaSourcesOf('http://127.0.0.1:4100/')).toEqual(['http://127.0.0.1:4100']);
  });

  test('when running in production, then HSTS is sent', async () => {
    const production = await startStack({ emulator: user.stack.emulator, env: { NODE_ENV: 'production', TRUST_PROXY: '1', BASE_URL: 'https://dropview.test' } });
    try {
      const response = await production.agent().get('/').set('X-Forwarded-Proto', 'https');
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(response.headers['content-security-policy']).toBe(`${expectedCsp(user.stack.emulator.url)};upgrade-insecure-requests`);
    } finally {
      await production.close();
    }
  });
});
