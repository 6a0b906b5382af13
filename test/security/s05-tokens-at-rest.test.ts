import { RedisConnection } from '../../src/redis/connection';
import { Sealer } from '../../src/crypto/sealer';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, startStack, storedCredentials, TEST_SESSION_SECRET, type Stack } from '../support/stack';

/** Every value Dropview keeps in Redis under this stack's namespace, as text. */
async function everyRedisValue(stack: Stack): Promise<string> {
  const redis = RedisConnection.single({ url: stack.config.redisUrl });
  await redis.connect();
  try {
    const values: string[] = [];
    for (const key of await redis.command<string[]>(undefined, true, ['KEYS', `${stack.namespace}*`])) {
      const type = await redis.command(key, true, ['TYPE', key]);
      if (type === 'string') values.push((await redis.get(key)) as string);
      else if (type === 'hash') values.push(JSON.stringify(await redis.hGetAll(key)));
    }
    return values.join('\n');
  } finally {
    await redis.close();
  }
}

describe('S5: tokens live only server-side, sealed with AES-256-GCM', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: EVERY_VIEW_CHECKS });
  });
  afterAll(async () => stack.close());

  test('when users connect and refresh, then no Redis value, cookie or page holds any token Dropbox issued', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent);
    const page = await agent.get('/browse').expect(200);
    stack.emulator.expireAccessTokens();
    const refreshedPage = await agent.get('/browse').expect(200);

    const issued = [...stack.emulator.tokens.issuedAccessTokens(), ...stack.emulator.tokens.issuedRefreshTokens()];
    expect(issued.length).toBeGreaterThanOrEqual(3);
    const everywhere = [await everyRedisValue(stack), String(response.headers['set-cookie']), page.text, refreshedPage.text].join('\n');
    for (const token of issued) expect(everywhere).not.toContain(token);
    const credentials = await storedCredentials(stack, sessionCookieOf(response) as string);
    expect(credentials.at).toMatch(/^v1\.[A-Za-z0-9_-]{8}\./);
    expect(credentials.rt).toMatch(/^v1\.[A-Za-z0-9_-]{8}\./);
  });

  test('when a token is sealed, then only a configured key opens it, and any change to it is detected', () => {
    const sealer = new Sealer(['key-one-0123456789-0123456789-0123456789'], 'token-encryption-v1');
    const sealed = sealer.seal('sl.u.secret');
    expect(sealer.open(sealed)).toBe('sl.u.secret');
    expect(new Sealer(['key-two-0123456789-0123456789-0123456789'], 'token-encryption-v1').open(sealed)).toBeUndefined();
    const [format, kid, iv, tag, ciphertext] = sealed.split('.');
    const flipped = `${ciphertext[0] === 'A' ? 'B' : 'A'}${ciphertext.slice(1)}`;
    expect(sealer.open([format, kid, iv, tag, flipped].join('.'))).toBeUndefined();
    expect(sealer.seal('sl.u.secret')).not.toBe(sealed);
  });

  test('when the encryption key rotates, then tokens sealed with the old key still open and new ones use the new key', () => {
    const oldKey = 'old-key-0123456789-0123456789-0123456789';
    const newKey = 'new-key-0123456789-0123456789-0123456789';
    const sealedBefore = new Sealer([oldKey], 'token-encryption-v1').seal('sl.u.before');
    const rotated = new Sealer([newKey, oldKey], 'token-encryption-v1');
    expect(rotated.open(sealedBefore)).toBe('sl.u.before');
    const sealedAfter = rotated.seal('sl.u.after');
    expect(sealedAfter.split('.')[1]).not.toBe(sealedBefore.split('.')[1]);
    expect(new Sealer([newKey], 'token-encryption-v1').open(sealedAfter)).toBe('sl.u.after');
  });

  test('when the stored tokens were sealed with a key the server no longer has, then the user is asked to reconnect, not shown a crash', async () => {
    const { response } = await connect(stack.agent());
    const cookie = sessionCookieOf(response) as string;
    const rotatedAway = await startStack({
      emulator: stack.emulator,
      namespace: stack.namespace,
      env: { BASE_URL: stack.config.baseUrl as string, TOKEN_ENCRYPTION_KEY: 'a-completely-different-key-0123456789-abcdef', SESSION_SECRET: TEST_SESSION_SECRET },
    });
    try {
      const page = await rotatedAway.agent().get('/browse').set('Cookie', cookie).set('Accept', 'text/html');
      expect(page.status).toBe(401);
      // Its credentials were named and sealed with the lost key: to this server they are not there.
      expect(page.text).toContain('Connect again to continue');
      expect(page.text).toContain('href="/auth/dropbox"');
    } finally {
      await rotatedAway.close();
    }
  });
});
