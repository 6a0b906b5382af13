import { appErrorOf } from '../../src/http/error-table';
import { SessionStoreError } from '../../src/sessions/errors';
import { RedisConnection } from '../../src/redis/connection';
import { credentialKeyNamer, RedisCredentialStore } from '../../src/sessions/credential-store';

describe('The credential store on Redis', () => {
  const credentials = { accessToken: 'sealed-a', expiresAt: 1, refreshToken: 'sealed-r', accountId: 'dbid:x' };

  test('when a write is based on a version that is no longer stored, then it changes nothing', async () => {
    const client = RedisConnection.single({ url: process.env.REDIS_URL });
    await client.connect();
    try {
      const namespace = `test:cred-${Date.now()}:`;
      const store = new RedisCredentialStore(client, namespace, credentialKeyNamer('naming-secret', namespace));
      const first = await store.put('sid', credentials, Date.now() + 60_000);
      const second = await store.replaceAccess('sid', first.version, { accessToken: 'sealed-b', expiresAt: 2 });
      expect(second?.accessToken).toBe('sealed-b');

      expect(await store.replaceAccess('sid', first.version, { accessToken: 'sealed-stale', expiresAt: 3 })).toBeUndefined();
      await store.delete('sid');
      expect(await store.replaceAccess('sid', second?.version as string, { accessToken: 'sealed-late', expiresAt: 4 })).toBeUndefined();
      expect(await store.get('sid')).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  test('when Redis cannot be reached, then every operation fails as the 503 "session service unavailable"', async () => {
    const client = RedisConnection.single({ url: process.env.REDIS_URL, disableOfflineQueue: true });
    await client.connect();
    const store = new RedisCredentialStore(client, 'test:cred-offline:', credentialKeyNamer('naming-secret', 'test:cred-offline:'));
    client.destroy();

    for (const operation of [() => store.get('sid'), () => store.put('sid', credentials, Date.now() + 1000), () => store.delete('sid'), () => store.tryLock('sid', 1000)]) {
      const error = await operation().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(appErrorOf(error)).toMatchObject({ status: 503, code: 'session_store_unavailable' });
    }
  });
});
