import { connect } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, withConnectedUser } from '../support/stack';
import type { Fault } from '@dropview/dropbox-emulator';

/** What must never reach a client: stack frames, internal error names, library text, tokens. */
const LEAKS = /\n\s+at |Error:|AxiosError|ECONN|node_modules|stack|sl\.u\./;

describe('S15: every failure is a page a person understands, with the right status and nothing internal', () => {
  const user = withConnectedUser({ dropboxTimeoutMs: 600, env: EVERY_VIEW_CHECKS });
  afterEach(() => user.stack.emulator.clearFaults());

  const faults: { label: string; fault: Fault; status: number; message: string }[] = [
    { label: 'Dropbox rate-limits for 60 s', fault: { kind: 'rate_limit', retryAfter: 60 }, status: 503, message: 'try again in 60 seconds' },
    { label: 'Dropbox keeps failing', fault: { kind: 'server_error', status: 500 }, status: 502, message: 'Dropbox is having trouble' },
    { label: 'Dropbox hangs', fault: { kind: 'hang' }, status: 504, message: 'took too long' },
  ];

  test.each(faults)('when $label, then HTML and JSON clients get $status and a plain message', async ({ fault, status, message }) => {
    user.stack.emulator.injectFault('files/list_folder', fault, 10);
    const page = await user.agent.get('/browse').set('Accept', 'text/html');
    expect(page.status).toBe(status);
    expect(page.text).toContain(message);
    expect(page.text).not.toMatch(LEAKS);
    const json = await user.agent.get('/browse').set('Accept', 'application/json');
    expect(json.status).toBe(status);
    expect(Object.keys(json.body.error).sort()).toEqual(status === 503 ? ['code', 'message', 'retryAfter'] : ['code', 'message']);
    expect(JSON.stringify(json.body)).not.toMatch(LEAKS);
  });

  test('when a folder is missing or a path is malformed, then 404 and 400 pages say so plainly', async () => {
    const missing = await user.agent.get('/browse/Nope').set('Accept', 'text/html').expect(404);
    const malformed = await user.agent.get('/browse/a%00b').set('Accept', 'text/html').expect(400);
    for (const page of [missing, malformed]) expect(page.text).not.toMatch(LEAKS);
  });

  test('when access was revoked, then the page is 401, offers to connect again, and no longer offers search or Disconnect', async () => {
    const revoked = user.stack.agent();
    await connect(revoked);
    const before = await revoked.get('/browse').set('Accept', 'text/html').expect(200);
    expect(before.text).toContain('action="/auth/logout"');
    user.stack.emulator.revokeAllGrants();
    const page = await revoked.get('/browse').set('Accept', 'text/html').expect(401);
    expect(page.text).toContain('href="/auth/dropbox"');
    expect(page.text).not.toContain('action="/auth/logout"');
    expect(page.text).not.toContain('action="/search"');
    expect(page.text).not.toMatch(LEAKS);
  });

  test('when a request body is malformed, then the answer is 400 without parser internals', async () => {
    const page = await user.agent.post('/auth/logout').set('Content-Type', 'application/x-www-form-urlencoded').send('_csrf=%E0%A4%A').set('Accept', 'text/html');
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(page.text).not.toMatch(LEAKS);
  });
});
