// Fault injection per route: latency, error rate, connection reset, slow body, malformed body and oversized body.
import { request } from 'undici';
import type { SimulatedCloud } from '../../sim/server';
import type { FaultRuleInput } from '../../sim/scenario';
import { startSim, tenantNamed } from '../helpers/sim';

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());
afterEach(() => setFaults([]));

async function setFaults(rules: FaultRuleInput[]) {
  const response = await fetch(`${sim.baseUrl}/_sim/faults`, { method: 'PUT', body: JSON.stringify(rules) });
  expect(response.status).toBe(200);
}

const openIdConfig = () =>
  `${sim.endpoints.login}/${tenantNamed(sim, 'Contoso').tenantId}/v2.0/.well-known/openid-configuration`;

test('latency with jitter delays the answer', async () => {
  await setFaults([{ route: 'login', latencyMs: 200, jitterMs: 50 }]);
  const started = performance.now();
  expect((await fetch(openIdConfig())).status).toBe(200);
  expect(performance.now() - started).toBeGreaterThanOrEqual(195);
});

test('an error rate of 1 answers the chosen status on every call; other routes are untouched', async () => {
  await setFaults([{ route: 'graph', errorRate: 1, errorStatus: 503 }]);
  const graph = await fetch(`${sim.endpoints.graph}/v1.0/organization`);
  expect(graph.status).toBe(503);
  expect(graph.headers.get('retry-after')).toBe('5');
  expect(await graph.json()).toMatchObject({ error: { code: 'serviceNotAvailable' } });
  expect((await fetch(openIdConfig())).status).toBe(200);
});

test('an error rate of 0.5 fails about half of the calls, the same ones for the same seed', async () => {
  await setFaults([{ route: 'login', errorRate: 0.5, errorStatus: 500 }]);
  const statuses = [];
  for (let i = 0; i < 40; i++) statuses.push((await fetch(openIdConfig())).status);
  const failures = statuses.filter((s) => s === 500).length;
  expect(failures).toBeGreaterThan(8);
  expect(failures).toBeLessThan(32);
});

test('a reset closes the connection without an answer', async () => {
  await setFaults([{ route: 'login', resetRate: 1 }]);
  await expect(fetch(openIdConfig())).rejects.toThrow();
});

test('a slow body trickles in over the given time', async () => {
  await setFaults([{ route: 'login', slowBodyMs: 300 }]);
  const started = performance.now();
  const response = await request(openIdConfig());
  const headersAt = performance.now() - started;
  const body = (await response.body.json()) as { token_endpoint: string };
  expect(body.token_endpoint).toContain('/oauth2/v2.0/token');
  expect(performance.now() - started - headersAt).toBeGreaterThanOrEqual(250);
});

test('a malformed body is cut short', async () => {
  await setFaults([{ route: 'login', malformedRate: 1 }]);
  const text = await (await fetch(openIdConfig())).text();
  expect(() => JSON.parse(text)).toThrow();
});

test('an oversized body is padded past the given size', async () => {
  await setFaults([{ route: 'login', oversizedBytes: 2_000_000 }]);
  const text = await (await fetch(openIdConfig())).text();
  expect(text.length).toBeGreaterThan(2_000_000);
});

test('a fault can target one tenant', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  await setFaults([{ route: 'login', tenantId: contoso.tenantId, errorRate: 1, errorStatus: 503 }]);
  expect((await fetch(openIdConfig())).status).toBe(503);
  expect(
    (
      await fetch(
        `${sim.endpoints.login}/${tenantNamed(sim, 'Fabrikam').tenantId}/v2.0/.well-known/openid-configuration`,
      )
    ).status,
  ).toBe(200);
});

test('an invalid fault rule is refused with the field named', async () => {
  const response = await fetch(`${sim.baseUrl}/_sim/faults`, {
    method: 'PUT',
    body: JSON.stringify([{ route: 'ews', errorRate: 2 }]),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: string }).error).toMatch(/errorRate/);
});
