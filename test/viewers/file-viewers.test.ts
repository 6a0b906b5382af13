import { HOSTILE_FOLDER, VIEWERS_FOLDER, virtualContent } from '@dropview/dropbox-emulator';
import { decodeHtml } from '../support/html';
import { withConnectedUser } from '../support/stack';
import { unzip } from '../support/unzip';

/** The file page shows the file itself, in the viewer its kind opens in, through the emulator's real routes. */

const file = (path: string) => `/file${path.split('/').map(encodeURIComponent).join('/')}`;
const binary = (agent: ReturnType<typeof withConnectedUser>['agent'], url: string) =>
  agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

/** The HTML a file page wraps around the file: everything between the page's <main> tags. */
const mainOf = (html: string) => /<main id="main">([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';

describe('Photos: large, full size, and stepping through the folder', () => {
  const user = withConnectedUser();

  test('when a photo opens, then it shows at w2048h1536 with a full-size link and the next photo by name, and no previous for the first', async () => {
    const page = (await user.agent.get(file(`${VIEWERS_FOLDER}/Harbour at dawn.jpg`)).expect(200)).text;
    expect(page).toMatch(/<img src="\/thumbnail\/Viewers\/Harbour%20at%20dawn\.jpg\?size=w2048h1536&amp;rev=[0-9a-f]+" alt="Harbour at dawn\.jpg">/);
    expect(page).toContain('data-next="/file/Viewers/Lighthouse.jpg"');
    expect(page).toContain('<a class="button" rel="next" href="/file/Viewers/Lighthouse.jpg">');
    expect(page).not.toContain('rel="prev"');
    expect(page).toContain('data-folder="/browse/Viewers"');
    expect(page).toContain('1 of 4');
    const thumbnail = await binary(user.agent, decodeHtml(/<img src="([^"]+)"/.exec(mainOf(page))?.[1] as string)).expect(200);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
  });

  test('when the folder is sorted by date, newest first, then previous and next follow that order and keep it in their links', async () => {
    const page = (await user.agent.get(`${file(`${VIEWERS_FOLDER}/Olive grove.jpg`)}?sort=modified&order=desc`).expect(200)).text;
    expect(decodeHtml(/rel="prev" href="([^"]+)"/.exec(page)?.[1] as string)).toBe('/file/Viewers/Night%20market.jpg?sort=modified&order=desc');
    expect(decodeHtml(/rel="next" href="([^"]+)"/.exec(page)?.[1] as string)).toBe('/file/Viewers/Lighthouse.jpg?sort=modified&order=desc');
    expect(decodeHtml(/data-folder="([^"]+)"/.exec(page)?.[1] as string)).toBe('/browse/Viewers?sort=modified&order=desc');
  });

  test('when "Full size" is followed, then the original bytes come inline as a JPEG, sandboxed', async () => {
    const full = await binary(user.agent, '/content/Viewers/Lighthouse.jpg').expect(200);
    const original = user.stack.emulator.tree.lookup('/Viewers/Lighthouse.jpg');
    expect(original?.kind === 'file' && (full.body as Buffer).equals(original.content as Buffer)).toBe(true);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.headers['content-security-policy']).toMatch(/^sandbox;/);
    expect(full.headers['content-disposition']).toMatch(/^inline;/);
  });

  test('when a TIFF photo opens, then it shows large from its thumbnail, and full size is its download (browsers do not show TIFF)', async () => {
    user.stack.emulator.tree.addFile('/Scans/page.tiff', { size: 50_000 });
    const page = (await user.agent.get('/file/Scans/page.tiff').expect(200)).text;
    expect(page).toMatch(/<img src="\/thumbnail\/Scans\/page\.tiff\?size=w2048h1536&amp;rev=[0-9a-f]+" alt="page\.tiff">/);
    expect(page).toContain('<a class="button" href="/download/Scans/page.tiff">Full size</a>');
  });

  test('when an SVG is listed or opened, then its icon shows, never a thumbnail Dropbox would refuse', async () => {
    const grid = (await user.agent.get('/browse/Viewers?view=grid').expect(200)).text;
    expect(grid).not.toContain('/thumbnail/Viewers/Logo.svg');
    // The card holds the icon of its kind and no image.
    expect(grid).toMatch(
      /<a href="\/file\/Viewers\/Logo\.svg\?view=grid" title="Logo\.svg">\s*<span class="thumb image"><svg class="kind-icon" aria-hidden="true" focusable="false"><use href="\/public\/icons\.svg#image"><\/use><\/svg><\/span>/,
    );
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/Logo.svg`)).expect(200)).text);
    expect(page).not.toContain('<img');
    expect(page).toContain('<use href="/public/icons.svg#image"></use>');
    expect(page).toContain('Dropview has no preview of this kind of file.');
  });
});

describe('Text, Markdown, CSV and code, read with files/download', () => {
  const user = withConnectedUser();

  test('when a Markdown file opens, then it is rendered: headings, lists, tables, code and an http link with rel=noopener', async () => {
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/Trip plan.md`)).expect(200)).text);
    expect(page).toContain('<h1>Trip plan</h1>');
    expect(page).toContain('<li>passport</li>');
    expect(page).toMatch(/<table>[\s\S]*<td>Lisbon<\/td>/);
    expect(page).toContain('<code>const answer = 42;\n</code>');
    expect(page).toContain('<a href="https://www.dropbox.com/" rel="nofollow noopener noreferrer">Dropbox</a>');
  });

  test('when a CSV opens, then it is a table with a header row, quoted commas and quotes kept in their cells', async () => {
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/Expenses.csv`)).expect(200)).text);
    expect(page).toMatch(/<thead><tr><th scope="col">date<\/th><th scope="col">item<\/th><th scope="col">amount<\/th><\/tr><\/thead>/);
    expect(page).toContain('<td>Ferry, return</td>');
    expect(page).toContain('<td>Dinner &#34;at the port&#34;</td>');
    expect(page).not.toContain('id="csv-cut"');
  });

  test('when a CSV has more rows than are shown, then the first 500 show with a note that it was cut', async () => {
    const rows = Array.from({ length: 900 }, (_, n) => `${n},row ${n}`).join('\n');
    user.stack.emulator.tree.addFile('/Long/rows.csv', { content: `n,label\n${rows}\n` });
    const page = mainOf((await user.agent.get('/file/Long/rows.csv').expect(200)).text);
    expect(page.match(/<tr>/g)).toHaveLength(501);
    expect(page).toContain('<td>row 499</td>');
    expect(page).not.toContain('<td>row 500</td>');
    expect(page).toContain('Showing the first 500 rows.');
  });

  test('when source code opens, then each line is its own numbered line, escaped', async () => {
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/server.ts`)).expect(200)).text);
    expect(page).toContain('<pre class="viewer code" id="text"');
    expect(page).toContain('<span class="line">const server = createServer((req, res) =&gt; {</span>');
    expect(page.match(/<span class="line">/g)).toHaveLength(9);
  });

  test('when a text file is not UTF-8, then it still shows, the odd bytes as U+FFFD, with a note', async () => {
    user.stack.emulator.tree.addFile('/Odd/latin1.txt', { content: Buffer.from('caf\xe9 cr\xe8me\n', 'latin1') });
    const page = mainOf((await user.agent.get('/file/Odd/latin1.txt').expect(200)).text);
    expect(page).toContain('<span class="line">caf\uFFFD cr\uFFFDme</span>');
    expect(page).toContain('are not UTF-8 text');
  });

  test('when a text file is over 1 MB, then the page says so and offers Download, without reading it', async () => {
    user.stack.emulator.tree.addFile('/Odd/big.log', { size: 1024 * 1024 + 1 });
    const downloads = user.stack.emulator.calls('files/download').length;
    const page = mainOf((await user.agent.get('/file/Odd/big.log').expect(200)).text);
    expect(page).toContain('This file is larger than 1.0 MB, so Dropview does not show it in the page.');
    expect(page).toContain('id="download"');
    expect(user.stack.emulator.calls('files/download').length).toBe(downloads);
  });
});

describe('Hostile files run nothing', () => {
  const user = withConnectedUser();

  test('when a Markdown file holds <script>, raw HTML, javascript: and data: links and a remote image, then none of it reaches the page as markup', async () => {
    const response = await user.agent.get(file(`${HOSTILE_FOLDER}/Tricky.md`)).expect(200);
    const page = mainOf(response.text);
    const tags = page.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.filter((tag) => /^<(script|img|iframe|object|embed)|\son\w+=|href="(javascript|data):/i.test(tag))).toEqual([]);
    expect(page).toContain('&lt;script&gt;alert(&quot;markdown script&quot;)&lt;/script&gt;');
    expect(page).toContain('[a javascript: link](javascript:alert(&quot;link&quot;))');
    expect(page).toContain('<a href="https://example.com/tracker.png" rel="nofollow noopener noreferrer">[image: remote image]</a>');
    // The page's own policy: scripts only from Dropview, nothing inline.
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(response.text.match(/<script/g)).toHaveLength(1);
    expect(response.text).toContain('<script src="/public/app.js" defer></script>');
  });

  test('when a CSV holds formulas and markup, then the cells show them as text', async () => {
    const page = mainOf((await user.agent.get(file(`${HOSTILE_FOLDER}/Formulas.csv`)).expect(200)).text);
    expect(page).toContain('<td>=HYPERLINK(&#34;https://example.com/&#34;,&#34;click&#34;)</td>');
    expect(page).toContain('<td>=1+2</td>');
    expect(page).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(page).not.toContain('<script>alert');
  });

  test('when an HTML file or a text file with a closing </pre> opens, then it is shown as escaped source', async () => {
    const html = mainOf((await user.agent.get(file(`${HOSTILE_FOLDER}/Page.html`)).expect(200)).text);
    expect(html).toContain('<span class="line">&lt;!doctype html&gt;&lt;h1&gt;Hello&lt;/h1&gt;&lt;script&gt;alert(&#34;html script&#34;)&lt;/script&gt;</span>');
    const text = mainOf((await user.agent.get(file(`${HOSTILE_FOLDER}/Script.txt`)).expect(200)).text);
    expect(text).toContain('<span class="line">&lt;/pre&gt;&lt;script&gt;alert(&#34;text script&#34;)&lt;/script&gt;</span>');
    expect(text).not.toContain('<script>alert');
  });

  test('when an HTML file is asked for inline, then Dropview refuses: only PDFs and photos are served that way', async () => {
    await user.agent.get('/content/Hostile%20files/Page.html').set('Accept', 'text/html').expect(404);
  });
});

describe('Documents: PDF in the browser viewer, office files through Dropbox previews', () => {
  const user = withConnectedUser();

  test('when a PDF opens, then the page frames /content, which serves the bytes as application/pdf under a sandbox policy', async () => {
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/Itinerary.pdf`)).expect(200)).text);
    expect(page).toContain('<iframe class="viewer pdf" id="pdf" src="/content/Viewers/Itinerary.pdf" title="Itinerary.pdf (PDF)"></iframe>');
    const pdf = await binary(user.agent, '/content/Viewers/Itinerary.pdf').expect(200);
    expect([pdf.headers['content-type'], (pdf.body as Buffer).subarray(0, 5).toString('latin1')]).toEqual(['application/pdf', '%PDF-']);
    expect(pdf.headers['content-security-policy']).toBe("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
    expect(pdf.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  test('when a Word file opens, then its frame shows Dropbox preview PDF, from files/get_preview', async () => {
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/Letter.docx`)).expect(200)).text);
    expect(page).toContain('<iframe class="viewer pdf" id="document-preview" src="/preview/Viewers/Letter.docx"');
    const preview = await binary(user.agent, '/preview/Viewers/Letter.docx').expect(200);
    expect([preview.headers['content-type'], (preview.body as Buffer).subarray(0, 5).toString('latin1')]).toEqual(['application/pdf', '%PDF-']);
    expect(preview.headers['content-security-policy']).toMatch(/^sandbox;/);
  });

  test('when a spreadsheet opens, then its HTML preview is in a sandboxed frame (no scripts, no same origin) and served under CSP sandbox', async () => {
    const page = mainOf((await user.agent.get(file(`${VIEWERS_FOLDER}/Budget.xlsx`)).expect(200)).text);
    expect(page).toMatch(/<iframe class="viewer sheet" id="sheet-preview" sandbox src="\/preview\/Viewers\/Budget\.xlsx"/);
    const preview = await user.agent.get('/preview/Viewers/Budget.xlsx').expect(200);
    expect(preview.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(preview.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
    expect(preview.headers['content-security-policy']).not.toMatch(/allow-scripts|allow-same-origin/);
    expect(preview.text).toContain('Budget.xlsx');
  });

  test('when Dropbox is still making the preview, then the frame says it is being prepared and offers Try again, which then works', async () => {
    user.stack.emulator.injectFault('files/get_preview', { kind: 'route_error', tag: 'in_progress' });
    const waiting = await user.agent.get('/preview/Viewers/Letter.docx').expect(503);
    expect(waiting.headers['retry-after']).toBe('5');
    expect(waiting.text).toContain('The preview is being prepared by Dropbox.');
    const retry = decodeHtml(/id="preview-retry" href="([^"]+)"/.exec(waiting.text)?.[1] as string);
    expect(retry).toBe('/preview/Viewers/Letter.docx');
    await user.agent.get(retry).expect(200);
  });

  test('when Dropbox has no preview for the file, then the frame says so and points to Download', async () => {
    user.stack.emulator.injectFault('files/get_preview', { kind: 'route_error', tag: 'unsupported_content' });
    const refused = await user.agent.get('/preview/Viewers/Letter.docx').expect(415);
    expect(refused.text).toContain('Dropbox has no preview of this file. Download it to open it.');
  });
});

describe('Audio and video from a temporary link', () => {
  const user = withConnectedUser();

  test('when an audio file opens, then an <audio> plays the temporary link, and the page allows media from that origin only', async () => {
    const response = await user.agent.get(file(`${VIEWERS_FOLDER}/Chime.wav`)).expect(200);
    const src = decodeHtml(/<audio class="viewer audio" id="audio" controls preload="metadata" src="([^"]+)">/.exec(response.text)?.[1] as string);
    expect(src.startsWith(`${user.stack.emulator.url}/temp/`)).toBe(true);
    expect(response.headers['content-security-policy']).toContain(`media-src ${user.stack.emulator.url};`);
    const seek = await fetch(src, { headers: { Range: 'bytes=44-' } });
    expect(seek.status).toBe(206);
  });

  test('when a video opens, then a <video> with controls loads the temporary link', async () => {
    user.stack.emulator.tree.addFile('/Clips/clip.webm', { size: 2048 });
    const page = (await user.agent.get('/file/Clips/clip.webm').expect(200)).text;
    expect(page).toMatch(new RegExp(`<video class="viewer video" id="video" controls preload="metadata" src="${user.stack.emulator.url}/temp/[^"]+/clip\\.webm">`));
  });
});

describe('A folder as a .zip', () => {
  const user = withConnectedUser();

  test('when "Download as .zip" is followed, then the archive streams with the folder name and holds exactly the folder files', async () => {
    const tree = user.stack.emulator.tree;
    tree.addFile('/Zipped/notes.txt', { content: 'first\n' });
    tree.addFile('/Zipped/Deeper/data.bin', { size: 3_000_000 });
    const folderPage = (await user.agent.get('/browse/Zipped').expect(200)).text;
    expect(folderPage).toContain('<a class="button" id="download-zip" href="/zip/Zipped">Download as .zip</a>');
    const zip = await binary(user.agent, '/zip/Zipped').expect(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toBe(`attachment; filename="Zipped.zip"; filename*=UTF-8''Zipped.zip`);
    const entries = await unzip(zip.body as Buffer);
    expect([...entries.keys()].sort()).toEqual(['Zipped/', 'Zipped/Deeper/', 'Zipped/Deeper/data.bin', 'Zipped/notes.txt']);
    expect(entries.get('Zipped/notes.txt')?.toString()).toBe('first\n');
    expect(entries.get('Zipped/Deeper/data.bin')?.equals(virtualContent(3_000_000))).toBe(true);
  });

  test('when the folder is over Dropbox limits, then a page states them: 20 GB, 4 GB per file, 10,000 entries', async () => {
    user.stack.emulator.tree.addFile('/Too big/film.mkv', { size: 5 * 1024 ** 3 });
    const tooLarge = await user.agent.get('/zip/Too%20big').set('Accept', 'text/html').expect(409);
    for (const limit of ['20 GB', '4 GB', '10,000']) expect(tooLarge.text).toContain(limit);
    user.stack.emulator.injectFault('files/download_zip', { kind: 'route_error', tag: 'too_many_files' });
    const tooMany = await user.agent.get('/zip/Zipped').set('Accept', 'application/json').expect(409);
    expect(tooMany.body.error.code).toBe('zip_too_many_files');
  });

  test('when the root or a file is asked for as a zip, then the root is refused and a file goes to its download', async () => {
    await user.agent.get('/zip/').set('Accept', 'text/html').expect(404);
    await user.agent.get('/zip/Zipped/notes.txt').expect(302).expect('Location', '/download/Zipped/notes.txt');
    expect((await user.agent.get('/browse').expect(200)).text).not.toContain('id="download-zip"');
  });

  test('when the browser goes away mid-zip, then Dropview ends its download from Dropbox', async () => {
    user.stack.emulator.tree.addFile('/Large/movie.bin', { size: 400 * 1024 * 1024 });
    const abort = new AbortController();
    const cookie = user.cookie;
    const response = await fetch(`${user.stack.url}/zip/Large`, { headers: { Cookie: cookie }, signal: abort.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    abort.abort();
    // The emulator's answer is cut off, long before its 400 MB were sent.
    const zipCall = user.stack.emulator.calls('files/download_zip').pop();
    await untilEnded(() => zipCall?.cutOff !== undefined);
    expect(zipCall?.cutOff).toBe(true);
    expect(zipCall?.bytesSent).toBeLessThan(100 * 1024 * 1024);
  });
});

/** Resolves once `ended()` holds: the journal records an answer's end when its response closes. */
async function untilEnded(ended: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ended()) {
    if (Date.now() > deadline) throw new Error('the emulator answer did not end');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
