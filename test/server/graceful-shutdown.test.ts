import { once } from 'node:events';
import net from 'node:net';
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

  /** Dropview as a real process on this test's emulator, so it can be sent signals. */
  const startDropview = () =>
    startServerProcess({
      PORT: '0',
      REDIS_URL: process.env.REDIS_URL,
      SESSION_SECRET: TEST_SESSION_SECRET,
      DROPBOX_APP_KEY: emulator.app.key,
      DROPBOX_APP_SECRET: emulator.app.secret,
      DROPBOX_AUTHORIZE_URL: `${emulator.url}/oauth2/authorize`,
      DROPBOX_API_URL: emulator.url,
      DROPBOX_NOTIFY_URL: emulator.url,
    });

  test('when SIGTERM arrives with a request in flight, then that request completes, new connections are refused and the process exits 0', async () => {
    const { process: server, port, output, untilOutput } = await startDropview();
    const base = `http://localhost:${port}`;
    emulator.registerRedirectUri(`${base}/auth/dropbox/callback`);
    const agent = request.agent(base);
    await connect(agent);
    emulator.setLatency(800, 'files/list_folder');
    try {
      const listing = emulator.nextCall('files/list_folder');
      const inFlight = agent.get('/browse/Photos').then((response) => response);
      await listing; // the page is at Dropbox, in flight
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await untilOutput(/SIGTERM: finishing requests in flight/);

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
    const { process: server, port } = await startDropview();
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

  test('when SIGTERM arrives, then /readyz answers 503 at once on a connection still being served while /healthz stays 200, and the request in flight completes', async () => {
    const { process: server, port, untilOutput } = await startDropview();
    const base = `http://localhost:${port}`;
    emulator.registerRedirectUri(`${base}/auth/dropbox/callback`);
    const cookie = sessionCookieOf((await connect(request.agent(base))).response) as string;
    emulator.tree.addFile('/Draining/file.txt', { content: 'x' });
    emulator.setLatency(800, 'files/list_folder');
    // One keep-alive connection, as a load balancer holds: a slow page first, then (after SIGTERM) the probes on the same connection.
    const socket = net.connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      const listing = emulator.nextCall('files/list_folder');
      socket.write(`GET /browse/Draining HTTP/1.1\r\nHost: localhost:${port}\r\nCookie: ${cookie}\r\nAccept: application/json\r\n\r\n`);
      await listing; // the page is at Dropbox, in flight
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await untilOutput(/SIGTERM: finishing requests in flight/);
      socket.write(`GET /readyz HTTP/1.1\r\nHost: localhost:${port}\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`);
      while ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < 3) await once(socket, 'data');
      // The balancer, told the instance is not ready, lets the connection go; the process can then exit.
      socket.end();
      const [code] = await exited;

      expect([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1])).toEqual(['200', '503', '200']);
      expect(received).toContain('"status":"stopping"');
      expect(received).toContain('file.txt');
      expect(code).toBe(0);
    } finally {
      socket.destroy();
      emulator.setLatency(0, 'files/list_folder');
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  });
});
