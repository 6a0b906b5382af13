import { randomBytes } from 'node:crypto';
import type { DropboxEmulator } from '@dropview/dropbox-emulator';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startEmulator, startStack, type Stack } from '../support/stack';

describe('Several instances behind a load balancer share sessions through one Redis', () => {
  let emulator: DropboxEmulator;
  let instanceA: Stack;
  let instanceB: Stack;
  beforeAll(async () => {
    emulator = await startEmulator();
    const namespace = `test:${randomBytes(6).toString('hex')}:`;
    instanceA = await startStack({ emulator, namespace });
    // Behind one load balancer both instances answer to the same public origin.
    instanceB = await startStack({ emulator, namespace, env: { BASE_URL: instanceA.url } });
  });
  afterAll(async () => {
    await instanceA.close();
    await instanceB.close();
    await emulator.close();
  });

  test('when a user starts connecting on one instance and returns on the other, then the connection completes', async () => {
    const onA = instanceA.agent();
    const start = await onA.get('/auth/dropbox').expect(302);
    const cookie = sessionCookieOf(start) as string;
    const approval = await fetch(start.headers.location, { redirect: 'manual' });
    const callbackUrl = new URL(approval.headers.get('location') as string);

    // The load balancer sends the return from Dropbox to instance B.
    const callback = await instanceB.agent().get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Cookie', cookie).expect(302);
    expect(callback.headers.location).toBe('/browse');
  });

  test('when a user connected on one instance, then every instance serves their pages, alternately', async () => {
    const onA = instanceA.agent();
    const { response } = await connect(onA);
    const cookie = sessionCookieOf(response) as string;

    for (const instance of [instanceB, instanceA, instanceB, instanceA]) {
      const page = await instance.agent().get('/browse/Photos').set('Cookie', cookie).expect(200);
      expect(page.text).toContain('2024 Trip');
    }
  });

  test('when a user disconnects on one instance, then the other no longer serves them', async () => {
    const onA = instanceA.agent();
    const { response } = await connect(onA);
    const cookie = sessionCookieOf(response) as string;
    const page = await onA.get('/browse').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;

    await instanceA.agent().post('/auth/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf }).expect(302);
    await instanceB.agent().get('/browse').set('Cookie', cookie).set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fbrowse');
  });
});
