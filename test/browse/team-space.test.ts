import { connect } from '../support/oauth-dance';
import { EVERY_VIEW_CHECKS, startStack, type Stack } from '../support/stack';
import { DropboxEmulator, gradientJpeg } from '@dropview/dropbox-emulator';

describe('Team spaces: a team account browses its team space from the root', () => {
  let emulator: DropboxEmulator;
  let stack: Stack;
  beforeAll(async () => {
    emulator = new DropboxEmulator({ autoApprove: true, redirectUris: [], team: { rootNamespaceId: '7000001', homePath: '/Dana Demo' } });
    emulator.tree.addFile('/Dana Demo/My notes.txt', { content: 'mine' });
    emulator.tree.addFile('/Team Shared/Roadmap.txt', { content: 'ours' });
    emulator.tree.addFile('/Team Shared/Logo.jpg', { content: gradientJpeg(32, 32, [0, 0, 0], [255, 255, 255]) });
    await emulator.listen();
    stack = await startStack({ emulator, env: EVERY_VIEW_CHECKS });
  });
  afterAll(async () => {
    await stack.close();
    await emulator.close();
  });

  test('when a team member connects, then the root shows the team space, with their own folder in it, and every call carries the path root', async () => {
    const agent = stack.agent();
    await connect(agent);
    const before = emulator.journal.length;

    const root = await agent.get('/browse').set('Accept', 'application/json').expect(200);
    expect(root.body.entries.map((entry: { name: string }) => entry.name)).toEqual(['Dana Demo', 'Team Shared']);
    await agent.get('/browse/Team%20Shared').expect(200);
    await agent.get('/file/Team%20Shared/Roadmap.txt').expect(200);
    await agent.get('/download/Team%20Shared/Roadmap.txt').expect(302);
    await agent.get('/search?q=roadmap').expect(200);

    const calls = emulator.journal.slice(before).filter((call) => call.route.startsWith('files/'));
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const call of calls) expect(JSON.parse(call.pathRoot as string)).toEqual({ '.tag': 'root', root: '7000001' });
  });

  test('when the team root changes under a session, then the app takes the new root from the 422 and carries on', async () => {
    const agent = stack.agent();
    await connect(agent);
    emulator.switchTeamRoot('7000002');
    const before = emulator.journal.length;

    const root = await agent.get('/browse').set('Accept', 'application/json').expect(200);

    expect(root.body.entries.map((entry: { name: string }) => entry.name)).toEqual(['Dana Demo', 'Team Shared']);
    const calls = emulator.journal.slice(before);
    const rootOf = (call: { pathRoot?: string }) => JSON.parse(call.pathRoot as string).root;
    const refused = calls.filter((call) => call.status === 422);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((call) => rootOf(call) === '7000001')).toBe(true);
    expect(calls.filter((call) => call.status === 200).every((call) => rootOf(call) === '7000002')).toBe(true);
    // The new root is kept: the next folder is read (one listing, its display path read off the entries) with no 422.
    const next = emulator.journal.length;
    await agent.get('/browse/Team%20Shared').expect(200);
    expect(
      emulator.journal
        .slice(next)
        .map((call) => `${call.route} ${call.status}`)
        .sort(),
    ).toEqual(['files/list_folder 200']);
  });

  test('when a call is made without the path root, then the emulator answers from the home folder, as Dropbox does', async () => {
    const token = emulator.tokens.issueAccessToken('dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', ['files.metadata.read']);
    const response = await fetch(`${emulator.url}/2/files/list_folder`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"path":""}' });
    expect(((await response.json()) as { entries: { path_display: string }[] }).entries.map((entry) => entry.path_display)).toEqual(['/My notes.txt']);
  });
});
