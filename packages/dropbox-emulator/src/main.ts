import { DropboxEmulator } from './emulator';
import { addSampleFiles } from './sample-files';

/**
 * `npm run emulator` (from the repository root; `npm start` in this package): the Dropbox
 * emulator alone, with sample files, for pointing any Dropbox client at it. It prints
 * `Dropbox emulator listening on http://127.0.0.1:<port>`.
 *
 * EMULATOR_PORT (default 8787), EMULATOR_APP_KEY / EMULATOR_APP_SECRET (default
 * demo-app-key / demo-app-secret), EMULATOR_REDIRECT_URIS (comma-separated; default the demo
 * app's callback http://localhost:3000/auth/dropbox/callback). For the benchmarks, and never
 * for real use: EMULATOR_AUTO_APPROVE=1 (no consent page), EMULATOR_CONTROL=1 (the
 * /__emulator control API), EMULATOR_LATENCY_MS and EMULATOR_LATENCY_PER_ENTRY_MS.
 */

function listFrom(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

function millisecondsFrom(name: string): number {
  const value = Number(process.env[name] ?? 0);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a number of milliseconds (0 or more), got "${process.env[name]}"`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`EMULATOR_PORT must be a port number (0-65535), got "${process.env.EMULATOR_PORT}"`);
    process.exit(1);
  }
  const emulator = new DropboxEmulator({
    appKey: process.env.EMULATOR_APP_KEY,
    appSecret: process.env.EMULATOR_APP_SECRET,
    redirectUris: listFrom(process.env.EMULATOR_REDIRECT_URIS),
    autoApprove: process.env.EMULATOR_AUTO_APPROVE === '1',
    controlApi: process.env.EMULATOR_CONTROL === '1',
  });
  emulator.setLatency(millisecondsFrom('EMULATOR_LATENCY_MS'));
  emulator.setLatencyPerEntry(millisecondsFrom('EMULATOR_LATENCY_PER_ENTRY_MS'));
  addSampleFiles(emulator.tree);
  const url = await emulator.listen(port, '127.0.0.1');
  console.log(`Dropbox emulator listening on ${url}`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`The Dropbox emulator could not start: ${error.message}`);
  process.exit(1);
});
