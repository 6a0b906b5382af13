import { DropboxApiClient } from '../../src/dropbox/api-client';
import { ThumbnailBatcher } from '../../src/dropbox/thumbnail-batcher';
import { BIG_FOLDER, gradientJpeg, jpegDimensions } from '@dropview/dropbox-emulator';
import { decodeHtml, entryLinksOf } from '../support/html';
import { withConnectedUser } from '../support/stack';

describe('Search, file pages, thumbnails and the account summary', () => {
  const user = withConnectedUser();
  const json = (path: string) => user.agent.get(path).set('Accept', 'application/json');

  test('when searching from a folder, then results are scoped to it and show their folder; "everywhere" widens it', async () => {
    const scoped = await user.agent.get('/search?q=sunset&path=%2FPhotos').expect(200);
    const links = entryLinksOf(scoped.text);
    expect(links.map((link) => link.label)).toEqual(['Sunset over the bay.jpg']);
    expect(scoped.text).toContain('<a href="/browse/Photos/2024%20Trip" title="/Photos/2024 Trip">/Photos/2024 Trip</a>');

    expect((await json('/search?q=notes&path=%2FPhotos').expect(200)).body).toEqual({ query: 'notes', entries: [], hasMore: false });
    const everywhere = (await json('/search?q=notes&path=%2FPhotos&everywhere=1').expect(200)).body;
    expect(everywhere.entries.map((entry: { path: string }) => entry.path).sort()).toEqual(['/Documents/Notes.md', "/Ünïcødé & spaces/Zoë's café notes.md"]);
  });

  test('when a search has more results than a page, then "more results" continues it through search/continue_v2', async () => {
    const first = (await json(`/search?q=file&path=${encodeURIComponent(BIG_FOLDER)}`).expect(200)).body;
    expect(first.entries).toHaveLength(100);
    expect(first.hasMore).toBe(true);
    const second = (await json(`/search?q=file&path=${encodeURIComponent(BIG_FOLDER)}&cursor=${encodeURIComponent(first.cursor)}`).expect(200)).body;
    expect(second.entries).toHaveLength(100);
    expect(new Set([...first.entries, ...second.entries].map((entry: { path: string }) => entry.path)).size).toBe(200);
    expect(user.stack.emulator.calls('files/search/continue_v2').pop()?.status).toBe(200);
  });

  test('when a file page opens, then it shows the name, size, date, folder, the image large, a download button and Open in Dropbox', async () => {
    const page = await user.agent.get('/file/Photos/Family.jpg').expect(200);
    expect(page.text).toContain('<h1>Family.jpg</h1>');
    expect(page.text).toMatch(/<dd>\d+(\.\d)? KB <span class="muted">\([\d,]+ bytes\)<\/span><\/dd>/);
    expect(page.text).toContain('<time datetime="2023-12-24T10:30:00Z">Dec 24, 2023, 10:30 AM UTC</time>');
    // The folder link says where it leads; the file's path stands beside it.
    expect(page.text).toContain('<a href="/browse/Photos" id="file-folder">Open the folder “Photos”</a> <span class="muted path">/Photos/Family.jpg</span>');
    expect(page.text).toMatch(/<img src="\/thumbnail\/Photos\/Family\.jpg\?size=w2048h1536&amp;rev=[0-9a-f]+" alt="Family\.jpg">/);
    expect(page.text).toContain('<a class="button" id="open-in-dropbox" href="https://www.dropbox.com/home/Photos/Family.jpg" rel="noopener noreferrer">Open in Dropbox</a>');
    const download = decodeHtml(/id="download" href="([^"]+)"/.exec(page.text)?.[1] as string);
    await user.agent.get(download).expect(302);
    await user.agent.get('/file/Documents').expect(302).expect('Location', '/browse/Documents');
    await user.agent.get('/file/Documents/missing.txt').set('Accept', 'text/html').expect(404);
  });

  test('when a thumbnail is asked for, then it is a JPEG that fits the box, privately cacheable with an ETag, and a revalidation costs Dropbox nothing', async () => {
    const page = await user.agent.get('/browse/Photos?view=grid').expect(200);
    const src = decodeHtml(/<img src="([^"]+Family\.jpg[^"]+)"/.exec(page.text)?.[1] as string);
    const thumbnail = await user.agent
      .get(src)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
    expect(thumbnail.headers['cache-control']).toBe('private, max-age=86400, immutable');
    const image = jpegDimensions(thumbnail.body as Buffer);
    expect(image).toBeDefined();
    expect(Math.max(image!.width, image!.height)).toBeLessThanOrEqual(256);

    const batchesBefore = user.stack.emulator.calls('files/get_thumbnail_batch').length;
    await user.agent.get(src).set('If-None-Match', thumbnail.headers.etag).expect(304);
    expect(user.stack.emulator.calls('files/get_thumbnail_batch').length).toBe(batchesBefore);
  });

  test('when 30 thumbnails of one user are wanted at once, then Dropbox gets two batch calls of at most 25', async () => {
    for (let n = 1; n <= 30; n += 1) user.stack.emulator.tree.addFile(`/Gallery/photo ${n}.jpg`, { content: gradientJpeg(64, 48, [n * 8, 80, 120], [20, n * 8, 200]) });
    const api = new DropboxApiClient({ apiUrl: user.stack.emulator.url, contentUrl: user.stack.emulator.url, notifyUrl: user.stack.emulator.url });
    const token = user.stack.emulator.tokens.issueAccessToken('dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', ['files.content.read']);
    const before = user.stack.emulator.calls('files/get_thumbnail_batch').length;

    const batcher = new ThumbnailBatcher(api);
    const thumbnails = await Promise.all(Array.from({ length: 30 }, (_, index) => batcher.get({ accessToken: token }, `/Gallery/photo ${index + 1}.jpg`, 'w64h64')));

    expect(thumbnails.every((thumbnail) => thumbnail.ok)).toBe(true);
    expect(user.stack.emulator.calls('files/get_thumbnail_batch').length - before).toBe(2);
  });

  test('when a grid page asks for its thumbnails over HTTP, then they arrive and share batch calls', async () => {
    const listing = (await json('/browse/Gallery').expect(200)).body as { entries: { path: string }[] };
    const before = user.stack.emulator.calls('files/get_thumbnail_batch').length;
    const responses = await Promise.all(listing.entries.map((entry) => user.agent.get(`/thumbnail${entry.path.split('/').map(encodeURIComponent).join('/')}?size=w128h128`)));
    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
    expect(user.stack.emulator.calls('files/get_thumbnail_batch').length - before).toBeLessThan(30);
  });

  test('when a thumbnail is asked for a file that is not an image, then the answer is 404', async () => {
    await user.agent.get('/thumbnail/Documents/Notes.md?size=w64h64').set('Accept', 'text/html').expect(404);
    await user.agent.get('/thumbnail/Photos/Family.jpg?size=huge').set('Accept', 'text/html').expect(400);
  });

  test('when pages are shown, then the header names the account and how full its Dropbox is, fetched once per session', async () => {
    const before = user.stack.emulator.calls('users/get_current_account').length;
    const page = await user.agent.get('/browse').expect(200);
    await user.agent.get('/browse/Photos').expect(200);
    expect(page.text).toContain('<strong>Dana Demo</strong> <span class="email">dana@example.com</span>');
    expect(page.text).toMatch(/<meter min="0" max="100" value="\d+" aria-label="Space used">/);
    expect(user.stack.emulator.calls('users/get_current_account').length - before).toBeLessThanOrEqual(1);
  });
});
