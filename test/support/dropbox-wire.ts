/** Asking the emulator over its real token endpoint, as any Dropbox client would. */

/** Whether Dropbox still honours a refresh token: a refresh with it succeeds. */
export async function refreshTokenWorks(emulatorUrl: string, app: { key: string; secret: string }, refreshToken: string): Promise<boolean> {
  const response = await fetch(`${emulatorUrl}/oauth2/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return response.status === 200;
}
