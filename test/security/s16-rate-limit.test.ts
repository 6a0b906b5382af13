import { startStack, type Stack } from '../support/stack';

describe('S16: /auth/* is rate-limited per client IP', () => {
  describe('with direct clients (TRUST_PROXY=0)', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ env: { AUTH_RATE_LIMIT: '5' } });
    });
    afterAll(async () => stack.close());

    test('when one client exceeds the limit, then the next request is 429 with Retry-After and a plain page', async () => {
      for (let i = 0; i < 5; i += 1) await stack.agent().get('/auth/dropbox').expect(302);
      const refused = await stack.agent().get('/auth/dropbox').set('Accept', 'text/html').expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.text).toContain('Too many sign-in requests');
      // A forged X-Forwarded-For from an untrusted client changes nothing.
      await stack.agent().get('/auth/dropbox').set('X-Forwarded-For', '203.0.113.9').expect(429);
      // Browsing is not sign-in and is not limited by it.
      await stack.agent().get('/').expect(200);
    });
  });

  describe('behind one proxy (TRUST_PROXY=1), with two instances sharing Redis', () => {
    let first: Stack;
    let second: Stack;
    beforeAll(async () => {
      first = await startStack({ env: { AUTH_RATE_LIMIT: '4', TRUST_PROXY: '1' } });
      second = await startStack({ emulator: first.emulator, namespace: first.namespace, env: { AUTH_RATE_LIMIT: '4', TRUST_PROXY: '1', BASE_URL: first.url } });
    });
    afterAll(async () => {
      await second.close();
      await first.close();
    });

    test('when a client spreads requests over both instances, then the limit counts them together, per client IP from the proxy', async () => {
      const from = (stack: Stack, ip: string) => stack.agent().get('/auth/dropbox').set('X-Forwarded-For', ip);
      for (const stack of [first, second, first, second]) await from(stack, '198.51.100.7').expect(302);
      await from(first, '198.51.100.7').expect(429);
      await from(second, '198.51.100.7').expect(429);
      // Another client behind the same proxy has its own allowance.
      await from(second, '198.51.100.8').expect(302);
    });
  });
});
