// The Function App as the host runs it, without the host: every registration, and every handler called with
// HttpRequest / InvocationContext against Azurite and the simulated cloud, through the timer → queue → worker fan-out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { HttpRequest, InvocationContext, type HttpResponseInit, type Timer } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { triggerUrlSource } from '../../shared/service/alert-service';
import { AlertStore } from '../../shared/storage/alert-store';
import { CheckQueue } from '../../shared/storage/check-queue';
import type { ServiceDeps } from '../../shared/service/check-service';
import { KeyVaultSecretStore } from '../../shared/clients/key-vault';
import { createAgent } from '../../shared/clients/http';
import { TableResultStore } from '../../shared/storage/result-store';
import { readSettings, SETTINGS } from '../../shared/core/settings';
import { TokenProvider } from '../../shared/clients/tokens';
import { tenantDefinitionsFor } from '../../sim/demo-tenants';
import { routeToSimulatedCloud } from '../../sim/route-to-sim';
import type { SimulatedCloud } from '../../sim/server';
import { invalidAlertPayload } from '../helpers/alert-schema';
import { undocumented } from '../helpers/openapi';
import { invocationContext } from '../helpers/functions-host';
import { HTTP_ROUTES } from '../../shared/service/status-api';
import { startSim, useSimulatedManagedIdentity } from '../helpers/sim';
import { runMergeScript } from '../helpers/exchange-powershell-fake';

jest.mock('@azure/functions', () =>
  jest.requireActual<typeof import('../helpers/functions-host')>('../helpers/functions-host').recordingFunctionsApp(),
);
import { handler as statusSummaryHandler } from '../../functions/status-summary';
import { handler as statusDetailHandler, tenantHandler as statusTenantHandler } from '../../functions/status-detail';
import { handler as statusBadgeHandler } from '../../functions/status-badge';
import { handler as checkNowHandler } from '../../functions/check-now';
import { handler as statusPageHandler } from '../../functions/status-page';
import { handler as fleetHandler } from '../../functions/fleet';
import { handler as scheduleChecks } from '../../functions/schedule-checks';
import { handler as checkTenant } from '../../functions/check-tenant';
import { handler as deliverAlerts } from '../../functions/deliver-alerts';
import { useServiceDeps } from '../../functions/lib/runtime';
import { parseFaultRule } from '../../sim/scenario';

const registered = jest.requireMock('@azure/functions').__registered;

/** Every answer a test gets from an HTTP handler must be one the OpenAPI document describes. */
const documented =
  (operationId: string, handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>) =>
  async (request: HttpRequest, invocation: InvocationContext) => {
    const answer = await handler(request, invocation);
    expect(undocumented(operationId, answer)).toEqual([]);
    return answer;
  };
const statusSummary = documented('statusSummary', statusSummaryHandler);
const statusTenant = documented('statusTenant', statusTenantHandler);
const statusDetail = documented('statusDetail', statusDetailHandler);
const statusBadge = documented('statusBadge', statusBadgeHandler);
const checkNow = documented('checkTenantNow', checkNowHandler);
const statusPage = documented('statusPage', statusPageHandler);
const fleet = documented('fleet', fleetHandler);

let sim: SimulatedCloud;
let azurite: RunningAzurite;
let agent: ReturnType<typeof createAgent>;
let deps: ServiceDeps;
let restoreEnvironment: () => void;
let checks: QueueClient;
let poison: QueueClient;
const logs: string[] = [];

const context = (dequeueCount = 1) => invocationContext(logs, dequeueCount);
const get = (path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  new HttpRequest({ method: 'GET', url: `http://localhost/api/${path}`, params, headers });
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

async function drain(queue: QueueClient): Promise<unknown[]> {
  const all: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return all;
    for (const m of receivedMessageItems) {
      all.push(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

/** One whole cycle as the host would run it: the timer fires, then a worker takes each message. */
async function cycle(): Promise<void> {
  await scheduleChecks(timer, context());
  const messages = await drain(checks);
  await Promise.all(messages.map((m) => checkTenant(m, context())));
}

beforeAll(async () => {
  sim = await startSim(undefined, { realClock: true });
  restoreEnvironment = useSimulatedManagedIdentity(sim);
  azurite = await startAzurite();
  agent = createAgent();
  const dispatcher = routeToSimulatedCloud(sim.baseUrl, agent);
  const settings = {
    ...readSettings({ AzureWebJobsStorage: azurite.connectionString }).settings,
    checkQueue: 'functions-test',
  };
  deps = {
    pipeline: {
      dispatcher,
      secrets: new KeyVaultSecretStore(sim.endpoints.keyvault, new ManagedIdentityCredential()),
      tokens: new TokenProvider(dispatcher),
    },
    store: TableResultStore.in(azurite.connectionString),
    queue: CheckQueue.in(azurite.connectionString, settings.checkQueue),
    settings,
    alerting: {
      store: AlertStore.in(azurite.connectionString),
      dispatcher,
      triggerUrl: triggerUrlSource({ url: sim.logicAppPublicUrl }, undefined),
      policy: settings.alerts.policy,
      maxAttempts: 3,
    },
  };
  useServiceDeps(deps);
  checks = new QueueClient(azurite.connectionString, settings.checkQueue);
  poison = new QueueClient(azurite.connectionString, `${settings.checkQueue}-poison`);
  await deps.store.ensureTables();
  await deps.alerting!.store.ensureTables();
  await deps.queue.ensureQueues();
  await deps.store.watch(tenantDefinitionsFor(sim.scenarios()));
}, 60_000);

afterAll(async () => {
  useServiceDeps(null);
  restoreEnvironment?.();
  await agent?.close();
  await Promise.all([sim?.close(), azurite?.close()]);
});

test('every function is registered with its trigger, route, methods, auth level, schedule and queue', () => {
  expect(registered).toEqual({
    statusSummary: expect.objectContaining({ kind: 'http', methods: ['GET'], authLevel: 'anonymous', route: 'status' }),
    statusPage: expect.objectContaining({
      kind: 'http',
      methods: ['GET'],
      authLevel: 'anonymous',
      route: 'status/page',
    }),
    fleet: expect.objectContaining({ kind: 'http', methods: ['GET'], authLevel: 'function', route: 'fleet' }),
    statusTenant: expect.objectContaining({
      kind: 'http',
      methods: ['GET'],
      authLevel: 'function',
      route: 'status/{tenant}',
    }),
    statusDetail: expect.objectContaining({
      kind: 'http',
      methods: ['GET'],
      authLevel: 'function',
      route: 'status/{tenant}/apps/{app}',
    }),
    statusAppBadge: expect.objectContaining({
      kind: 'http',
      methods: ['GET'],
      authLevel: 'anonymous',
      route: 'status/{tenant}/apps/{app}/badge',
    }),
    checkAppNow: expect.objectContaining({
      kind: 'http',
      methods: ['POST'],
      authLevel: 'admin',
      route: 'check/{tenant}/apps/{app}',
    }),
    statusBadge: expect.objectContaining({
      kind: 'http',
      methods: ['GET'],
      authLevel: 'anonymous',
      route: 'status/{tenant}/badge',
    }),
    checkTenantNow: expect.objectContaining({
      kind: 'http',
      methods: ['POST'],
      authLevel: 'admin',
      route: 'check/{tenant}',
    }),
    scheduleChecks: expect.objectContaining({ kind: 'timer', schedule: '0 */15 * * * *' }),
    checkTenant: expect.objectContaining({
      kind: 'storageQueue',
      queueName: 'tenant-checks',
      connection: 'AzureWebJobsStorage',
    }),
    deliverAlerts: expect.objectContaining({ kind: 'timer', schedule: '0 */2 * * * *' }),
  });
});

test('two cycles through timer, queue and worker: latest replaced, history appended once per cycle, read back over HTTP', async () => {
  const scenarios = sim.scenarios();
  await cycle();
  const first = await deps.store.allLatest();
  expect(first).toHaveLength(scenarios.length);
  await cycle();
  const second = await deps.store.allLatest();
  expect(second).toHaveLength(scenarios.length);
  expect(new Set(second.map((r) => r.cycleId)).size).toBe(1);
  expect(second[0]!.cycleId).not.toBe(first[0]!.cycleId);
  for (const s of scenarios.slice(0, 5)) expect(await deps.store.historyOf(s)).toHaveLength(2);

  const summary = await statusSummary(get('status'), context());
  expect(summary.status).toBe(200);
  const body = summary.jsonBody as {
    status: string;
    counts: Record<string, number>;
    tenants: { name: string; status: string }[];
  };
  expect(body.counts).toEqual({ total: 29, apps: 29, healthy: 6, degraded: 3, failing: 20, unknown: 0, stale: 0 });
  expect(body.status).toBe('failing');
  // Anonymous readers see aliases by default; the operator's setting lets names and ids through.
  expect(JSON.stringify(body)).not.toMatch(/Contoso|f23cddea|4c57dc1b/);
  expect(new Set(body.tenants.map((t) => (t as unknown as { alias: string }).alias)).size).toBe(29);
  const named = await HTTP_ROUTES.statusSummary.api(
    { method: 'GET', params: {}, query: new URLSearchParams(), header: () => null },
    { ...deps, settings: { ...deps.settings, statusPublicNames: true } },
    () => undefined,
  );
  const namedBody = named.jsonBody as { tenants: { name: string; status: string }[] };
  expect(undocumented('statusSummary', named)).toEqual([]);
  expect(namedBody.tenants.find((t) => t.name === 'Contoso')?.status).toBe('healthy');

  const proseware = scenarios.find((s) => s.name === 'Proseware')!;
  const detail = await statusTenant(get(`status/${proseware.tenantId}`, { tenant: proseware.tenantId }), context());
  expect(detail.status).toBe(200);
  expect(detail.headers).toEqual(expect.objectContaining({ 'cache-control': 'private, no-store' }));
  const tenant = detail.jsonBody as {
    verdict: string;
    findings: { cause: string; fix: string[] }[];
    history: unknown[];
    evidence: unknown[];
  };
  expect(tenant.verdict).toBe('failing');
  expect(tenant.findings[0]).toEqual(expect.objectContaining({ cause: 'ews_disabled', fix: expect.any(Array) }));
  expect(tenant.history).toHaveLength(2);
  const app = await statusDetail(
    get(`status/${proseware.tenantId}/apps/${proseware.clientId}`, {
      tenant: proseware.tenantId,
      app: proseware.clientId,
    }),
    context(),
  );
  expect(app.jsonBody).toEqual(expect.objectContaining({ clientId: proseware.clientId, verdict: 'failing' }));
  const otherApp = '00000000-1111-4222-8333-444444444444';
  const notWatched = await statusDetail(
    get(`status/${proseware.tenantId}/apps/${otherApp}`, { tenant: proseware.tenantId, app: otherApp }),
    context(),
  );
  expect(notWatched.status).toBe(404);
  const notAnApp = await statusDetail(
    get(`status/${proseware.tenantId}/apps/x`, { tenant: proseware.tenantId, app: "x' or true" }),
    context(),
  );
  expect(notAnApp.status).toBe(400);
  expect(tenant.evidence.length).toBeGreaterThan(0);

  // Alerts: with the default thresholds the second cycle opens one alert per problem of every unhealthy tenant.
  const bodies = sim.world.logicAppInbox.map(
    (r) => r.body as { tenant: { tenantId: string }; kind: string; cause: string },
  );
  for (const b of bodies) expect(invalidAlertPayload(b)).toEqual([]);
  for (const t of namedBody.tenants) {
    const causes = bodies
      .filter((b) => b.tenant.tenantId === scenarios.find((s) => s.name === t.name)!.tenantId)
      .map((b) => `${b.kind} ${b.cause}`);
    const expected = scenarios.find((s) => s.name === t.name)!.expectedCause;
    expect([t.name, causes]).toEqual([
      t.name,
      t.status === 'healthy' ? [] : expect.arrayContaining([`open ${expected}`]),
    ]);
  }
  expect(logs.filter((l) => /alert open .* delivered$/.test(l))).toHaveLength(bodies.length);
}, 120_000);

test('the status page shows every app with its trend, and names tenants only when the setting allows', async () => {
  const page = await statusPage(get('status/page'), context());
  expect(page.status).toBe(200);
  expect(page.headers).toEqual(
    expect.objectContaining({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    }),
  );
  const html = page.body as string;
  expect(html.match(/<tr><td data-label="Tenant">/g)).toHaveLength(sim.scenarios().length);
  // Two cycles ran before this test: each line's trend holds both.
  expect(html.match(/aria-label="Last 2 checks, oldest first: /g)).toHaveLength(sim.scenarios().length);
  const named = sim.scenarios().flatMap((t) => [t.name, t.tenantId, t.clientId, t.domain, ...t.mailboxes]);
  expect(named.filter((name) => html.toLowerCase().includes(name.toLowerCase()))).toEqual([]);
  expect(html).toMatch(/Tenants are shown by alias/);
  const withNames = await HTTP_ROUTES.statusPage.api(
    { method: 'GET', params: {}, query: new URLSearchParams(), header: () => null },
    { ...deps, settings: { ...deps.settings, statusPublicNames: true } },
    () => undefined,
  );
  expect(withNames.body).toMatch(/<td data-label="Tenant">Proseware<\/td>/);
});

test('the fleet view lists every simulated EWS app with its allow-list state, and its merge scripts keep every id', async () => {
  const answer = await fleet(get('fleet'), context());
  expect(answer.status).toBe(200);
  const view = answer.jsonBody as {
    tenants: {
      tenantId: string;
      usage: string;
      allowList?: string[] | null;
      apps: { appId: string; state: string }[];
      drift: { missing: string[] };
      mergeScript: string | null;
    }[];
  };
  const specs = new Map(sim.world.tenants.map((t) => [t.spec.tenantId, t.spec]));
  let usageRead = 0;
  let scripts = 0;
  for (const listing of sim.scenarios()) {
    const spec = specs.get(listing.tenantId)!;
    const line = view.tenants.find((t) => t.tenantId === listing.tenantId)!;
    const listed = new Set(line.apps.map((a) => a.appId));
    // Where Message Center was read, every app it names is in the view; where the control plane was, every listed id.
    if (line.usage.startsWith('Message Center posts')) {
      usageRead++;
      expect([listing.name, spec.ewsUsage.filter((u) => !listed.has(u.appId))]).toEqual([listing.name, []]);
    }
    if (line.allowList !== undefined) {
      expect([listing.name, line.allowList]).toEqual([listing.name, spec.exchange.ewsAllowedAppIds]);
      expect((line.allowList ?? []).filter((id) => !listed.has(id))).toEqual([]);
    }
    if (listing.client.ews) expect(listed.has(listing.clientId)).toBe(true);
    if (!line.mergeScript) continue;
    scripts++;
    const existing = spec.exchange.ewsAllowedAppIds ?? [];
    const run = runMergeScript(line.mergeScript, {
      connectedTenantId: listing.tenantId,
      ewsAllowedAppIds: existing.map((id, i) => (i % 2 ? id.toUpperCase() : id)).join(',') || null,
    });
    expect([listing.name, run.threw]).toEqual([listing.name, undefined]);
    const written = String(run.calls.find((c) => c.cmdlet === 'Set-OrganizationConfig')!.parameters.EwsAllowedAppIDs);
    expect(written.split(',').sort()).toEqual(
      [...new Set([...existing, ...line.drift.missing].map((id) => id.toLowerCase()))].sort(),
    );
  }
  expect(usageRead).toBeGreaterThan(3);
  expect(scripts).toBeGreaterThan(0);
});

test('a tenant is found by any of its verified domains as well as the id it is watched by', async () => {
  const proseware = sim.scenarios().find((s) => s.name === 'Proseware')!;
  const byDomain = await statusTenant(get(`status/${proseware.domain}`, { tenant: proseware.domain }), context());
  expect(byDomain.status).toBe(200);
  expect(byDomain.jsonBody).toEqual(expect.objectContaining({ tenantId: proseware.tenantId, name: 'Proseware' }));
  const unknown = await statusTenant(get('status/nobody.example.com', { tenant: 'nobody.example.com' }), context());
  expect(unknown.status).toBe(404);
});

test('the summary and the badge reveal no mailbox, finding, evidence, secret or token', async () => {
  const proseware = sim.scenarios().find((s) => s.name === 'Proseware')!;
  const summary = JSON.stringify((await statusSummary(get('status'), context())).jsonBody);
  const badge = (
    await statusBadge(get(`status/${proseware.tenantId}/badge`, { tenant: proseware.tenantId }), context())
  ).jsonBody;
  expect(badge).toEqual({
    schemaVersion: 1,
    label: 'mail access',
    message: 'failing',
    color: 'red',
    cacheSeconds: 300,
  });
  for (const text of [summary, JSON.stringify(badge)]) {
    expect(text).not.toMatch(/@/);
    expect(text).not.toMatch(/ews_disabled|x-ews-policy-reason|evidence|findings|eyJ|Bearer|secret/i);
    for (const s of sim.scenarios()) if (s.clientSecret) expect(text).not.toContain(s.clientSecret);
  }
});

test('monitors get 503 with ?failOn, and unchanged summaries answer 304 to If-None-Match', async () => {
  expect((await statusSummary(get('status?failOn=failing'), context())).status).toBe(503);
  expect((await statusSummary(get('status?failOn=sometimes'), context())).status).toBe(400);
  const first = await statusSummary(get('status'), context());
  expect(first.headers).toEqual(
    expect.objectContaining({ 'cache-control': 'public, max-age=60', etag: expect.stringMatching(/^W\/"/) }),
  );
  const again = await statusSummary(
    get('status', {}, { 'if-none-match': (first.headers as Record<string, string>).etag! }),
    context(),
  );
  expect(again.status).toBe(304);
  expect(again.jsonBody).toBeUndefined();
});

test.each([
  ["PartitionKey eq 'tenant' or true", 400],
  ["x' or RowKey ne '", 400],
  ['../../admin', 400],
  ['%2e%2e%2fstatus', 400],
  ['a'.repeat(300), 400],
  ['contoso\u0000.onmicrosoft.com', 400],
  ['contoso.onmicrosoft.com\r\nx-injected: 1', 400],
  ['unknown-tenant.onmicrosoft.com', 404],
  ['00000000-0000-0000-0000-000000000000', 404],
])('tenant %j in the route gets %i, and a malformed one never reaches storage', async (tenantId, status) => {
  const reads = [
    jest.spyOn(deps.store, 'latest'),
    jest.spyOn(deps.store, 'watchedEntries'),
    jest.spyOn(deps.store, 'latestOfTenant'),
    jest.spyOn(deps.store, 'historyOf'),
  ];
  for (const [fn, path] of [
    [statusTenant, `status/x`],
    [statusBadge, 'status/x/badge'],
  ] as const) {
    const response = await fn(get(path, { tenant: tenantId }), context());
    expect(response.status).toBe(status);
  }
  const post = await checkNow(
    new HttpRequest({ method: 'POST', url: 'http://localhost/api/check/x', params: { tenant: tenantId } }),
    context(),
  );
  expect(post.status).toBe(status);
  const queried = reads.flatMap((spy) => spy.mock.calls.map((call) => call[0]));
  expect(queried).toEqual(status === 400 ? [] : expect.arrayContaining([tenantId.toLowerCase()]));
});

test('storage that cannot be read answers 503 with Retry-After and no internal detail', async () => {
  const failure = Object.assign(
    new Error('getaddrinfo ENOTFOUND account.table.core.windows.net; AccountKey=c2VjcmV0'),
    { statusCode: undefined },
  );
  const reads = [
    jest.spyOn(deps.store, 'allLatest').mockRejectedValue(failure),
    jest.spyOn(deps.store, 'latestOfTenant').mockRejectedValue(failure),
  ];
  try {
    const contoso = sim.scenarios().find((s) => s.name === 'Contoso')!;
    for (const response of [
      await statusSummary(get('status'), context()),
      await statusTenant(get(`status/${contoso.tenantId}`, { tenant: contoso.tenantId }), context()),
    ]) {
      expect([response.status, (response.headers as Record<string, string>)['retry-after']]).toEqual([503, '30']);
      expect(JSON.stringify(response.jsonBody)).not.toMatch(/ENOTFOUND|AccountKey/);
    }
    expect(logs.filter((l) => l.includes('ENOTFOUND'))).toHaveLength(2); // the cause is logged for the operator, without the key
    expect(logs.join('\n')).not.toContain('c2VjcmV0');
  } finally {
    for (const spy of reads) spy.mockRestore();
  }
});

test('an on-demand check runs now and answers with the result', async () => {
  const contoso = sim.scenarios().find((s) => s.name === 'Contoso')!;
  const response = await checkNow(
    new HttpRequest({
      method: 'POST',
      url: `http://localhost/api/check/${contoso.tenantId}`,
      params: { tenant: contoso.tenantId },
    }),
    context(),
  );
  expect(response.status).toBe(200);
  expect(response.jsonBody).toEqual(expect.objectContaining({ verdict: 'healthy', findings: [] }));
  expect(await deps.store.latest(contoso)).toEqual(
    expect.objectContaining({ cycleId: expect.stringMatching(/^on-demand-/) }),
  );
}, 30_000);

test('poison messages end in the poison queue with the reason; storage failures are retried, then poisoned, never lost', async () => {
  await drain(poison);
  await checkTenant({ tenantId: "x' or 1 eq 1", cycleId: 'c', cycleAt: '2026-11-21T09:00:00Z' }, context());
  await checkTenant('not json at all', context());
  const contoso = sim.scenarios().find((s) => s.name === 'Contoso')!;
  const message = { tenantId: contoso.tenantId, cycleId: 'storage-down', cycleAt: '2026-11-21T09:00:00Z' };
  const saveTenant = jest
    .spyOn(deps.store, 'saveTenant')
    .mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED'), { statusCode: undefined }));
  try {
    await expect(checkTenant(message, context(1))).rejects.toThrow('ECONNREFUSED');
    await checkTenant(message, context(5));
  } finally {
    saveTenant.mockRestore();
  }
  const poisoned = (await drain(poison)) as { reason: string; message: unknown }[];
  expect(poisoned.map((p) => p.reason)).toEqual([
    expect.stringMatching(/tenantId is missing or is not a tenant id/),
    expect.stringMatching(/not a JSON object/),
    expect.stringMatching(/gave up after 5 deliveries: connect ECONNREFUSED/),
  ]);
  expect(poisoned[2]!.message).toEqual(message);
  expect(logs.some((l) => /delivery 1 failed, the host will retry/.test(l))).toBe(true);
}, 30_000);

test('local.settings.sample.json lists every setting the code reads, each with where it comes from', () => {
  const sample = JSON.parse(readFileSync(join(__dirname, '../../local.settings.sample.json'), 'utf8'));
  for (const { name } of SETTINGS) {
    expect(Object.keys(sample.Values)).toContain(name);
    expect(sample.Comments[name]).toEqual(expect.any(String));
  }
  expect(readSettings(sample.Values).problems).toEqual([]);
  expect(
    readSettings({
      AzureWebJobsStorage: 'x',
      CHECK_SCHEDULE: 'every minute',
      HISTORY_RETENTION_DAYS: 'forever',
      STATUS_PUBLIC_NAMES: 'yes',
    }).problems,
  ).toEqual([
    expect.stringMatching(/^CHECK_SCHEDULE must be an NCRONTAB expression/),
    expect.stringMatching(/^HISTORY_RETENTION_DAYS must be a whole number/),
    'STATUS_PUBLIC_NAMES must be true or false, got "yes"; using false',
  ]);
  expect(readSettings({ AzureWebJobsStorage: 'x', STATUS_PUBLIC_NAMES: 'TRUE' }).settings.statusPublicNames).toBe(true);
  const alerting = readSettings({
    AzureWebJobsStorage: 'x',
    ALERT_LOGIC_APP_URL:
      'http://prod-27.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=s3cr3t-key',
    ALERT_FAILURE_THRESHOLD: '0',
  });
  expect(alerting.problems).toEqual([
    expect.stringMatching(
      /^ALERT_LOGIC_APP_URL must be an https URL, got http:\/\/prod-27\.westeurope\.logic\.azure\.com; alerts are recorded but not delivered/,
    ),
    expect.stringMatching(/^ALERT_FAILURE_THRESHOLD must be a whole number from 1 to 100, got "0"; using 2/),
  ]);
  expect(alerting.problems.join()).not.toContain('s3cr3t');
  expect(readSettings({ AzureWebJobsStorage: 'x', ALERT_LOGIC_APP_URL_SECRET: 'alerts-url' }).problems).toEqual([
    expect.stringMatching(/^ALERT_LOGIC_APP_URL_SECRET is set but KEY_VAULT_URL is not/),
  ]);
});

test('a Logic App that is down never blocks or loses a check: the result is stored, the alert waits, the delivery timer sends it', async () => {
  const contoso = sim.scenarios().find((s) => s.name === 'Contoso')!;
  const spec = sim.world.tenant(contoso.tenantId)!.spec.exchange;
  const alerting = deps.alerting!;
  const received = () =>
    sim.world.logicAppInbox.filter(
      (r) => (r.body as { tenant: { tenantId: string } }).tenant.tenantId === contoso.tenantId,
    );
  spec.ewsEnabled = false;
  sim.world.faults = [parseFaultRule({ route: 'logicapp', errorRate: 1 })];
  try {
    for (const cycleId of ['logic-app-down-1', 'logic-app-down-2']) {
      await checkTenant({ tenantId: contoso.tenantId, cycleId, cycleAt: new Date().toISOString() }, context());
    }
    expect(await deps.store.latest(contoso)).toEqual(
      expect.objectContaining({ cycleId: 'logic-app-down-2', verdict: 'failing', topCause: 'ews_disabled' }),
    );
    expect(
      logs.some((l) => /alert open ews\.ews_disabled for .* attempt 1 failed, next at .* answered 503/.test(l)),
    ).toBe(true);
    expect(received()).toEqual([]);

    sim.world.faults = [];
    await deliverAlerts(timer, context());
    expect(received()).toEqual([]); // not before its backoff is over
    alerting.now = () => Date.now() + 10 * 60_000;
    await deliverAlerts(timer, context());
    expect(received().map((r) => (r.body as { kind: string; cause: string }).cause)).toEqual(['ews_disabled']);
    expect(await alerting.store.pending(contoso.tenantId)).toEqual([]);
    expect(logs.join('\n')).not.toContain(new URL(sim.logicAppPublicUrl).searchParams.get('sig'));
  } finally {
    spec.ewsEnabled = null;
    sim.world.faults = [];
    delete alerting.now;
  }
}, 60_000);
