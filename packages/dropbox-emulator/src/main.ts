import { DropboxEmulator } from './emulator';
import { addSampleFiles } from './sample-files';

/**
 * `npm run emulator`: the Dropbox emulator alone, with sample files, for pointing any Dropbox
 * client at it (CONTRACT.md "Commands").
 */

function listFrom(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((item) => item.trim()).filter(Boolean);
  return items?.length ? items : undefined;
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
    // For the benchmarks: approve at once, and accept steering over HTTP (never for real use).
    autoApprove: process.env.EMULATOR_AUTO_APPROVE === '1',
    controlApi: process.env.EMULATOR_CONTROL === '1',
  });
  emulator.setLatency(Number(process.env.EMULATOR_LATENCY_MS ?? 0));
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
