// The scenario description: validation messages that name the field, the catalogue's coverage, the generator.
import { CAUSES } from '../../shared/core/causes';
import { defaultScenario } from '../../sim/catalogue';
import { syntheticScenario } from '../../sim/generator';
import { parseScenario } from '../../sim/scenario';
import { startSimulatedCloud } from '../../sim/server';

test('the catalogue has a healthy tenant and a tenant for every cause but other, each with sources', () => {
  const scenario = parseScenario(defaultScenario());
  const causes = new Set(scenario.tenants.map((t) => t.expectedCause));
  expect(causes.has('healthy')).toBe(true);
  for (const cause of CAUSES.filter((c) => c !== 'other')) expect([cause, causes.has(cause)]).toEqual([cause, true]);
  for (const tenant of scenario.tenants) expect(tenant.sources.length).toBeGreaterThan(0);
});

test('field problems are listed together with the path of each field', () => {
  const scenario = defaultScenario();
  scenario.tenants[0]!.tenantId = 'not-a-guid';
  scenario.tenants[1]!.expectedCause = 'broken_somehow' as never;
  expect(() => parseScenario(scenario)).toThrow(
    /tenants\[0\]\.tenantId: expected a GUID\n\s+tenants\[1\]\.expectedCause: Invalid option/,
  );
});

test('a probe app missing from the apps is named with its tenant', () => {
  const scenario = defaultScenario();
  scenario.tenants[0]!.probe.clientId = '11111111-1111-4111-8111-111111111111';
  expect(() => parseScenario(scenario)).toThrow(
    /tenants\[0\]\.probe\.clientId: Contoso: no app in apps has this clientId/,
  );
});

test('two tenants may not share an id or a domain', () => {
  const scenario = defaultScenario();
  scenario.tenants[1]!.domain = scenario.tenants[0]!.domain;
  expect(() => parseScenario(scenario)).toThrow(/contoso\.onmicrosoft\.com is used by another tenant/);
});

test('the generator makes the asked number of valid tenants with the asked share failing', async () => {
  const scenario = parseScenario(syntheticScenario(100, { failingShare: 0.2 }));
  expect(scenario.tenants).toHaveLength(100);
  expect(scenario.tenants.filter((t) => t.expectedCause !== 'healthy')).toHaveLength(20);
  expect(new Set(scenario.tenants.map((t) => t.tenantId)).size).toBe(100);
  const sim = await startSimulatedCloud({ scenario: syntheticScenario(1000) });
  try {
    expect(sim.scenarios()).toHaveLength(1000);
  } finally {
    await sim.close();
  }
});
