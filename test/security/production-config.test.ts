import { ConfigError, loadConfig } from '../../src/config';

/**
 * Hardening (issue 11, item 7): production refuses, with one line naming the variable, what a
 * careless deployment would otherwise run with.
 */

const SECRET = 'Hq3xV9mPz7Lw2Rt5Yn8Kc4Bd6Fg1Js0A';
const TOKEN_KEY = 'Zt8Qw2Er5Ty7Ui9Op3As6Df1Gh4Jk0Lx';
const PRODUCTION = { NODE_ENV: 'production', DROPBOX_APP_KEY: 'key', DROPBOX_APP_SECRET: 'secret', SESSION_SECRET: SECRET, TOKEN_ENCRYPTION_KEY: TOKEN_KEY, BASE_URL: 'https://dropview.example' };

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env, () => 'unused');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('Production refuses a weak or incomplete configuration', () => {
  test('when everything is set properly, then production starts', () => {
    expect(loadConfig(PRODUCTION, () => 'unused').config.isProduction).toBe(true);
  });

  test('when BASE_URL is missing, then production refuses instead of assuming http://localhost', () => {
    const { BASE_URL: _omitted, ...env } = PRODUCTION;
    expect(refusal(env)).toMatch(/^BASE_URL is required in production/);
  });

  test.each(['DROPBOX_AUTHORIZE_URL', 'DROPBOX_API_URL', 'DROPBOX_CONTENT_URL', 'DROPBOX_NOTIFY_URL'])('when %s is plain http to another host, then production refuses', (variable) => {
    expect(refusal({ ...PRODUCTION, [variable]: 'http://dropbox.attacker.example' })).toMatch(new RegExp(`^${variable} must be an https:// URL`));
  });

  test('when the Dropbox URLs are plain http to this machine (an emulator beside the app), then production accepts them', () => {
    const local = {
      DROPBOX_AUTHORIZE_URL: 'http://127.0.0.1:8787/oauth2/authorize',
      DROPBOX_API_URL: 'http://127.0.0.1:8787',
      DROPBOX_CONTENT_URL: 'http://localhost:8787',
      DROPBOX_NOTIFY_URL: 'http://[::1]:8787',
    };
    expect(loadConfig({ ...PRODUCTION, ...local }, () => 'unused').config.dropbox.apiUrl).toBe('http://127.0.0.1:8787');
  });

  test.each([
    ['32 times the same letter', 'a'.repeat(32)],
    ['a repeated word', 'secret'.repeat(6)],
    ['a keyboard run repeated', 'qwerty12'.repeat(4)],
  ])('when SESSION_SECRET is long but weak (%s), then start-up refuses', (_label, weak) => {
    expect(refusal({ ...PRODUCTION, SESSION_SECRET: weak })).toMatch(/^SESSION_SECRET looks weak/);
    expect(refusal({ ...PRODUCTION, TOKEN_ENCRYPTION_KEY: weak })).toMatch(/^TOKEN_ENCRYPTION_KEY looks weak/);
  });

  test('when TOKEN_ENCRYPTION_KEY is not set, then production refuses to derive it from SESSION_SECRET', () => {
    const { TOKEN_ENCRYPTION_KEY: _omitted, ...env } = PRODUCTION;
    expect(refusal(env)).toMatch(/^TOKEN_ENCRYPTION_KEY is required in production/);
    expect(refusal({ ...PRODUCTION, TOKEN_ENCRYPTION_KEY: SECRET })).toMatch(/^TOKEN_ENCRYPTION_KEY must differ from SESSION_SECRET/);
  });

  test('when proxies are trusted while the app listens on every address, then start-up warns', () => {
    const { warnings } = loadConfig({ ...PRODUCTION, TRUST_PROXY: '1', HOST: '0.0.0.0' }, () => 'unused');
    expect(warnings.join('\n')).toMatch(/TRUST_PROXY=1 while listening on 0\.0\.0\.0/);
    expect(loadConfig({ ...PRODUCTION, TRUST_PROXY: '1', HOST: '127.0.0.1' }, () => 'unused').warnings).toEqual([]);
  });
});
