import { once } from 'node:events';
import request from 'supertest';
import type { DropboxEmulator } from '@dropview/dropbox-emulator';
import { openEventStream } from '../support/event-stream';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startServerProcess } from '../support/server-process';
import { startEmulator, TEST_SESSION_SECRET } from '../support/stack';

describe('Graceful shutdown', () => {
  let emulator: DropboxEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => emulator.close());

  test('when SIGTERM arrives with a request in flight, then that request completes, new connections are refused and the process exits 0', async () => {
    const {
      process: server,
      port,
      output,
    } = await startServerProcess({
      PORT: '0',
      REDIS_URL: process.env.REDIS_URL,
      SESSION_SECRET: TEST_SESSION_SECRET,
      DROPBOX_APP_KEY: emulator.app.key,
      DROPBOX_APP_SECRET: emulator.app.secret,
      DROPBOX_AUTHORIZE_URL: `${emulator.url}/oauth2/authorize`,
      DROPBOX_API_URL: emulator.url,
    });
    const base = `http://localhost:${port}`;
    emulator.registerRedirectUri(`${base}/auth/dropbox/callback`);
    const agent = request.agent(base);
    await connect(agent);
    emulator.setLatency(800, 'files/list_folder');
    try {
      const inFlight = agent.get('/browse/Photos').then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 100));

      const refused = await fetch(`${base}/healthz`).then(
        () => 'answered',
        () => 'refused',
      );
      const response = await inFlight;
      const [code] = await exited;

      expect(response.status).toBe(200);
      expect(response.text).toContain('2024 Trip');
      expect(refused).toBe('refused');
      expect(code).toBe(0);
      expect(output()).toContain('SIGTERM: finishing requests in flight, then stopping');
    } finally {
      emulator.setLatency(0, 'files/list_folder');
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });

  test("when SIGTERM arrives while a folder page's event stream is open, then the stream ends at once and the process exits without waiting out the grace", async () => {
    const { process: server, port } = await startServerProcess({
      PORT: '0',
      REDIS_URL: process.env.REDIS_URL,
      SESSION_SECRET: TEST_SESSION_SECRET,
      DROPBOX_APP_KEY: emulator.app.key,
      DROPBOX_APP_SECRET: emulator.app.secret,
      DROPBOX_AUTHORIZE_URL: `${emulator.url}/oauth2/authorize`,
      DROPBOX_API_URL: emulator.url,
      DROPBOX_NOTIFY_URL: emulator.url,
    });
    const base = `http://localhost:${port}`;
    emulator.registerRedirectUri(`${base}/auth/dropbox/callback`);
    const agent = request.agent(base);
    try {
      const cookie = sessionCookieOf((await connect(agent)).response) as string;
      await agent.get('/browse/Photos').expect(200);
      const stream = openEventStream(`${base}/events/browse/Photos`, cookie);
      await stream.opened;
      const exited = once(server, 'exit');
      const signalled = Date.now();
      server.kill('SIGTERM');
      await stream.ended;
      const [code] = await exited;
      expect(code).toBe(0);
      // The grace for requests in flight is 10 s; an open stream must not hold the process for it.
      expect(Date.now() - signalled).toBeLessThan(3000);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });
});
