import { withConnectedUser } from '../support/stack';

describe('Input limits: nothing oversized or malformed reaches Dropbox', () => {
  const user = withConnectedUser();

  const listings = () => user.stack.emulator.calls('files/list_folder').length + user.stack.emulator.calls('files/list_folder/continue').length;

  test.each([
    ['a path longer than 4,096 characters', `/browse/${'a'.repeat(4100)}`],
    ['a control character in a name', '/browse/bad%07bell'],
    ['a name ending in a space', '/browse/trailing%20'],
    ['a ".." segment', '/browse/a/%2E%2E/b'],
    ['an encoded slash inside a segment (%2F, reaching Dropbox as /../..)', '/browse/Photos%2F..%2F..'],
    ['a cursor of 5,000 characters', `/browse?cursor=${'A'.repeat(5000)}`],
    ['a cursor with markup', `/browse?cursor=${encodeURIComponent('<script>')}`],
    ['two cursors', '/browse?cursor=a&cursor=b'],
  ])('when a request carries %s, then it is a 400 page and Dropbox is not asked', async (_label, path) => {
    const before = listings();
    const response = await user.agent.get(path).set('Accept', 'text/html');
    expect(response.status).toBe(400);
    expect(listings()).toBe(before);
  });

  test('when a form body is larger than the app accepts, then it is refused with 413', async () => {
    await user.agent
      .post('/auth/logout')
      .type('form')
      .send({ _csrf: 'x'.repeat(5000) })
      .expect(413);
  });
});
