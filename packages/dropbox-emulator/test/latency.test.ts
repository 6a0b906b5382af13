import type { DropboxEmulator } from '../src';
import { control, listFolder, rpc, startEmulator, tokenFor } from './support/harness';

/** The latency model: a delay per call plus a cost per entry returned. */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ controlApi: true });
  token = await tokenFor(emulator);
  for (let n = 0; n < 2000; n += 1) emulator.tree.addFile(`/Two thousand/file ${n}.txt`, { size: 100 });
  emulator.tree.addFile('/One/only.txt', { size: 1 });
  // Once without latency, so that what is measured below is the model, not the first serialization.
  await listFolder(emulator, token, { path: '/Two thousand' });
});
afterEach(() => {
  emulator.setLatency(0);
  emulator.setLatencyPerEntry(0);
});
afterAll(async () => emulator.close());

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

describe('Latency: per call and per entry returned', () => {
  test('when 150 ms per call and 0.1 ms per entry are set, then a 2,000-entry page takes at least 350 ms and a 1-entry page far less', async () => {
    emulator.setLatency(150);
    emulator.setLatencyPerEntry(0.1);
    const big = await timed(() => listFolder(emulator, token, { path: '/Two thousand' }));
    const small = await timed(() => listFolder(emulator, token, { path: '/One' }));
    expect(big.result.entries).toHaveLength(2000);
    expect(big.ms).toBeGreaterThanOrEqual(150 + 2000 * 0.1);
    expect(small.ms).toBeGreaterThanOrEqual(150);
    expect(small.ms).toBeLessThan(150 + 2000 * 0.1);
  });

  test('when the per-entry cost is set, then continue and search pay it too', async () => {
    emulator.setLatencyPerEntry(0.2);
    const first = await listFolder(emulator, token, { path: '/Two thousand', limit: 1000 });
    const next = await timed(() => rpc(emulator, 'files/list_folder/continue', token, { cursor: first.cursor }));
    expect(next.result.body.entries).toHaveLength(1000);
    expect(next.ms).toBeGreaterThanOrEqual(1000 * 0.2);
    const search = await timed(() => rpc(emulator, 'files/search_v2', token, { query: 'file', options: { path: '/Two thousand', max_results: 1000 } }));
    expect(search.result.body.matches).toHaveLength(1000);
    expect(search.ms).toBeGreaterThanOrEqual(1000 * 0.2);
  });

  test('when latency is set over the control API, then calls pay both parts', async () => {
    expect((await control(emulator, 'latency', { ms: 100, perEntryMs: 0.05 })).body).toEqual({ ok: true });
    const big = await timed(() => listFolder(emulator, token, { path: '/Two thousand' }));
    expect(big.ms).toBeGreaterThanOrEqual(100 + 2000 * 0.05);
  });

  test('when a latency is set for one route, then other routes do not wait', async () => {
    emulator.setLatency(300, 'files/search_v2');
    const listing = await timed(() => listFolder(emulator, token, { path: '/One' }));
    expect(listing.ms).toBeLessThan(300);
  });
});
