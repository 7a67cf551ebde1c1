// A tenant watched with two apps (its backup app and its CRM app): separate results, alerts and badges, and a
// rolled-up tenant state, through the Function App's timer → queue → worker path on Azurite and the simulated cloud.
import { HttpRequest, type Timer } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import type { ServiceDeps } from '../../shared/service/check-service';
import { createAgent } from '../../shared/clients/http';
import { readSettings } from '../../shared/core/settings';
import { createServices } from '../../shared/service/services';
import type { TenantDefinition } from '../../shared/core/tenants';
import type { AlertPayload } from '../../shared/alerts/payload';
import { tenantDefinitionsFor } from '../../sim/demo-tenants';
import { routeToSimulatedCloud } from '../../sim/route-to-sim';
import type { SimulatedCloud } from '../../sim/server';
import { invalidAlertPayload } from '../helpers/alert-schema';
import { undocumented } from '../helpers/openapi';
import { invocationContext } from '../helpers/functions-host';
import { startSim, tenantNamed, useSimulatedManagedIdentity } from '../helpers/sim';

jest.mock('@azure/functions', () =>
  jest.requireActual<typeof import('../helpers/functions-host')>('../helpers/functions-host').recordingFunctionsApp(),
);
import { handler as statusSummary } from '../../functions/status-summary';
import { handler as statusDetail, tenantHandler as statusTenant } from '../../functions/status-detail';
import { handler as statusBadge } from '../../functions/status-badge';
import { handler as checkNow } from '../../functions/check-now';
import { handler as scheduleChecks } from '../../functions/schedule-checks';
import { handler as checkTenant } from '../../functions/check-tenant';
import { useServiceDeps } from '../../functions/lib/runtime';

/** Contoso's second app: Graph only, not on the tenant's EWS allow-list, so its EWS check fails while the archiver's works. */
const CRM = {
  clientId: '7d3e9f21-4a6b-4c8d-9e0f-1a2b3c4d5e6f',
  secret: 'sim~contoso-crm~2c41e7a09b3d',
  vault: 'contoso-crm-credential',
};

let sim: SimulatedCloud;
let azurite: RunningAzurite;
let agent: ReturnType<typeof createAgent>;
let deps: ServiceDeps;
let restoreEnvironment: () => void;
let checks: QueueClient;
let archiver: TenantDefinition;
let crm: TenantDefinition;
const logs: string[] = [];
const context = () => invocationContext(logs, 1);
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const get = (path: string, params: Record<string, string>, query = '') =>
  new HttpRequest({ method: 'GET', url: `http://localhost/api/${path}${query}`, params });

beforeAll(async () => {
  sim = await startSim(
    (scenario) => {
      const contoso = scenario.tenants.find((t) => t.name === 'Contoso')!;
      contoso.apps.push({
        clientId: CRM.clientId,
        displayName: 'Contoso CRM Sync',
        applicationPermissions: { exchange: ['full_access_as_app'], graph: ['Mail.Read'] },
        secrets: [{ value: CRM.secret, expires: '+200d' }],
      });
    },
    { realClock: true },
  );
  sim.world.putSecret(CRM.vault, CRM.secret, 'text/plain');
  restoreEnvironment = useSimulatedManagedIdentity(sim);
  azurite = await startAzurite();
  agent = createAgent();
  // The app's own composition root, configured as the Function App would be, with every call routed to the simulator.
  const { settings } = readSettings({
    AzureWebJobsStorage: azurite.connectionString,
    KEY_VAULT_URL: sim.endpoints.keyvault,
    TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
    ALERT_LOGIC_APP_URL: sim.logicAppPublicUrl,
    CHECK_QUEUE: 'multi-app-test',
    STATUS_PUBLIC_NAMES: 'true',
  });
  deps = createServices(settings, { dispatcher: routeToSimulatedCloud(sim.baseUrl, agent) });
  useServiceDeps(deps);
  checks = new QueueClient(azurite.connectionString, settings.checkQueue);
  await Promise.all([deps.store.ensureTables(), deps.alerting!.store.ensureTables(), deps.queue.ensureQueues()]);
  archiver = {
    ...tenantDefinitionsFor([tenantNamed(sim, 'Contoso')])[0]!,
    tags: { customer: 'contoso', tier: 'gold' },
  };
  crm = {
    ...archiver,
    tags: { customer: 'contoso', system: 'crm' },
    clientId: CRM.clientId,
    credential: { type: 'secret', keyVaultSecretName: CRM.vault },
  };
  await deps.store.watch([archiver, crm]);
}, 60_000);

afterAll(async () => {
  useServiceDeps(null);
  restoreEnvironment?.();
  await agent?.close();
  await Promise.all([sim?.close(), azurite?.close()]);
});

async function cycle(): Promise<void> {
  await scheduleChecks(timer, context());
  for (;;) {
    const { receivedMessageItems } = await checks.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return;
    for (const m of receivedMessageItems) {
      await checkTenant(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')), context());
      await checks.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

test('two apps in one tenant: separate results, alerts and badges, and the tenant rolled up', async () => {
  await cycle();
  await cycle();
  const tenantId = archiver.tenantId;

  const summary = (await statusSummary(get('status', {}), context())).jsonBody as {
    counts: { total: number; apps: number };
    tenants: { tenantId: string; status: string; apps: { clientId: string; status: string }[] }[];
  };
  expect(summary.counts).toMatchObject({ total: 1, apps: 2 });
  expect(summary.tenants).toEqual([
    expect.objectContaining({
      tenantId,
      status: 'failing',
      apps: expect.arrayContaining([
        { clientId: archiver.clientId, appName: 'Contoso Mail Archiver', status: 'healthy' },
        { clientId: CRM.clientId, appName: 'Contoso CRM Sync', status: 'failing' },
      ]),
    }),
  ]);

  const tagged = async (tag: string) =>
    (await statusSummary(get('status', {}, `?tag=${encodeURIComponent(tag)}`), context())).jsonBody as {
      tenants: { tags: Record<string, string> }[];
    };
  expect((await tagged('tier:gold')).tenants.map((t) => t.tags)).toEqual([
    { customer: 'contoso', tier: 'gold', system: 'crm' },
  ]);
  expect((await tagged('tier:silver')).tenants).toEqual([]);
  expect((await statusSummary(get('status', {}, '?tag=Tier'), context())).status).toBe(400);

  const rolledUp = await statusTenant(get(`status/${tenantId}`, { tenant: tenantId }), context());
  expect(undocumented('statusTenant', rolledUp)).toEqual([]);
  expect(rolledUp.jsonBody).toEqual(
    expect.objectContaining({
      status: 'failing',
      apps: expect.arrayContaining([
        expect.objectContaining({ clientId: archiver.clientId, verdict: 'healthy' }),
        expect.objectContaining({ clientId: CRM.clientId, verdict: 'failing' }),
      ]),
    }),
  );
  // Several apps: the roll-up, not one app's detail passed off as the tenant's.
  expect(rolledUp.jsonBody).not.toHaveProperty('findings');

  const detailOf = async (clientId: string) => {
    const answer = await statusDetail(
      get(`status/${tenantId}/apps/${clientId}`, { tenant: tenantId, app: clientId }),
      context(),
    );
    expect(undocumented('statusDetail', answer)).toEqual([]);
    return answer.jsonBody as { verdict: string; clientId: string; history: unknown[]; findings: { cause: string }[] };
  };
  expect(await detailOf(archiver.clientId)).toMatchObject({ verdict: 'healthy', findings: [] });
  const failing = await detailOf(CRM.clientId);
  expect(failing.verdict).toBe('failing');
  expect(failing.history).toHaveLength(2);
  expect(failing.findings[0]!.cause).toBe('ews_disabled');

  const badge = async (params: Record<string, string>) =>
    ((await statusBadge(get('badge', params), context())).jsonBody as { message: string }).message;
  expect(await badge({ tenant: tenantId, app: archiver.clientId })).toBe('healthy');
  expect(await badge({ tenant: tenantId, app: CRM.clientId })).toBe('failing');
  expect(await badge({ tenant: tenantId })).toBe('failing');

  const notices = (sim.world.logicAppInbox as unknown as { body: AlertPayload }[])
    .map((r) => r.body)
    .filter((b) => b.tenant.tenantId === tenantId);
  // The CRM app's problems open alerts of its own; the archiver, healthy in the same tenant, has none.
  expect(notices.length).toBeGreaterThan(0);
  expect(new Set(notices.map((n) => `${n.kind} ${n.app?.clientId}`))).toEqual(new Set([`open ${CRM.clientId}`]));
  expect(notices.map((n) => `${n.check}.${n.cause}`)).toContain('ews.ews_disabled');
  for (const notice of notices) {
    expect(notice.app).toEqual({ clientId: CRM.clientId, name: 'Contoso CRM Sync' });
    expect(notice.tags).toEqual({ customer: 'contoso', system: 'crm' });
    expect(notice.title).toMatch(/Contoso \(Contoso CRM Sync\)/);
  }
  for (const notice of notices) expect(invalidAlertPayload(notice)).toEqual([]);

  const now = await checkNow(
    new HttpRequest({ method: 'POST', url: `http://localhost/api/check/${tenantId}`, params: { tenant: tenantId } }),
    context(),
  );
  expect(undocumented('checkTenantNow', now)).toEqual([]);
  expect((now.jsonBody as { apps: { clientId: string; verdict: string }[] }).apps).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ clientId: archiver.clientId, verdict: 'healthy' }),
      expect.objectContaining({ clientId: CRM.clientId, verdict: 'failing' }),
    ]),
  );
}, 120_000);
