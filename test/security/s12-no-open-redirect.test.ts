import { safeReturnPath } from '../../src/auth/return-to';
import { authorize } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

describe('S12: no open redirect after connecting', () => {
  test.each([
    ['/browse', '/browse'],
    ['/browse/Photos/2024%20Trip', '/browse/Photos/2024%20Trip'],
    ['/download/Documents/Notes.md', '/download/Documents/Notes.md'],
    ['//evil.example', undefined],
    ['//evil.example/browse', undefined],
    ['/\\evil.example', undefined],
    ['/browse\\..\\..\\evil', undefined],
    ['https://evil.example/browse', undefined],
    ['http:/evil.example', undefined],
    ['/%2F%2Fevil.example', undefined],
    ['/%5Cevil.example', undefined],
    ['/browse//evil.example', undefined],
    ['/browse/x\r\nLocation: https://evil.example', undefined],
    ['/browse/x\u0000', undefined],
    ['/browse?next=https://evil.example', undefined],
    ['/browse#https://evil.example', undefined],
    ['/auth/logout', undefined],
    ['javascript:alert(1)', undefined],
    ['', undefined],
    [`/browse/${'a'.repeat(3000)}`, undefined],
  ])('when the remembered path is %j, then the user lands on %j (undefined: the root folder)', (candidate, expected) => {
    expect(safeReturnPath(candidate)).toBe(expected);
  });

  describe('through HTTP', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => stack.close());

    test.each(['/browse/Photos?next=//evil.example', '/browse//evil.example', '/browse/%2F%2Fevil.example'])(
      'when the first page asked for was %s, then the callback redirects to a same-origin path',
      async (start) => {
        const agent = stack.agent();
        await agent.get(start).set('Accept', 'text/html');
        const { callbackUrl } = await authorize(agent);
        const landing = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`).expect(302);
        const location = landing.headers.location;
        expect(location).toMatch(/^\/browse(\/[^/?#\\][^?#\\]*)?$/);
        expect(new URL(location, stack.url).origin).toBe(stack.url);
      },
    );

    test('when the return path is offered in the query string instead of the session, then it is ignored', async () => {
      const agent = stack.agent();
      await agent.get('/auth/dropbox?returnTo=https://evil.example').expect(302);
      const { callbackUrl } = await authorize(agent);
      await agent.get(`${callbackUrl.pathname}${callbackUrl.search}&returnTo=https://evil.example`).expect(302).expect('Location', '/browse');
    });
  });
});
