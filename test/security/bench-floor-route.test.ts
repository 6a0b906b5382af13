import { connect } from '../support/oauth-dance';
import { startStack, type Stack } from '../support/stack';

/** /__bench/floor exists for `npm run bench` only: DROPVIEW_BENCH_FLOOR=1 mounts it. */
describe("The benchmarks' floor route", () => {
  const stacks: Stack[] = [];
  afterAll(async () => Promise.all(stacks.map((stack) => stack.close())));
  const connectedAgent = async (env: Record<string, string>) => {
    const stack = await startStack({ env });
    stacks.push(stack);
    const agent = stack.agent();
    await connect(agent);
    return agent;
  };

  test('when DROPVIEW_BENCH_FLOOR is not set, then /__bench/floor does not exist, even for a connected user', async () => {
    const agent = await connectedAgent({});
    await agent.get('/__bench/floor/Documents').set('Accept', 'application/json').expect(404);
  });

  test('when DROPVIEW_BENCH_FLOOR=1, then /__bench/floor answers the bare list_folder result for a connected user', async () => {
    const agent = await connectedAgent({ DROPVIEW_BENCH_FLOOR: '1' });
    const response = await agent.get('/__bench/floor/Documents').expect(200);
    expect(response.body.entries.map((entry: { name: string }) => entry.name)).toContain('Notes.md');
  });
});
