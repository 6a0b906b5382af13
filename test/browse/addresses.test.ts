import { csrfTokenOf, decodeHtml } from '../support/html';
import { withConnectedUser } from '../support/stack';

const linkHrefOf = (html: string, id: string) => {
  const href = new RegExp(`<a class="[^"]*" id="${id}" href="([^"]+)"`).exec(html)?.[1];
  return href === undefined ? undefined : decodeHtml(href);
};

describe('Addresses people type', () => {
  const user = withConnectedUser({ dropboxTimeoutMs: 800 });

  test('when a folder address ends in a slash, then it redirects to the folder, keeping the query', async () => {
    await user.agent.get('/browse/Photos/').expect(301).expect('Location', '/browse/Photos');
    await user.agent.get('/browse/Photos/2024%20Trip//?view=grid').expect(301).expect('Location', '/browse/Photos/2024%20Trip?view=grid');
    await user.agent.get('/file/Photos/Family.jpg/').expect(301).expect('Location', '/file/Photos/Family.jpg');
    await user.agent.get('/browse/').expect(200);
  });

  test('when a folder is typed in other letter case, then the page shows Dropbox’s own spelling', async () => {
    const page = await user.agent.get('/browse/photos').expect(200);
    expect(page.text).toContain('<h1>Photos</h1>');
    expect(page.text).toContain('<span aria-current="page" title="Photos">Photos</span>');
  });

  test('when a file is opened under /browse, then it redirects to the file page, not a download', async () => {
    await user.agent.get('/browse/Photos/Family.jpg').expect(302).expect('Location', '/file/Photos/Family.jpg');
  });
});

describe('Error pages offer a way on', () => {
  const user = withConnectedUser({ dropboxTimeoutMs: 800 });
  afterEach(() => user.stack.emulator.clearFaults());

  test('when Dropbox rate-limits a folder, then the page offers Try again (the same address) and the folder above', async () => {
    user.stack.emulator.tree.addFile('/Documents/Limited/note.txt', { content: 'n' });
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 30 });
    const page = await user.agent.get('/browse/Documents/Limited?view=grid').set('Accept', 'text/html').expect(503);
    expect(linkHrefOf(page.text, 'try-again')).toBe('/browse/Documents/Limited?view=grid');
    expect(linkHrefOf(page.text, 'back-to-folder')).toBe('/browse/Documents');
    expect(page.text).toContain('Back to “Documents”');
  });

  test('when Dropbox does not answer in time for a file, then the page (504) offers Try again and the file’s folder', async () => {
    user.stack.emulator.injectFault('files/get_metadata', { kind: 'hang' });
    const page = await user.agent.get('/file/Documents/Notes.md').set('Accept', 'text/html').expect(504);
    expect(linkHrefOf(page.text, 'try-again')).toBe('/file/Documents/Notes.md');
    expect(linkHrefOf(page.text, 'back-to-folder')).toBe('/browse/Documents');
  });

  test('when something is not found, then there is no Try again', async () => {
    const page = await user.agent.get('/browse/Documents/Nothing%20here').set('Accept', 'text/html').expect(404);
    expect(linkHrefOf(page.text, 'try-again')).toBeUndefined();
    expect(linkHrefOf(page.text, 'back-to-folder')).toBe('/browse/Documents');
  });
});

describe('Disconnecting', () => {
  const user = withConnectedUser();

  test('when the person disconnects, then the home page says that it worked', async () => {
    const csrf = csrfTokenOf((await user.agent.get('/browse').expect(200)).text);
    await user.agent.post('/auth/logout').type('form').send({ _csrf: csrf }).expect(302).expect('Location', '/?disconnected=1');
    const home = await user.agent.get('/?disconnected=1').expect(200);
    expect(home.text).toContain('<p class="notice success" role="status" id="disconnected">Dropbox is disconnected. Dropview no longer has access to your files.</p>');
    expect((await user.agent.get('/').expect(200)).text).not.toContain('id="disconnected"');
  });
});
