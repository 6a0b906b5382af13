import { Dropbox } from 'dropbox';
import { addSampleFiles, contentHash, DropboxEmulator, HOSTILE_FOLDER, VIEWERS_FOLDER, virtualContent } from '../src';
import { control, rpc, startEmulator, tokenFor } from './support/harness';
import { unzip } from './support/unzip';

/** files/download, files/get_preview and files/download_zip: download-style calls on the content host, and temporary links that seek. */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ controlApi: true });
  addSampleFiles(emulator.tree);
  token = await tokenFor(emulator);
});
afterAll(async () => emulator.close());

/** A download-style call: the argument in Dropbox-API-Arg, the result in Dropbox-API-Result. */
async function contentCall(route: string, args: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.url}/2/${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': JSON.stringify(args), ...headers } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const result = response.headers.get('dropbox-api-result');
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    result: result ? (JSON.parse(result) as Record<string, any>) : undefined,
    json: () => JSON.parse(bytes.toString('utf8')) as Record<string, any>,
  };
}

describe('files/download: the bytes, with FileMetadata in Dropbox-API-Result', () => {
  test('when a file is downloaded, then the body is its bytes and the header its metadata, as get_metadata gives it', async () => {
    const path = `${VIEWERS_FOLDER}/Trip plan.md`;
    const answer = await contentCall('files/download', { path });
    const metadata = (await rpc(emulator, 'files/get_metadata', token, { path })).body;
    expect(answer.status).toBe(200);
    expect(answer.result).toEqual(metadata);
    expect(contentHash(answer.bytes)).toBe(metadata.content_hash);
    expect(answer.bytes.toString('utf8')).toMatch(/^# Trip plan/);
  });

  test('when a name has characters past ASCII, then Dropbox-API-Result escapes them as \\u so the header stays ASCII', async () => {
    const response = await fetch(`${emulator.url}/2/files/download`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Dropbox-API-Arg': JSON.stringify({ path: '/Ünïcødé & spaces/日本語のファイル.txt' }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      },
    });
    const raw = response.headers.get('dropbox-api-result') as string;
    expect(raw).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(raw).name).toBe('日本語のファイル.txt');
    expect(await response.text()).toBe('こんにちは\n');
  });

  test('when a Range is asked for, then 206 with that slice and Content-Range; past the end, 416', async () => {
    emulator.tree.addFile('/Ranges/big.bin', { size: 10_000_000 });
    const whole = virtualContent(10_000_000);
    const middle = await contentCall('files/download', { path: '/Ranges/big.bin' }, { Range: 'bytes=4194300-4194310' });
    expect([middle.status, middle.headers.get('content-range')]).toEqual([206, 'bytes 4194300-4194310/10000000']);
    expect(middle.bytes.equals(whole.subarray(4194300, 4194311))).toBe(true);
    const tail = await contentCall('files/download', { path: '/Ranges/big.bin' }, { Range: 'bytes=-5' });
    expect(tail.bytes).toEqual(whole.subarray(9_999_995));
    const past = await contentCall('files/download', { path: '/Ranges/big.bin' }, { Range: 'bytes=10000000-' });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, 'bytes */10000000']);
  });

  test('when the path is a folder, missing, or a cloud document, then 409 path/not_file, path/not_found, unsupported_file', async () => {
    const folder = await contentCall('files/download', { path: VIEWERS_FOLDER });
    const missing = await contentCall('files/download', { path: '/nope.txt' });
    emulator.tree.addFile('/Docs/Plan.gdoc', { content: '{"url": "https://docs.google.com/"}' });
    const cloud = await contentCall('files/download', { path: '/Docs/Plan.gdoc' });
    expect([folder.status, folder.json().error, missing.json().error, cloud.json().error]).toEqual([
      409,
      { '.tag': 'path', path: { '.tag': 'not_file' } },
      { '.tag': 'path', path: { '.tag': 'not_found' } },
      { '.tag': 'unsupported_file' },
    ]);
  });

  test('when Dropbox-API-Arg is missing or not JSON, then the 400 text Dropbox gives', async () => {
    const none = await fetch(`${emulator.url}/2/files/download`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect([none.status, await none.text()]).toEqual([400, 'Error in call to API function "files/download": Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".']);
    const garbled = await contentCall('files/download', 'x', { 'Dropbox-API-Arg': '{nope' });
    expect(garbled.bytes.toString()).toMatch(/could not decode input as JSON/);
  });

  test('when the argument comes as ?arg= on a GET, then the same answer', async () => {
    const response = await fetch(`${emulator.url}/2/files/download?arg=${encodeURIComponent(JSON.stringify({ path: `${VIEWERS_FOLDER}/Read me.txt` }))}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(await response.text()).toMatch(/^A plain text file/);
  });

  test('when the official SDK downloads a file, then it reads the metadata and the bytes', async () => {
    // In Node the SDK reads download bodies with node-fetch's res.buffer(), which the built-in fetch lacks.
    const sdkFetch = async (url: string, init?: RequestInit) => {
      const response = await fetch(url.replace(/^https:\/\/[a-z.]+/, emulator.url), init);
      return Object.assign(response, { buffer: async () => Buffer.from(await response.arrayBuffer()) });
    };
    const dbx = new Dropbox({ accessToken: token, fetch: sdkFetch });
    const answer = await dbx.filesDownload({ path: `${VIEWERS_FOLDER}/settings.json` });
    const { name, fileBinary } = answer.result as unknown as { name: string; fileBinary: Buffer };
    expect(name).toBe('settings.json');
    expect(JSON.parse(Buffer.from(fileBinary).toString('utf8'))).toMatchObject({ theme: 'dark' });
  });
});

describe('files/get_preview: a PDF for documents, HTML for spreadsheets', () => {
  test('when a .docx is previewed, then a real PDF comes back with the file metadata', async () => {
    const answer = await contentCall('files/get_preview', { path: `${VIEWERS_FOLDER}/Letter.docx` });
    expect([answer.status, answer.headers.get('content-type'), answer.result?.name]).toEqual([200, 'application/pdf', 'Letter.docx']);
    expect(answer.bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    // The cross-reference table points at each object: the PDF is well formed.
    const text = answer.bytes.toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(text)?.[1]);
    expect(text.slice(xref, xref + 4)).toBe('xref');
    const firstObject = Number(/\n(\d{10}) 00000 n/.exec(text)?.[1]);
    expect(text.slice(firstObject, firstObject + 7)).toBe('1 0 obj');
  });

  test('when a .csv is previewed, then HTML with its cells, escaped', async () => {
    const answer = await contentCall('files/get_preview', { path: `${HOSTILE_FOLDER}/Formulas.csv` });
    const html = answer.bytes.toString('utf8');
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('<td>=1+2</td>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).not.toContain('<script>');
  });

  test('when an extension has no preview, then 409 unsupported_extension', async () => {
    const answer = await contentCall('files/get_preview', { path: `${VIEWERS_FOLDER}/Chime.wav` });
    expect([answer.status, answer.json().error]).toEqual([409, { '.tag': 'unsupported_extension' }]);
  });

  test('when in_progress is armed through the control API, then the next preview answers it and the one after succeeds', async () => {
    const armed = await control(emulator, 'faults', { route: 'files/get_preview', fault: { kind: 'route_error', tag: 'in_progress' } });
    expect(armed.status).toBe(200);
    const first = await contentCall('files/get_preview', { path: `${VIEWERS_FOLDER}/Letter.docx` });
    expect([first.status, first.json().error]).toEqual([409, { '.tag': 'in_progress' }]);
    expect((await contentCall('files/get_preview', { path: `${VIEWERS_FOLDER}/Letter.docx` })).status).toBe(200);
  });

  test('when the control API is sent a fault it does not know, then 400 says what it takes', async () => {
    const refused = await control(emulator, 'faults', { route: 'files/get_preview', fault: { kind: 'explode' } });
    expect([refused.status, refused.body.error]).toEqual([400, expect.stringContaining('route_error')]);
  });
});

describe('files/download_zip: a folder as a zip, within Dropbox limits', () => {
  test('when a folder is zipped, then the archive holds the top folder and every file with its exact bytes, and the result names the folder', async () => {
    emulator.tree.addFile('/Zip me/a.txt', { content: 'alpha\n' });
    emulator.tree.addFile('/Zip me/Sub folder/b.bin', { size: 5_000_000 });
    emulator.tree.addFile('/Zip me/Sub folder/ç.txt', { content: 'ç\n' });
    emulator.tree.addFolder('/Zip me/Empty');
    const answer = await contentCall('files/download_zip', { path: '/zip me' }, { Range: 'bytes=0-10' });
    expect([answer.status, answer.headers.get('content-type'), answer.result?.metadata]).toEqual([200, 'application/zip', expect.objectContaining({ '.tag': 'folder', name: 'Zip me' })]);
    const entries = await unzip(answer.bytes);
    expect([...entries.keys()].sort()).toEqual(['Zip me/', 'Zip me/Empty/', 'Zip me/Sub folder/', 'Zip me/Sub folder/b.bin', 'Zip me/Sub folder/ç.txt', 'Zip me/a.txt']);
    expect(entries.get('Zip me/a.txt')?.toString()).toBe('alpha\n');
    expect(entries.get('Zip me/Sub folder/b.bin')?.equals(virtualContent(5_000_000))).toBe(true);
  });

  test('when the path is a file, then 409 path/not_folder', async () => {
    const answer = await contentCall('files/download_zip', { path: `${VIEWERS_FOLDER}/Read me.txt` });
    expect([answer.status, answer.json().error]).toEqual([409, { '.tag': 'path', path: { '.tag': 'not_folder' } }]);
  });

  test('when a folder holds 10,000 entries with the top folder, then too_many_files; a file of 4 GB, then too_large', async () => {
    for (let n = 1; n < 10_000; n += 1) emulator.tree.addFile(`/Many/f${n}`, { size: 1 });
    expect((await contentCall('files/download_zip', { path: '/Many' })).status).toBe(200);
    emulator.tree.addFile('/Many/one more', { size: 1 });
    expect((await contentCall('files/download_zip', { path: '/Many' })).json().error).toEqual({ '.tag': 'too_many_files' });
    emulator.tree.addFile('/Huge/video.mov', { size: 4 * 1024 ** 3 });
    expect((await contentCall('files/download_zip', { path: '/Huge' })).json().error).toEqual({ '.tag': 'too_large' });
  });

  test('when too_large is armed through the control API, then the next zip of any folder answers it', async () => {
    await control(emulator, 'faults', { route: 'files/download_zip', fault: { kind: 'route_error', tag: 'too_large' } });
    const answer = await contentCall('files/download_zip', { path: '/Zip me' });
    expect([answer.status, answer.json().error_summary]).toEqual([409, expect.stringMatching(/^too_large\//)]);
  });
});

describe('Temporary links seek: Range on the link', () => {
  test('when a temporary link is read with a Range, then 206 and that slice', async () => {
    const { link } = (await rpc(emulator, 'files/get_temporary_link', token, { path: `${VIEWERS_FOLDER}/Chime.wav` })).body;
    const response = await fetch(link, { headers: { Range: 'bytes=0-3' } });
    expect([response.status, response.headers.get('content-type'), response.headers.get('accept-ranges')]).toEqual([206, 'audio/wav', 'bytes']);
    expect(Buffer.from(await response.arrayBuffer()).toString('ascii')).toBe('RIFF');
  });
});

describe('Demo sample files: one of each kind the viewers show', () => {
  test('when the Viewers folder is listed, then it holds photos, text, Markdown, CSV, JSON, code, PDF, Word, Excel, audio, video and SVG, and the Office files are real zips', async () => {
    const names = emulator.tree.list(VIEWERS_FOLDER).map((node) => node.name);
    expect(names.filter((name) => name.endsWith('.jpg')).length).toBeGreaterThanOrEqual(3);
    for (const extension of ['txt', 'md', 'csv', 'json', 'ts', 'pdf', 'docx', 'xlsx', 'wav', 'webm', 'svg']) expect(names.some((name) => name.endsWith(`.${extension}`))).toBe(true);
    const docx = await unzip((await contentCall('files/download', { path: `${VIEWERS_FOLDER}/Letter.docx` })).bytes);
    expect(docx.get('word/document.xml')?.toString()).toContain('Dear reader,');
    const xlsx = await unzip((await contentCall('files/download', { path: `${VIEWERS_FOLDER}/Budget.xlsx` })).bytes);
    expect(xlsx.get('xl/worksheets/sheet1.xml')?.toString()).toContain('<t>Ferry</t>');
    const wav = (await contentCall('files/download', { path: `${VIEWERS_FOLDER}/Chime.wav` })).bytes;
    expect([wav.toString('ascii', 0, 4), wav.toString('ascii', 8, 12), wav.readUInt32LE(40)]).toEqual(['RIFF', 'WAVE', wav.length - 44]);
    // WebM starts with an EBML header whose DocType is "webm".
    const webm = (await contentCall('files/download', { path: `${VIEWERS_FOLDER}/Harbour clip.webm` })).bytes;
    expect([webm.readUInt32BE(0).toString(16), webm.subarray(0, 64).includes(Buffer.from('webm'))]).toEqual(['1a45dfa3', true]);
  });
});
