// The fault suite: one row per kind of fault injected into the simulated cloud, storage or the queue, each run through
// the queue worker as the host runs it, and each held to the same promises: the verdict and cause named, the result
// stored within the deadline, nothing lost or sent twice, no crash, and no secret in any table, queue, answer or log.
import { randomUUID } from 'node:crypto';
import { ManagedIdentityCredential } from '@azure/identity';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { triggerUrlSource } from '../../shared/service/alert-service';
import { AlertStore } from '../../shared/storage/alert-store';
import { sdkClientOptions } from '../../shared/clients/azure-sdk';
import { CheckQueue } from '../../shared/storage/check-queue';
import { deliverAlerts, type ServiceDeps } from '../../shared/service/check-service';
import { KeyVaultSecretStore } from '../../shared/clients/key-vault';
import { createAgent, type HttpLimits } from '../../shared/clients/http';
import type { PipelineDeps } from '../../shared/service/pipeline';
import { TableResultStore } from '../../shared/storage/result-store';
import { readSettings } from '../../shared/core/settings';
import { HTTP_ROUTES } from '../../shared/service/status-api';
import { TokenProvider } from '../../shared/clients/tokens';
import { tenantDefinitionsFor } from '../../sim/demo-tenants';
import { routeToSimulatedCloud } from '../../sim/route-to-sim';
import { parseFaultRule, type FaultRuleInput } from '../../sim/scenario';
import type { ScenarioListing, SimulatedCloud } from '../../sim/server';
import { startSim, tenantNamed, useSimulatedManagedIdentity } from '../helpers/sim';

jest.mock('@azure/functions', () =>
  jest.requireActual<typeof import('../helpers/functions-host')>('../helpers/functions-host').recordingFunctionsApp(),
);
import { handler as checkTenantHandler } from '../../functions/check-tenant';
import { useServiceDeps } from '../../functions/lib/runtime';
import { invocationContext } from '../helpers/functions-host';

const DEADLINE_S = 4;
/**
 * Per-call limits small enough that a slow or huge answer meets them well inside the tenant deadline. Slow bodies
 * drip a chunk every 1.2 s, under the 1.5 s idle timeout, so only the bound on the whole call can stop them.
 */
const LIMITS: HttpLimits = { timeoutMs: 1500, maxBodyBytes: 256 * 1024 };
/** What a stored result may take beyond the deadline: diagnosis, two Table writes and the alert transaction. */
const MARGIN_MS = 3000;

let sim: SimulatedCloud;
let azurite: RunningAzurite;
let agent: ReturnType<typeof createAgent>;
let restoreEnvironment: () => void;
let base: Omit<ServiceDeps, 'pipeline'>;
let checks: QueueClient;
let poison: QueueClient;
const logs: string[] = [];
/** Every HTTP answer and run result a row produced, searched for secrets at the end of the row. */
const answers: unknown[] = [];
let contoso: ScenarioListing;
let proseware: ScenarioListing;

/** A worker as the host would start it cold: its own token cache, vault cache and managed identity. */
function freshPipeline(overrides: Partial<PipelineDeps> = {}): PipelineDeps {
  const dispatcher = routeToSimulatedCloud(sim.baseUrl, agent);
  return {
    dispatcher,
    limits: LIMITS,
    secrets: new KeyVaultSecretStore(sim.endpoints.keyvault, new ManagedIdentityCredential(sdkClientOptions())),
    tokens: new TokenProvider(dispatcher, LIMITS),
    ...overrides,
  };
}

let deps: ServiceDeps;
const useDeps = (pipeline: PipelineDeps) => {
  deps = { ...base, pipeline };
  useServiceDeps(deps);
};

const faults = (...rules: FaultRuleInput[]) => {
  sim.world.faults = rules.map(parseFaultRule);
};

let cycleNumber = 0;
const message = (tenant: ScenarioListing, overrides: Record<string, unknown> = {}) => ({
  tenantId: tenant.tenantId,
  cycleId: `fault-${++cycleNumber}`,
  cycleAt: new Date().toISOString(),
  ...overrides,
});

/** Delivers a message to the worker as the host does, retrying (up to the dequeue limit) when the handler throws. */
async function deliver(raw: unknown): Promise<{ ms: number; deliveries: number }> {
  const started = Date.now();
  for (let delivery = 1; ; delivery++) {
    try {
      await checkTenantHandler(raw, invocationContext(logs, delivery));
      return { ms: Date.now() - started, deliveries: delivery };
    } catch (error) {
      if (delivery >= deps.settings.maxDequeueCount) throw error;
    }
  }
}

async function latest(tenant: ScenarioListing) {
  const row = await base.store.latest(tenant);
  if (!row) throw new Error(`no result stored for ${tenant.name}`);
  return {
    cycleId: row.cycleId,
    verdict: row.verdict,
    findings: JSON.parse(String(row.findings)) as {
      cause: string;
      detail?: string;
      origin?: string;
      alternative?: true;
    }[],
    evidence: JSON.parse(String(row.evidence)) as {
      error?: { message: string };
      observedAt?: string;
      endpoint: string;
    }[],
  };
}

async function historyRows(tenant: ScenarioListing) {
  return base.store.historyOf(tenant, 500);
}

async function detail(tenant: ScenarioListing) {
  const answer = await HTTP_ROUTES.statusDetail.api(
    {
      method: 'GET',
      params: { tenant: tenant.tenantId, app: tenant.clientId },
      query: new URLSearchParams(),
      header: () => null,
    },
    deps,
    () => undefined,
  );
  answers.push(answer);
  return answer;
}

async function outbox(tenantId: string) {
  return [
    ...(await base.alerting!.store.outbox('pending', tenantId)),
    ...(await base.alerting!.store.outbox('delivered', tenantId)),
    ...(await base.alerting!.store.outbox('dead', tenantId)),
  ];
}

/** Everything at rest or said: every table row, every queue message, every log line, every answer. */
async function everythingSaid(): Promise<string> {
  const parts: string[] = [...logs, JSON.stringify(answers), JSON.stringify(sim.world.logicAppInbox)];
  const tables = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
  for await (const table of tables.listTables()) {
    const rows = TableClient.fromConnectionString(azurite.connectionString, table.name!, {
      allowInsecureConnection: true,
    });
    for await (const row of rows.listEntities()) parts.push(JSON.stringify(row));
  }
  for (const queue of [checks, poison]) {
    if (!(await queue.exists())) continue;
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    parts.push(...peekedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8')));
  }
  return parts.join('\n');
}

/** The demo secrets of every simulated app, and the lines of every private key: none may appear anywhere. */
const secretsOfTheWorld = () =>
  sim
    .scenarios()
    .flatMap((s) => [
      ...(s.clientSecret ? [s.clientSecret, encodeURIComponent(s.clientSecret)] : []),
      ...(s.certificatePem ?? '')
        .split('\n')
        .filter((line) => line.length >= 40 && !line.startsWith('-----') && /PRIVATE/.test(s.certificatePem ?? '')),
    ]);

async function expectNoSecretAnywhere() {
  const said = await everythingSaid();
  for (const secret of secretsOfTheWorld())
    expect(said.includes(secret) ? `secret of ${secret.length} characters found` : 'none').toBe('none');
}

beforeAll(async () => {
  sim = await startSim(undefined, { realClock: true });
  restoreEnvironment = useSimulatedManagedIdentity(sim);
  azurite = await startAzurite();
  agent = createAgent(LIMITS);
  contoso = tenantNamed(sim, 'Contoso');
  proseware = tenantNamed(sim, 'Proseware');
  const parsed = readSettings({ AzureWebJobsStorage: azurite.connectionString }).settings;
  const settings = { ...parsed, checkQueue: 'fault-suite', tenantDeadlineSeconds: DEADLINE_S, maxDequeueCount: 3 };
  base = {
    store: TableResultStore.in(azurite.connectionString),
    queue: CheckQueue.in(azurite.connectionString, settings.checkQueue),
    settings,
    alerting: {
      store: AlertStore.in(azurite.connectionString),
      dispatcher: routeToSimulatedCloud(sim.baseUrl, agent),
      triggerUrl: triggerUrlSource({ url: sim.logicAppPublicUrl }, undefined),
      // One sighting opens, two clean cycles resolve: a fault that wrongly counted would show at once.
      policy: { failureThreshold: 1, successThreshold: 2, reminderMs: 0 },
      maxAttempts: 5,
    },
  };
  checks = new QueueClient(azurite.connectionString, settings.checkQueue);
  poison = new QueueClient(azurite.connectionString, `${settings.checkQueue}-poison`);
  await Promise.all([base.store.ensureTables(), base.alerting!.store.ensureTables(), base.queue.ensureQueues()]);
  await base.store.watch(
    tenantDefinitionsFor(sim.scenarios()).filter((t) => [contoso.tenantId, proseware.tenantId].includes(t.tenantId)),
  );
}, 60_000);

beforeEach(() => {
  faults();
  logs.length = 0;
  answers.length = 0;
  useDeps(freshPipeline());
});

afterAll(async () => {
  useServiceDeps(null);
  restoreEnvironment?.();
  await agent?.close();
  await Promise.all([sim?.close(), azurite?.close()]);
});

interface ProbeFaultRow {
  fault: string;
  rules: (tenant: ScenarioListing) => FaultRuleInput[];
  /** The verdict and the top finding's cause and details (any of them) the row must end with. */
  verdict: string;
  cause: string;
  details: string[];
  /** Our own infrastructure failed: the finding says so, and the operator (not the tenant) is alerted. */
  ours?: boolean;
  /** How this row's worker differs from a cold one. */
  worker?: () => Partial<PipelineDeps>;
}

const ROWS: ProbeFaultRow[] = [
  {
    fault: 'token endpoint 5xx',
    rules: (t) => [{ route: 'login', tenantId: t.tenantId, errorRate: 1, errorStatus: 500 }],
    verdict: 'failing',
    cause: 'other',
    details: ['entra_unavailable'],
  },
  {
    fault: 'token endpoint hangs (timeout)',
    rules: (t) => [{ route: 'login', tenantId: t.tenantId, hang: true }],
    verdict: 'failing',
    cause: 'other',
    details: ['network_error', 'tenant_deadline_exceeded'],
  },
  {
    fault: 'slow-drip token body',
    rules: (t) => [{ route: 'login', tenantId: t.tenantId, slowBodyMs: 12_000 }],
    verdict: 'failing',
    cause: 'other',
    details: ['network_error', 'tenant_deadline_exceeded'],
  },
  {
    fault: 'oversized token body',
    rules: (t) => [{ route: 'login', tenantId: t.tenantId, oversizedBytes: 5_000_000 }],
    verdict: 'failing',
    cause: 'other',
    details: ['unexplained', 'unreadable_answer', 'network_error'],
  },
  {
    fault: 'EWS connection reset',
    rules: (t) => [{ route: 'ews', tenantId: t.tenantId, resetRate: 1 }],
    verdict: 'failing',
    cause: 'other',
    details: ['network_error'],
  },
  {
    fault: 'Graph connection reset',
    rules: (t) => [{ route: 'graph', tenantId: t.tenantId, resetRate: 1 }],
    verdict: 'failing',
    cause: 'other',
    details: ['network_error'],
  },
  {
    fault: 'EWS answers 302',
    rules: (t) => [{ route: 'ews', tenantId: t.tenantId, redirectRate: 1 }],
    verdict: 'failing',
    cause: 'other',
    details: ['unexpected_redirect'],
  },
  {
    fault: 'Graph answers 302',
    rules: (t) => [{ route: 'graph', tenantId: t.tenantId, redirectRate: 1 }],
    verdict: 'failing',
    cause: 'other',
    details: ['unexpected_redirect'],
  },
  {
    fault: 'EWS 200 with cut SOAP',
    rules: (t) => [{ route: 'ews', tenantId: t.tenantId, malformedRate: 1 }],
    verdict: 'failing',
    cause: 'other',
    details: ['expected_answer_missing'],
  },
  {
    fault: 'Graph 200 with malformed JSON',
    rules: (t) => [{ route: 'graph', tenantId: t.tenantId, malformedRate: 1 }],
    verdict: 'failing',
    cause: 'other',
    details: ['expected_answer_missing'],
  },
  {
    fault: '10 MB EWS body',
    rules: (t) => [{ route: 'ews', tenantId: t.tenantId, oversizedBytes: 10_000_000 }],
    verdict: 'failing',
    cause: 'other',
    details: ['body_over_cap'],
  },
  {
    fault: 'slow EWS and Graph bodies',
    rules: (t) => [
      { route: 'ews', tenantId: t.tenantId, slowBodyMs: 12_000 },
      { route: 'graph', tenantId: t.tenantId, slowBodyMs: 12_000 },
    ],
    verdict: 'failing',
    cause: 'other',
    details: ['network_error', 'tenant_deadline_exceeded'],
  },
  {
    fault: 'Key Vault hangs',
    rules: () => [{ route: 'keyvault', hang: true }],
    verdict: 'unknown',
    cause: 'other',
    details: ['key_vault_unavailable'],
    ours: true,
  },
  {
    fault: 'managed identity answers 500',
    rules: () => [{ route: 'identity', errorRate: 1, errorStatus: 500 }],
    verdict: 'unknown',
    cause: 'other',
    details: ['identity_unavailable'],
    ours: true,
    // MSAL keeps managed identity tokens process-wide; an identity of its own makes this worker ask the endpoint.
    worker: () => ({
      secrets: new KeyVaultSecretStore(
        sim.endpoints.keyvault,
        new ManagedIdentityCredential({ ...sdkClientOptions(), clientId: randomUUID() }),
      ),
    }),
  },
];

describe.each(ROWS)('$fault', (row) => {
  test('named, stored within the deadline, nothing lost, no tenant alert from our own outage, no secret anywhere', async () => {
    if (row.worker) useDeps(freshPipeline(row.worker()));
    faults(...row.rules(contoso));
    const before = (await historyRows(contoso)).length;
    const noticesBefore = (await outbox(contoso.tenantId)).length;
    const raw = message(contoso);
    const { ms, deliveries } = await deliver(raw);
    expect(ms).toBeLessThan(DEADLINE_S * 1000 + MARGIN_MS);
    expect(deliveries).toBe(1);
    const stored = await latest(contoso);
    expect(stored.cycleId).toBe(raw.cycleId);
    expect(stored.verdict).toBe(row.verdict);
    const top = stored.findings.find((f) => !f.alternative)!;
    expect(top.cause).toBe(row.cause);
    expect(row.details).toContain(top.detail);
    expect((await historyRows(contoso)).length).toBe(before + 1);
    if (row.ours) {
      expect(top.origin).toBe('monitoring_infrastructure');
      expect(await outbox(contoso.tenantId)).toHaveLength(noticesBefore);
      const operator = await outbox('tenant-health');
      expect(operator.some((n) => n.kind === 'open' && n.check === 'keyvault' && n.cause === 'other')).toBe(true);
    } else {
      expect(top.origin).toBeUndefined();
    }
    expect((await detail(contoso)).status).toBe(200);
    await expectNoSecretAnywhere();
  }, 30_000);
});

test('with every Key Vault call hanging, a cycle of both tenants ends within the deadline and neither is healthy', async () => {
  faults({ route: 'keyvault', hang: true });
  const started = Date.now();
  await Promise.all([deliver(message(contoso)), deliver(message(proseware))]);
  expect(Date.now() - started).toBeLessThan(DEADLINE_S * 1000 + MARGIN_MS);
  for (const tenant of [contoso, proseware]) expect((await latest(tenant)).verdict).not.toBe('healthy');
}, 30_000);

test("Key Vault down for two cycles neither resolves nor reopens a tenant's open alert; back, the same alert goes on", async () => {
  await deliver(message(proseware));
  const opened = (await outbox(proseware.tenantId)).filter((n) => n.kind === 'open');
  expect(opened.length).toBeGreaterThanOrEqual(1);
  const countBefore = (await outbox(proseware.tenantId)).length;
  for (let i = 0; i < 2; i++) {
    useDeps(freshPipeline());
    faults({ route: 'keyvault', errorRate: 1, errorStatus: 503 });
    await deliver(message(proseware));
    expect((await latest(proseware)).verdict).toBe('unknown');
  }
  faults();
  useDeps(freshPipeline());
  await deliver(message(proseware));
  expect((await latest(proseware)).findings[0]!.cause).toBe('ews_disabled');
  // No resolve while the vault was down, no second open once it was back: the alert is the one opened before.
  expect((await outbox(proseware.tenantId)).length).toBe(countBefore);
}, 60_000);

test("after a token 5xx, the next check within Entra's Retry-After sends no request and says so, with the first answer's time", async () => {
  faults({ route: 'login', tenantId: contoso.tenantId, errorRate: 1, errorStatus: 503 });
  await deliver(message(contoso));
  const first = (await latest(contoso)).evidence.find((e) => e.endpoint === 'token')!;
  faults();
  const tokenRequests = sim.world.requestCounts.login ?? 0;
  await deliver(message(contoso));
  const second = (await latest(contoso)).evidence.find((e) => e.endpoint === 'token')!;
  expect(second.error?.message).toMatch(/^not retried: Entra asked us to wait until \d{4}-\d\d-\d\dT/);
  expect(second.observedAt).toBe(first.observedAt);
  expect((sim.world.requestCounts.login ?? 0) - tokenRequests).toBe(0);
}, 30_000);

test('a token endpoint that echoes the request body gets no secret stored, served or logged', async () => {
  faults({ route: 'login', tenantId: contoso.tenantId, echoRequestBody: true });
  await deliver(message(contoso));
  const stored = await latest(contoso);
  expect(JSON.stringify(stored.evidence)).toMatch(/<redacted/);
  expect((await detail(contoso)).status).toBe(200);
  await expectNoSecretAnywhere();
}, 30_000);

test('Table storage down mid-cycle and back: the delivery that failed is retried, and the cycle is stored once', async () => {
  const raw = message(proseware);
  const noticesBefore = (await outbox(proseware.tenantId)).length;
  const save = jest
    .spyOn(base.store, 'saveTenant')
    .mockRejectedValueOnce(Object.assign(new Error('ServerBusy'), { statusCode: 503 }));
  try {
    const { deliveries } = await deliver(raw);
    expect(deliveries).toBe(2);
  } finally {
    save.mockRestore();
  }
  expect((await historyRows(proseware)).filter((r) => r.cycleId === raw.cycleId)).toHaveLength(1);
  expect((await latest(proseware)).cycleId).toBe(raw.cycleId);
  expect((await outbox(proseware.tenantId)).length - noticesBefore).toBeLessThanOrEqual(1);
  expect(logs.some((l) => /delivery 1 failed, the host will retry/.test(l))).toBe(true);
}, 30_000);

test('storage emptied under a warm worker: its tables and queues are made again and the result is stored', async () => {
  // The worker is warm: it made its tables and queues on its first invocation, and will not look again unprompted.
  await deliver(message(contoso));
  const tables = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
  const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
  for (const name of ['TenantStatus', 'TenantHistory', 'Alerts']) await tables.deleteTable(name);
  await queues.deleteQueue('fault-suite');
  const raw = message(contoso);
  expect((await deliver(raw)).deliveries).toBe(1);
  expect((await latest(contoso)).cycleId).toBe(raw.cycleId);
  await base.queue.enqueue([message(contoso)]);
  expect(await checks.exists()).toBe(true);
  await checks.clearMessages();
}, 30_000);

test('the Logic App down then back: notices wait in the outbox, then each is delivered exactly once', async () => {
  faults({ route: 'logicapp', errorRate: 1, errorStatus: 503 });
  sim.world.logicAppInbox.length = 0;
  // Proseware's alerts start afresh, so its failing cycle opens one, which cannot be sent yet.
  const alerts = TableClient.fromConnectionString(azurite.connectionString, 'Alerts', {
    allowInsecureConnection: true,
  });
  for await (const row of alerts.listEntities({
    queryOptions: { filter: `PartitionKey eq '${proseware.tenantId.toLowerCase()}'` },
  }))
    await alerts.deleteEntity(row.partitionKey!, row.rowKey!);
  await deliver(message(proseware));
  const waiting = await base.alerting!.store.pending(proseware.tenantId);
  expect(waiting.length).toBeGreaterThanOrEqual(1);
  expect(sim.world.logicAppInbox).toHaveLength(0);
  faults();
  // The retry is due after its backoff: the delivery timer runs then.
  const later = { ...deps, alerting: { ...base.alerting!, now: () => Date.now() + 10 * 60_000 } };
  await deliverAlerts(later);
  await deliverAlerts(later);
  const keys = sim.world.logicAppInbox.map((r) => (r.body as { idempotencyKey: string }).idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toEqual(expect.arrayContaining(waiting.map((n) => n.idempotencyKey)));
  expect(await base.alerting!.store.pending(proseware.tenantId)).toHaveLength(0);
}, 30_000);

test("a message dated far in the future neither wipes the tenant's history nor outranks later cycles", async () => {
  const before = (await historyRows(contoso)).length;
  await deliver(message(contoso, { cycleAt: '2031-01-01T00:00:00.000Z' }));
  await deliver(message(contoso));
  const rows = await historyRows(contoso);
  expect(rows.length).toBe(before + 2);
  expect(rows[0]!.cycleId).toBe(`fault-${cycleNumber}`);
}, 30_000);

test('a worker whose clock runs two hours fast has its result refused and logged; the status keeps moving', async () => {
  const fast = () => Date.now() + 2 * 3_600_000;
  useDeps(freshPipeline({ now: fast }));
  await deliver(message(contoso));
  expect(logs.some((l) => /result refused, refused 1 result\(s\) dated/.test(l))).toBe(true);
  useDeps(freshPipeline());
  const raw = message(contoso);
  await deliver(raw);
  expect((await latest(contoso)).cycleId).toBe(raw.cycleId);
}, 30_000);

test('a duplicate message rewrites its own history row and sends no notice twice', async () => {
  const raw = message(proseware);
  const noticesBefore = (await outbox(proseware.tenantId)).length;
  await deliver(raw);
  const afterFirst = (await outbox(proseware.tenantId)).length;
  await deliver(raw);
  expect((await historyRows(proseware)).filter((r) => r.cycleId === raw.cycleId)).toHaveLength(1);
  expect((await outbox(proseware.tenantId)).length).toBe(afterFirst);
  expect(afterFirst - noticesBefore).toBeLessThanOrEqual(1);
}, 30_000);

test('a poison message goes to the poison queue with its reason, and nothing is stored for it', async () => {
  await poison.clearMessages();
  await deliver('{"tenantId": "not a tenant", "cycleId": "x", "cycleAt": "2026-12-01T00:00:00Z"}');
  const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 5 });
  expect(
    peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')).reason),
  ).toEqual([expect.stringMatching(/tenantId/)]);
});

test('checks stop arriving: every status turns stale (failing for ?failOn), and the operator is alerted once', async () => {
  const later = (extraMs = 0): ServiceDeps => {
    const now = () => Date.now() + 3 * 3_600_000 + extraMs;
    return { ...deps, now, alerting: { ...base.alerting!, now } };
  };
  const ask = (route: keyof typeof HTTP_ROUTES, params: Record<string, string> = {}, query = '') =>
    HTTP_ROUTES[route].api(
      { method: 'GET', params, query: new URLSearchParams(query), header: () => null },
      later(),
      () => undefined,
    );
  const summary = await ask('statusSummary');
  const body = summary.jsonBody as {
    status: string;
    counts: { stale: number; total: number };
    tenants: { status: string }[];
  };
  expect([body.status, body.counts.stale, body.counts.total]).toEqual(['stale', 2, 2]);
  expect(body.tenants.every((t) => t.status === 'stale')).toBe(true);
  expect((await ask('statusSummary', {}, 'failOn=failing')).status).toBe(503);
  expect((await ask('statusBadge', { tenant: contoso.tenantId })).jsonBody).toMatchObject({
    message: 'stale',
    color: 'orange',
  });
  expect((await ask('statusDetail', { tenant: contoso.tenantId, app: contoso.clientId })).jsonBody).toMatchObject({
    stale: true,
  });
  expect((await ask('statusTenant', { tenant: contoso.tenantId })).jsonBody).toMatchObject({ status: 'stale' });
  answers.push(summary);

  const opens = async () => (await outbox('tenant-health')).filter((n) => n.kind === 'open' && n.check === 'tenant');
  const before = (await opens()).length;
  // Two delivery-timer runs, two minutes apart, both see the fleet silent: one open, not two.
  await deliverAlerts(later());
  await deliverAlerts(later(2 * 60_000));
  expect((await opens()).length - before).toBe(1);
  // Fresh results: nothing is stale, and the fleet alert is not raised again.
  expect(
    (
      (
        await HTTP_ROUTES.statusSummary.api(
          { method: 'GET', params: {}, query: new URLSearchParams(), header: () => null },
          deps,
          () => undefined,
        )
      ).jsonBody as { counts: { stale: number } }
    ).counts.stale,
  ).toBe(0);
}, 30_000);
