import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DropboxEmulator } from '@dropview/dropbox-emulator';
import { composeDropview, type Dropview } from './composition-root';
import { ConfigError, loadConfig, redirectUriOf, type Config } from './config';
import { createLogger } from './logging/logger';
import { StartupError } from './sessions/session-store';

/** Start-up: read the configuration, connect the session store, listen; stop cleanly on signals. */

const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  console.error(`Dropview cannot start: ${message}`);
  process.exit(1);
}

/**
 * Demo mode only: the emulator package (and jpeg-js under it) is loaded here, on demand, so a
 * process talking to the real Dropbox never loads it (test/server/demo-only-emulator.test.ts).
 */
async function startDemoEmulator(config: Config): Promise<{ emulator: DropboxEmulator; config: Config }> {
  const { DropboxEmulator, addSampleFiles } = await import('@dropview/dropbox-emulator');
  const emulator = new DropboxEmulator({ redirectUris: [] });
  addSampleFiles(emulator.tree);
  const url = await emulator.listen(0, '127.0.0.1');
  const dropbox = { ...config.dropbox, authorizeUrl: `${url}/oauth2/authorize`, apiUrl: url, contentUrl: url, notifyUrl: url };
  return { emulator, config: { ...config, dropbox } };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // `npm run demo`: the emulator even when a Dropbox app is configured.
  const env = process.argv.includes('--demo') ? { ...process.env, DROPBOX_APP_KEY: '', DROPBOX_APP_SECRET: '' } : process.env;
  let loaded;
  try {
    loaded = loadConfig(env, () => randomBytes(32).toString('base64url'));
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  let { config } = loaded;
  const logger = createLogger(config.logLevel);
  for (const warning of loaded.warnings) logger.warn(warning);

  let emulator: DropboxEmulator | undefined;
  if (config.demoMode) ({ emulator, config } = await startDemoEmulator(config));

  const server = http.createServer();
  let port: number;
  try {
    port = await listen(server, config.port, config.host);
  } catch (error) {
    await emulator?.close();
    fail(`cannot listen on ${config.host}:${config.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const baseUrl = config.baseUrl ?? `http://localhost:${port}`;
  emulator?.registerRedirectUri(redirectUriOf(baseUrl));

  let dropview: Dropview;
  try {
    dropview = await composeDropview({ ...config, baseUrl }, logger);
  } catch (error) {
    server.close();
    await emulator?.close();
    if (error instanceof StartupError) fail(error.message);
    throw error;
  }
  const { sessions } = dropview;
  server.on('request', dropview.app);
  dropview.start();

  logger.info({ sessions: sessions.description }, `sessions: ${sessions.description}`);
  if (emulator) logger.info(`demo mode: Dropbox emulator at ${emulator.url} with sample files (no Dropbox app configured)`);
  logger.info({ port }, `Dropview listening on ${baseUrl} (port ${port})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing requests in flight, then stopping`);
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    // /readyz turns 503 at once (a balancer still probing a connection it holds sends traffic
    // elsewhere), and the open pages' event streams end, which would otherwise hold server.close()
    // for the whole grace.
    const stopped = dropview.stop();
    server.close(() => {
      void stopped
        .then(() => Promise.all([dropview.close(), emulator?.close()]))
        .finally(() => {
          logger.info('stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => fail(error.message));
