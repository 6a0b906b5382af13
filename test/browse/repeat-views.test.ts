import { entryLinksOf } from '../support/html';
import { withConnectedUser } from '../support/stack';

/**
 * A folder viewed again reuses the rows it rendered while Dropbox reports the same entries
 * (src/listing/folder-reader.ts, src/views/entry-rows.ts). These pin down that reuse never
 * shows a stale page.
 */

const sizesOf = (html: string) => [...html.matchAll(/<td class="size">([^<]*)<\/td>/g)].map((match) => match[1]);

describe('Viewing a folder again', () => {
  const user = withConnectedUser();
  const page = async (address: string, language = 'en') => (await user.agent.get(address).set('Accept-Language', language).expect(200)).text;
  const tree = () => user.stack.emulator.tree;

  test('when nothing changed in Dropbox, then the second view shows the same rows', async () => {
    tree().addFile('/Again/same.txt', { content: 'same' });
    const first = await page('/browse/Again');
    const second = await page('/browse/Again');
    expect(entryLinksOf(second)).toEqual(entryLinksOf(first));
    expect(entryLinksOf(second).map((link) => link.label)).toEqual(['same.txt']);
  });

  test('when a file is added, removed or renamed between views, then the next view shows it', async () => {
    tree().addFile('/Changing/a.txt', { content: 'a' });
    tree().addFile('/Changing/b.txt', { content: 'b' });
    expect(entryLinksOf(await page('/browse/Changing')).map((link) => link.label)).toEqual(['a.txt', 'b.txt']);

    tree().addFile('/Changing/c.txt', { content: 'c' });
    expect(entryLinksOf(await page('/browse/Changing')).map((link) => link.label)).toEqual(['a.txt', 'b.txt', 'c.txt']);

    tree().remove('/Changing/a.txt');
    expect(entryLinksOf(await page('/browse/Changing')).map((link) => link.label)).toEqual(['b.txt', 'c.txt']);

    tree().remove('/Changing/b.txt');
    tree().addFile('/Changing/b renamed.txt', { content: 'b' });
    expect(entryLinksOf(await page('/browse/Changing')).map((link) => link.label)).toEqual(['b renamed.txt', 'c.txt']);
  });

  test('when a file is rewritten with a new size between views, then the next view shows the new size', async () => {
    tree().addFile('/Growing/log.txt', { content: 'x'.repeat(10) });
    expect(sizesOf(await page('/browse/Growing'))).toEqual(['10 bytes']);
    tree().addFile('/Growing/log.txt', { content: 'x'.repeat(2048) });
    expect(sizesOf(await page('/browse/Growing'))).toEqual(['2.0 KB']);
  });

  test('when an unchanged folder is viewed in another language, then its rows are in that language', async () => {
    tree().addFile('/Spoken/notes.txt', { content: 'x'.repeat(1536) });
    expect(sizesOf(await page('/browse/Spoken'))).toEqual(['1.5 KB']);
    expect(sizesOf(await page('/browse/Spoken', 'de'))).toEqual(['1,5 KB']);
    expect(sizesOf(await page('/browse/Spoken'))).toEqual(['1.5 KB']);
  });

  test('when the same folder is viewed sorted and as a grid, then each view has its own rows', async () => {
    tree().addFile('/Views/small.txt', { content: 's' });
    tree().addFile('/Views/large.txt', { content: 'l'.repeat(5120) });
    const byName = await page('/browse/Views');
    const bySizeDescending = await page('/browse/Views?sort=size&order=desc');
    const grid = await page('/browse/Views?view=grid');
    expect(entryLinksOf(byName).map((link) => link.label)).toEqual(['large.txt', 'small.txt']);
    expect(sizesOf(bySizeDescending)).toEqual(['5.0 KB', '1 byte']);
    expect(grid).toContain('<ul class="grid" id="entries"');
    expect(grid).toMatch(/<li class="card file">[\s\S]*large\.txt[\s\S]*small\.txt/);
    expect(await page('/browse/Views')).toBe(byName);
  });
});
