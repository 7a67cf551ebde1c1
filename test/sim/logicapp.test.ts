// The simulated Logic App trigger checks its SAS signature, answers 202 with run headers and records what it received.
import type { SimulatedCloud } from '../../sim/server';
import { startSim } from '../helpers/sim';
import { parseFaultRule } from '../../sim/scenario';

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());

test('a post with the right signature is accepted and listed, oldest first', async () => {
  for (const kind of ['open', 'resolve']) {
    const response = await fetch(sim.endpoints.logicapp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-ms-workflow-run-id')).toMatch(/^08584/);
  }
  const received = (await (await fetch(`${sim.baseUrl}/_sim/logicapp`)).json()) as {
    body: { kind: string };
    headers: Record<string, string>;
  }[];
  expect(received.map((r) => r.body.kind)).toEqual(['open', 'resolve']);
  expect(received[0]!.headers['content-type']).toBe('application/json');
});

test('a wrong signature is refused and not recorded', async () => {
  const before = sim.world.logicAppInbox.length;
  const url = sim.endpoints.logicapp.replace(/sig=[^&]+/, 'sig=forged');
  const response = await fetch(url, { method: 'POST', body: '{}' });
  expect(response.status).toBe(401);
  expect(sim.world.logicAppInbox.length).toBe(before);
});

describe('when the trigger is unavailable', () => {
  afterEach(() => {
    sim.world.faults = [];
  });
  const post = () =>
    fetch(sim.endpoints.logicapp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"open"}',
    });

  test('a throttled trigger answers 429 with Retry-After and starts no run', async () => {
    await fetch(`${sim.baseUrl}/_sim/faults`, {
      method: 'PUT',
      body: JSON.stringify([{ route: 'logicapp', errorRate: 1, errorStatus: 429 }]),
    });
    const before = sim.world.logicAppInbox.length;
    const response = await post();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('WorkflowRequestsThrottled');
    expect(sim.world.logicAppInbox.length).toBe(before);
  });

  test('a connection reset after the trigger fired loses only the answer: the run is recorded', async () => {
    sim.world.faults = [parseFaultRule({ route: 'logicapp', resetRate: 1 })];
    const before = sim.world.logicAppInbox.length;
    await expect(post()).rejects.toThrow();
    expect(sim.world.logicAppInbox.length).toBe(before + 1);
  });
});
