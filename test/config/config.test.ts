import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig, parseDuration } from '../../src/config';

const SECRET = 'a-session-secret-that-is-long-enough-0123456789';
const TOKEN_KEY = 'a-token-key-that-differs-from-the-secret-9876543210';
const load = (env: Record<string, string>) => loadConfig(env, () => 'generated-secret-generated-secret-000');

const ROOT = path.join(__dirname, '..', '..');
function startServer(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH as string, ...env },
    encoding: 'utf8',
    timeout: 15000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('Configuration is checked once at start-up', () => {
  test('when nothing is set, then demo mode runs with defaults and a warning about the generated session secret', () => {
    const { config, warnings } = load({});
    expect(config).toMatchObject({ demoMode: true, port: 3000, host: '127.0.0.1', baseUrl: 'http://localhost:3000', trustProxy: 0, logLevel: 'info' });
    expect(config.session).toEqual({ secrets: ['generated-secret-generated-secret-000'], idleTimeoutMs: 12 * 3_600_000, maxAgeMs: 7 * 86_400_000 });
    expect(config.dropbox.authorizeUrl).toBe('https://www.dropbox.com/oauth2/authorize');
    expect(warnings.join(' ')).toContain('SESSION_SECRET is not set');
  });

  test('when a Dropbox app is configured, then demo mode is off and rotation secrets are all kept, first one first', () => {
    const { config } = load({ DROPBOX_APP_KEY: 'key', DROPBOX_APP_SECRET: 'secret', SESSION_SECRET: `${SECRET}1, ${SECRET}2` });
    expect(config.demoMode).toBe(false);
    expect(config.session.secrets).toEqual([`${SECRET}1`, `${SECRET}2`]);
    expect(config.tokenEncryptionKeys).toEqual(config.session.secrets);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ BASE_URL: 'not a url' }, 'BASE_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ SESSION_IDLE_TIMEOUT: '12 hours' }, 'SESSION_IDLE_TIMEOUT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DROPBOX_APP_KEY: 'key' }, 'DROPBOX_APP_SECRET'],
    [{ SESSION_IDLE_TIMEOUT: '8d' }, 'SESSION_MAX_AGE'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: 'a'.repeat(40) }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: `${SECRET} with spaces` }, 'METRICS_TOKEN'],
    [{ FOLDER_INDEX_QUIET_TRUST: 'never' }, 'FOLDER_INDEX_QUIET_TRUST'],
  ])('when %j is given, then start-up stops with one line naming %s', (env, variable) => {
    let error: unknown;
    try {
      load(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).not.toContain('\n');
  });

  test('when METRICS_TOKEN is set, then it is kept as given; unset, metrics are off', () => {
    expect(load({ METRICS_TOKEN: SECRET }).config.metricsToken).toBe(SECRET);
    expect(load({}).config.metricsToken).toBeUndefined();
  });

  test('when FOLDER_INDEX_QUIET_TRUST is unset, 0 or a duration, then quiet folders are trusted 30 s, never, or that long', () => {
    expect([load({}), load({ FOLDER_INDEX_QUIET_TRUST: '0' }), load({ FOLDER_INDEX_QUIET_TRUST: '2m' })].map(({ config }) => config.folderIndex.quietTrustMs)).toEqual([30_000, 0, 120_000]);
  });

  test('when durations are written as 30m, 12h or 7d, then they become milliseconds', () => {
    expect([parseDuration('30m'), parseDuration('12h'), parseDuration('7d'), parseDuration('45s')]).toEqual([1_800_000, 43_200_000, 604_800_000, 45_000]);
    expect([parseDuration('0m'), parseDuration('1w'), parseDuration('')]).toEqual([undefined, undefined, undefined]);
  });

  test.each([
    [{}, 'DROPBOX_APP_KEY'],
    [{ DROPBOX_APP_KEY: 'key', DROPBOX_APP_SECRET: 'secret' }, 'SESSION_SECRET'],
    [{ DROPBOX_APP_KEY: 'key', DROPBOX_APP_SECRET: 'secret', SESSION_SECRET: 'too-short' }, 'SESSION_SECRET'],
    [{ DROPBOX_APP_KEY: 'key', DROPBOX_APP_SECRET: 'secret', SESSION_SECRET: SECRET, TOKEN_ENCRYPTION_KEY: TOKEN_KEY, BASE_URL: 'http://dropview.example' }, 'BASE_URL'],
  ])('when production starts with %j, then the process refuses with one line naming %s and exit code 1', (env, variable) => {
    const { status, stderr } = startServer({ NODE_ENV: 'production', PORT: '0', ...env });
    expect(status).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain(variable);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('when Redis is configured but unreachable, then start-up stops with one clear line', () => {
    const { status, stderr } = startServer({ PORT: '0', REDIS_URL: 'redis://127.0.0.1:1', SESSION_SECRET: SECRET });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^Dropview cannot start: Redis at redis:\/\/127\.0\.0\.1:1 is unreachable/);
    expect(stderr.split('\n')).toHaveLength(1);
  });
});
