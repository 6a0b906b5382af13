import { connect } from '../support/oauth-dance';
import { withConnectedUser } from '../support/stack';

describe('Downloading a file', () => {
  const user = withConnectedUser();

  test('when a file is downloaded, then the browser is sent to a temporary link that serves its bytes', async () => {
    const response = await user.agent.get('/download/Documents/Budget%202026.csv').expect(302);
    const link = new URL(response.headers.location);
    expect(link.origin).toBe(user.stack.emulator.url);
    expect(user.stack.emulator.calls('files/get_temporary_link').pop()?.status).toBe(200);

    const file = await fetch(link);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('month,amount\nJanuary,1200\nFebruary,1150\n');
  });

  test('when the path names a folder, then a 400 page says only files download and links to the folder', async () => {
    const page = await user.agent.get('/download/Documents').set('Accept', 'text/html').expect(400);
    expect(page.text).toContain('only files can be downloaded');
    expect(page.text).toContain('href="/browse/Documents"');
  });

  test('when the file does not exist, then the answer is a 404 page', async () => {
    const page = await user.agent.get('/download/Documents/gone.txt').set('Accept', 'text/html').expect(404);
    expect(page.text).toContain('does not exist in your Dropbox');
  });

  test('when a download is asked for without a connection, then the browser connects and comes back to it', async () => {
    const fresh = user.stack.agent();
    await fresh.get('/download/Documents/Notes.md').set('Accept', 'text/html').expect(302).expect('Location', '/auth/dropbox?return_to=%2Fdownload%2FDocuments%2FNotes.md');
    const { response } = await connect(fresh, '/download/Documents/Notes.md');
    expect(response.headers.location).toBe('/download/Documents/Notes.md');
  });
});
