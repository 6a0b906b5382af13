import { entryLinksOf } from '../support/html';
import { HOSTILE_NAMES, withConnectedUser } from '../support/stack';

describe('S14: names from Dropbox are data, never markup', () => {
  const user = withConnectedUser();

  test('when Dropbox names carry markup, quotes and URL syntax, then the page shows them as text and their links round-trip', async () => {
    const page = await user.agent.get('/browse/Hostile').expect(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).not.toContain('<b>bold');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;.txt');

    const links = entryLinksOf(page.text);
    const statuses = await Promise.all(links.map(async (link) => (await user.agent.get(link.href)).status));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const names = links.map((link) => decodeURIComponent(link.href.replace(/^\/(browse|file)\/Hostile\//, '')));
    expect(names.sort()).toEqual([...HOSTILE_NAMES, '<b>bold folder'].sort());
  });

  test('when hostile names are shown as a grid, then the cards show them as text too', async () => {
    const page = await user.agent.get('/browse/Hostile?view=grid').expect(200);
    expect(page.text).toContain('<ul class="grid" id="entries"');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).not.toContain('<b>bold');
    expect(page.text).toContain('<span class="card-name">&lt;img src=x onerror=alert(1)&gt;.txt</span>');
  });

  test('when hostile names are listed as JSON, then they come back verbatim, for the client to treat as text', async () => {
    const listing = await user.agent.get('/browse/Hostile').set('Accept', 'application/json').expect(200);
    expect(listing.headers['content-type']).toMatch(/^application\/json/);
    expect(listing.body.entries.map((entry: { name: string }) => entry.name).sort()).toEqual([...HOSTILE_NAMES, '<b>bold folder'].sort());
  });
});
