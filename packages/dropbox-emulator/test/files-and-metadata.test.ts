import { contentHash, type DropboxEmulator } from '../src';
import { listFolder, rpc, startEmulator, tokenFor } from './support/harness';

/** What a file's metadata holds, and virtual files (a size, no bytes). */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  token = await tokenFor(emulator);
});
afterAll(async () => emulator.close());

describe('Metadata: every field Dropbox sends for an ordinary file or folder', () => {
  test('when a folder is listed, then a file has exactly the fields of an ordinary file and a folder those of a folder, in their real shapes', async () => {
    emulator.tree.addFile('/Meta/report.pdf', { content: 'PDF', modified: new Date('2025-03-04T05:06:07.890Z') });
    emulator.tree.addFolder('/Meta/Sub');
    const [file, folder] = (await listFolder(emulator, token, { path: '/Meta' })).entries;
    expect(Object.keys(file).sort()).toEqual(['.tag', 'client_modified', 'content_hash', 'id', 'is_downloadable', 'name', 'path_display', 'path_lower', 'rev', 'server_modified', 'size']);
    expect(file).toMatchObject({
      '.tag': 'file',
      name: 'report.pdf',
      path_lower: '/meta/report.pdf',
      path_display: '/Meta/report.pdf',
      id: expect.stringMatching(/^id:[A-Za-z0-9_-]{22}$/),
      client_modified: '2025-03-04T05:06:07Z',
      server_modified: '2025-03-04T05:06:07Z',
      rev: expect.stringMatching(/^[0-9a-f]{31}$/),
      size: 3,
      is_downloadable: true,
      content_hash: contentHash(Buffer.from('PDF')),
    });
    expect(folder).toStrictEqual({ '.tag': 'folder', name: 'Sub', path_lower: '/meta/sub', path_display: '/Meta/Sub', id: expect.stringMatching(/^id:[A-Za-z0-9_-]{22}$/) });
  });

  test('when a listed file is modified, then the next listing and get_metadata show the new version, not a kept copy', async () => {
    emulator.tree.addFile('/Cached/a.txt', { content: 'one' });
    const before = (await listFolder(emulator, token, { path: '/Cached' })).entries[0];
    emulator.tree.modifyFile('/Cached/a.txt', { content: 'three' });
    const after = (await listFolder(emulator, token, { path: '/Cached' })).entries[0];
    const metadata = (await rpc(emulator, 'files/get_metadata', token, { path: '/cached/A.TXT' })).body;
    expect(after).toEqual(metadata);
    expect([after.size, after.rev === before.rev]).toEqual([5, false]);
  });
});

describe('Virtual files: a size and no bytes', () => {
  test('when a file is given only a size, then its bytes are made when read, with that length and the content_hash its metadata gave', async () => {
    const node = emulator.tree.addFile('/Virtual/video.mp4', { size: 9_000_001 });
    expect(node.content).toBeUndefined();
    const { metadata, link } = (await rpc(emulator, 'files/get_temporary_link', token, { path: '/Virtual/video.mp4' })).body;
    const bytes = Buffer.from(await (await fetch(link)).arrayBuffer());
    expect(bytes.length).toBe(9_000_001);
    expect(metadata.size).toBe(9_000_001);
    expect(metadata.content_hash).toBe(contentHash(bytes));
    expect(emulator.tree.lookup('/Virtual/video.mp4')).toMatchObject({ content: undefined });
  });

  test('when 100,000 virtual photos are added, then the tree holds none of their bytes and space usage adds their sizes', async () => {
    const { used: before } = (await rpc(emulator, 'users/get_space_usage', token)).body;
    emulator.addPhotos('/Phone', 100_000, 3);
    const files = emulator.tree.list('/Phone');
    expect(files).toHaveLength(100_000);
    expect(files.every((file) => file.kind === 'file' && file.content === undefined)).toBe(true);
    const sizes = files.reduce((sum, file) => sum + (file.kind === 'file' ? file.size : 0), 0);
    expect((await rpc(emulator, 'users/get_space_usage', token)).body.used - before).toBe(sizes);
  });

  test("when a virtual photo's thumbnail is asked for, then a JPEG comes back", async () => {
    const [photo] = emulator.tree.list('/Phone');
    const batch = (await rpc(emulator, 'files/get_thumbnail_batch', token, { entries: [{ path: photo.pathDisplay, size: 'w64h64' }] })).body;
    expect(batch.entries[0]['.tag']).toBe('success');
    expect(Buffer.from(batch.entries[0].thumbnail, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});
