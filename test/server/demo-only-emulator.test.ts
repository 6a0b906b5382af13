import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServerProcess } from '../support/server-process';

/**
 * The emulator package (and jpeg-js, which only it uses) is loaded by demo mode alone: the
 * compiled app, started as production starts it, must not load it when a Dropbox app is
 * configured. The demo-mode case shows the check sees the package when it is there.
 */

const ROOT = path.join(__dirname, '..', '..');
const PRELOAD = path.join(__dirname, '..', 'support', 'report-loaded-modules.js');
const EMULATOR_MODULES = /[\\/](dropbox-emulator|jpeg-js)[\\/]/;

async function modulesLoadedBy(env: Record<string, string>, args: string[] = []): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dropview-modules-'));
  const report = path.join(dir, 'loaded.txt');
  try {
    const server = await startServerProcess({ PORT: '0', LOG_LEVEL: 'info', LOADED_MODULES_REPORT: report, ...env }, { compiled: true, nodeArgs: ['--require', PRELOAD], args });
    // A page that goes through the app's routes, not just the health check.
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    return readFileSync(report, 'utf8').split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('The emulator is loaded by demo mode only', () => {
  beforeAll(() => {
    // The check is about the build production runs: make it from the current sources first.
    execFileSync(process.execPath, ['scripts/build.js'], { cwd: ROOT, stdio: 'inherit' });
  });

  test('when the compiled app runs with a Dropbox app configured, then neither the emulator package nor jpeg-js is loaded', async () => {
    const loaded = await modulesLoadedBy({ DROPBOX_APP_KEY: 'real-app-key', DROPBOX_APP_SECRET: 'real-app-secret', SESSION_SECRET: 'a-session-secret-of-at-least-32-characters' });
    expect(loaded.length).toBeGreaterThan(100);
    expect(loaded.filter((file) => file.includes(`${path.sep}dist${path.sep}server.js`))).toHaveLength(1);
    expect(loaded.filter((file) => EMULATOR_MODULES.test(file))).toEqual([]);
  });

  test('when the compiled app runs in demo mode, then the emulator package and jpeg-js are loaded (the check sees them)', async () => {
    const loaded = await modulesLoadedBy({}, ['--demo']);
    expect(loaded.some((file) => /[\\/]dropbox-emulator[\\/]dist[\\/]index\.js$/.test(file))).toBe(true);
    expect(loaded.some((file) => /[\\/]jpeg-js[\\/]/.test(file))).toBe(true);
  });
});
