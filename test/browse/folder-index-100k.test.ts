import { untilFolderRead } from '../support/event-stream';
import { expectedNames, type Sort } from '../support/folder-order';
import { walk, type Agent } from '../support/listing';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { startEmulator, startStack, type Stack } from '../support/stack';

/** Issue 10: every order is kept over the whole folder, so paging a big folder in any order shows each entry once, in its place. */

describe('Every sort over the whole folder, at 100,000 entries', () => {
  let stack: Stack;
  let agent: Agent;
  beforeAll(async () => {
    // The photos first: adding them holds the event loop, which the app's Redis deadlines would feel.
    const emulator = await startEmulator();
    emulator.addPhotos('/Huge', 100_000, 3);
    emulator.tree.addFolder('/Huge/Albums');
    emulator.tree.addFolder('/Huge/2019');
    stack = await startStack({ emulator, listPageSize: 2000 });
    agent = stack.agent();
    const cookie = sessionCookieOf((await connect(agent)).response) as string;
    await untilFolderRead(stack.url, cookie, '/Huge');
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    await stack.emulator.close();
  });

  test.each([
    { key: 'modified', order: 'desc' },
    { key: 'name', order: 'asc' },
    { key: 'size', order: 'asc' },
  ] as Sort[])(
    'when the folder is walked page by page sorted by $key $order, then every entry comes once, in its place',
    async (sort) => {
      const expected = expectedNames(stack.emulator.groundTruth('/Huge'), sort);
      const walked = await walk(agent, '/browse/Huge', sort);
      expect(walked.length).toBe(100_002);
      const misplaced = walked.findIndex((name, index) => name !== expected[index]);
      // The first entry out of place, with its neighbours, or none (a deep equality of 100,000 names would take seconds).
      expect(misplaced < 0 ? undefined : { at: misplaced, walked: walked.slice(misplaced - 1, misplaced + 2), expected: expected.slice(misplaced - 1, misplaced + 2) }).toBeUndefined();
    },
    60_000,
  );
});
