// The pipeline against the simulated cloud: every catalogue tenant is checked, healthy ones pass every probe,
// each failing one fails the probe its scenario breaks, and a warm worker reuses its tokens.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { KeyVaultSecretStore } from '../../shared/clients/key-vault';
import { createAgent } from '../../shared/clients/http';
import { runCycle, type PipelineDeps, type RunResult, type TenantResult } from '../../shared/service/pipeline';
import { TokenProvider } from '../../shared/clients/tokens';
import { tenantDefinitionsFor } from '../../sim/demo-tenants';
import { routeToSimulatedCloud } from '../../sim/route-to-sim';
import { parseFaultRule } from '../../sim/scenario';
import type { SimulatedCloud } from '../../sim/server';
import { startSim, useSimulatedManagedIdentity } from '../helpers/sim';

let sim: SimulatedCloud;
let agent: ReturnType<typeof createAgent>;
let deps: PipelineDeps;
let run: RunResult;
let restoreEnvironment: () => void;

beforeAll(async () => {
  // Real clock: Fabrikam's certificate assertion is signed with it.
  sim = await startSim(undefined, { realClock: true });
  restoreEnvironment = useSimulatedManagedIdentity(sim);
  agent = createAgent();
  const dispatcher = routeToSimulatedCloud(sim.baseUrl, agent);
  deps = {
    dispatcher,
    secrets: new KeyVaultSecretStore(sim.endpoints.keyvault, new ManagedIdentityCredential()),
    tokens: new TokenProvider(dispatcher),
  };
  run = await runCycle(tenantDefinitionsFor(sim.scenarios()), deps);
}, 60_000);

afterAll(async () => {
  restoreEnvironment();
  await agent.close();
  await sim.close();
});

const tenant = (name: string): TenantResult => {
  const found = run.tenants.find((t) => t.name === name);
  if (!found) throw new Error(`${name} was not checked`);
  return found;
};
const failedProbes = (t: TenantResult) =>
  [...new Set(t.probes.filter((p) => !p.ok && !p.skipped).map((p) => p.name))].sort();

test('every simulated tenant is checked once, in order, and counted in the summary', () => {
  expect(run.tenants.map((t) => t.name)).toEqual(sim.scenarios().map((s) => s.name));
  expect(run.summary).toEqual({ tenants: 29, healthy: 6, degraded: 3, failing: 20, unknown: 0 });
});

test.each(['Contoso', 'Fabrikam', 'Relecloud', 'Tailwind Traders'])('%s passes every probe', (name) => {
  const result = tenant(name);
  expect(result.verdict).toBe('healthy');
  expect(result.probes.filter((p) => !p.ok)).toEqual([]);
  expect(result.probes.map((p) => p.name)).toEqual(
    expect.arrayContaining(['token.exchange', 'token.graph', 'ews.getFolder', 'graph.inbox', 'graph.organization']),
  );
});

test.each<[string, string, string[]]>([
  ['Northwind Traders', 'failing', ['ews.getFolder', 'graph.inbox', 'graph.organization']],
  ['Tailspin Toys', 'failing', ['ews.getFolder']],
  ['Woodgrove Bank', 'failing', ['ews.getFolder']],
  ['School of Fine Art', 'failing', ['token.exchange']],
  ['Litware', 'failing', ['ews.getFolder']],
  ['Adatum', 'degraded', ['ews.getFolder', 'graph.inbox']],
  ['Trey Research', 'degraded', ['ews.getFolder', 'graph.inbox']],
  ['Proseware', 'failing', ['ews.getFolder']],
  ['Lucerne Publishing', 'failing', ['ews.getFolder']],
  ["Margie's Travel", 'failing', ['ews.getFolder']],
  ['Humongous Insurance', 'failing', ['ews.getFolder', 'graph.inbox']],
  ['Coho Winery', 'failing', ['ews.getFolder']],
  ['Alpine Ski House', 'degraded', ['adminapi.casMailbox', 'ews.getFolder', 'graph.inbox']],
  ['Wingtip Toys', 'failing', ['adminapi.casMailbox', 'ews.getFolder', 'graph.inbox']],
  ['Fourth Coffee', 'failing', ['token.exchange', 'token.graph']],
  ['Lamna Healthcare', 'failing', ['token.exchange', 'token.graph']],
  ['Blue Yonder Airlines', 'failing', ['token.exchange', 'token.graph']],
  ['Wide World Importers', 'failing', ['token.exchange', 'token.graph']],
  ['Consolidated Messenger', 'failing', ['token.exchange', 'token.graph']],
  ["Munson's Pickles", 'failing', ['ews.getFolder', 'graph.inbox']],
  ['VanArsdel', 'failing', ['ews.getFolder']],
  ['Graphic Design Institute', 'failing', ['token.exchange', 'token.graph']],
  [
    'Bellows College',
    'failing',
    [
      'adminapi.organizationConfig',
      'ews.getFolder',
      'graph.ewsGrants',
      'graph.inbox',
      'graph.messageCenter',
      'graph.organization',
    ],
  ],
])('%s is %s, failing %j', (name, verdict, probes) => {
  const result = tenant(name);
  expect(result.verdict).toBe(verdict);
  expect(failedProbes(result)).toEqual(probes);
  for (const finding of result.findings)
    expect(finding).toMatchObject({
      cause: expect.any(String),
      confidence: expect.any(String),
      summary: expect.any(String),
    });
});

test('the evidence of a failed EWS call carries the policy header, the token claims and no token', () => {
  const evidence = tenant('Proseware').evidence.find((e) => e.endpoint === 'ews' && e.response?.status === 403);
  expect(evidence).toMatchObject({
    request: {
      operation: 'GetFolder',
      authMode: 'app-only',
      impersonation: true,
      headers: { 'x-anchormailbox': expect.stringContaining('@proseware') },
    },
    response: { headers: { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' } },
    tokenClaims: { aud: 'https://outlook.office365.com', roles: expect.arrayContaining(['full_access_as_app']) },
  });
  expect(JSON.stringify(run)).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/);
});

test('a token failure keeps the AADSTS answer as evidence and skips what needed the token', () => {
  const fourthCoffee = tenant('Fourth Coffee');
  expect(fourthCoffee.evidence.find((e) => e.endpoint === 'token')).toMatchObject({
    response: { status: 401, body: expect.stringContaining('AADSTS7000222') },
    error: { code: 'invalid_client' },
  });
  expect(fourthCoffee.probes.filter((p) => p.skipped).map((p) => p.skipped)).toEqual(
    expect.arrayContaining(['no Exchange token', 'no Graph token']),
  );
});

test('the control plane says whether the allow list names the app, and the permission inventory what the tokens hold', () => {
  expect(tenant('Proseware').controlPlane).toMatchObject({ organizationEwsEnabled: true, appInAllowList: false });
  expect(tenant('Contoso').controlPlane).toMatchObject({ organizationEwsEnabled: true, appInAllowList: true });
  expect(tenant("Margie's Travel").controlPlane?.mailboxEwsEnabled).toEqual(
    expect.objectContaining({ 'ews-canary@margiestravel.onmicrosoft.com': false }),
  );
  expect(tenant('Tailspin Toys').permissions.find((p) => p.check === 'ews')).toMatchObject({
    granted: [],
    worked: false,
  });
  // Relecloud reaches EWS through RBAC for Applications, which no token shows.
  expect(tenant('Relecloud').permissions.find((p) => p.check === 'ews')).toMatchObject({ granted: [], worked: true });
  expect(tenant('Contoso').credential).toMatchObject({ type: 'secret', expiresOn: expect.any(String) });
  expect(tenant('Fabrikam').credential).toMatchObject({ type: 'certificate', expiresOn: expect.any(String) });
  expect(tenant('Tailwind Traders').credential).toEqual({ type: 'federated' });
});

test('a second cycle in the same worker makes no token request and reads no secret again', async () => {
  const healthy = tenantDefinitionsFor(sim.scenarios()).filter((t) =>
    ['Contoso', 'Fabrikam', 'Relecloud', 'Proseware'].includes(t.name),
  );
  const before = { ...sim.world.requestCounts };
  const again = await runCycle(healthy, deps);
  expect(sim.world.requestCounts.login ?? 0).toBe(before.login ?? 0);
  expect(sim.world.requestCounts.keyvault ?? 0).toBe(before.keyvault ?? 0);
  expect(sim.world.requestCounts.identity ?? 0).toBe(before.identity ?? 0);
  expect((sim.world.requestCounts.ews ?? 0) - (before.ews ?? 0)).toBe(8);
  expect(again.summary.healthy).toBe(3);
});

test('a warm worker reuses the control plane and the EWS inventory, and says when it read them', async () => {
  const warm: PipelineDeps = { ...deps, slowReads: new Map() };
  const [contoso] = tenantDefinitionsFor(sim.scenarios()).filter((t) => t.name === 'Contoso');
  const first = await runCycle([contoso!], warm);
  const before = { ...sim.world.requestCounts };
  const second = await runCycle([contoso!], warm);
  const made = (route: string) => (sim.world.requestCounts[route] ?? 0) - (before[route] ?? 0);
  expect(made('adminapi')).toBe(0);
  expect(made('ews')).toBe(contoso!.canaries.length);
  // Graph: each canary's inbox and the organization; the Message Center and grants reads are not repeated.
  expect(made('graph')).toBe(contoso!.canaries.length + 1);
  const reused = second.tenants[0]!.probes.filter((p) => p.cachedAt);
  expect(reused.map((p) => p.name)).toEqual(
    expect.arrayContaining(['adminapi.organizationConfig', 'graph.messageCenter']),
  );
  expect(reused.every((p) => Date.parse(p.cachedAt!) <= Date.parse(second.tenants[0]!.checkedAt))).toBe(true);
  expect(second.tenants[0]!.controlPlane).toEqual(first.tenants[0]!.controlPlane);
  expect(second.tenants[0]!.verdict).toBe('healthy');
});

test('a control-plane read that failed is asked again on the next check, not reused', async () => {
  const warm: PipelineDeps = { ...deps, slowReads: new Map() };
  const [contoso] = tenantDefinitionsFor(sim.scenarios()).filter((t) => t.name === 'Contoso');
  sim.world.faults = [
    parseFaultRule({ route: 'adminapi', tenantId: contoso!.tenantId, errorRate: 1, errorStatus: 500 }),
  ];
  try {
    await runCycle([contoso!], warm);
    const before = sim.world.requestCounts.adminapi ?? 0;
    await runCycle([contoso!], warm);
    expect((sim.world.requestCounts.adminapi ?? 0) - before).toBeGreaterThan(0);
  } finally {
    sim.world.faults = [];
  }
});

test('a credential Entra refuses is read from the vault again on the next check; one it accepts is not', async () => {
  const refused = run.tenants.find((t) => t.findings[0]?.cause === 'invalid_client_credentials' && t.credential)!;
  const accepted = tenant('Contoso');
  const definitions = tenantDefinitionsFor(sim.scenarios());
  const again = async (name: string) => {
    const before = sim.world.requestCounts.keyvault ?? 0;
    await runCycle(
      definitions.filter((t) => t.name === name),
      deps,
    );
    return (sim.world.requestCounts.keyvault ?? 0) - before;
  };
  expect(await again(refused.name)).toBeGreaterThan(0);
  expect(await again(accepted.name)).toBe(0);
});

test('every simulated tenant lands in the readiness band, score and confidence docs/readiness.md predicts', () => {
  const doc = readFileSync(join(__dirname, '../../docs/readiness.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| Tenant | Band | Score | Confidence | Why |'));
  const predicted = table
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('| '))
    .map((line) => {
      const [name, band, score, confidence, why] = line
        .split('|')
        .slice(1, 6)
        .map((cell) => cell.trim());
      return { name, band, score: score === '-' ? null : Number(score), confidence, why };
    });
  expect(predicted.map((p) => p.name)).toEqual(run.tenants.map((t) => t.name));
  for (const p of predicted) expect(p.why).not.toBe('');
  expect(
    run.tenants.map((t) => ({
      name: t.name,
      band: t.readiness.band,
      score: t.readiness.score,
      confidence: t.readiness.confidence,
    })),
  ).toEqual(predicted.map(({ name, band, score, confidence }) => ({ name, band, score, confidence })));
});
