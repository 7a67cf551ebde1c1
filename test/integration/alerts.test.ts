// Alerts end to end on Azurite and the simulated Logic App trigger: decided once, kept in the outbox while the trigger
// is down, delivered once it is back with the same idempotency key, in order, and given up on with the reason kept.
import { odata } from '@azure/data-tables';
import type { Dispatcher } from 'undici';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { deliverDue, raiseAlerts, triggerUrlSource, type AlertingDeps } from '../../shared/service/alert-service';
import { ALERT_TABLES, AlertStore } from '../../shared/storage/alert-store';
import { DEFAULT_ALERT_POLICY, type Suppression } from '../../shared/alerts/decisions';
import { createAgent } from '../../shared/clients/http';
import type { TenantResult } from '../../shared/service/pipeline';
import { assessReadiness } from '../../shared/core/readiness';
import { storageAccount } from '../../shared/storage/account';
import { routeToSimulatedCloud } from '../../sim/route-to-sim';
import { type FaultRule, parseFaultRule } from '../../sim/scenario';
import type { SimulatedCloud } from '../../sim/server';
import { invalidAlertPayload } from '../helpers/alert-schema';
import { startSim } from '../helpers/sim';

let sim: SimulatedCloud;
let azurite: RunningAzurite;
let agent: Dispatcher;
let store: AlertStore;
let now = Date.parse('2026-11-21T09:00:00Z');
const CYCLE = 15 * 60_000;

beforeAll(async () => {
  [sim, azurite] = await Promise.all([startSim(), startAzurite()]);
  agent = createAgent();
  store = AlertStore.in(azurite.connectionString);
  await store.ensureTables();
}, 60_000);
afterAll(async () => {
  await agent?.close();
  await Promise.all([sim?.close(), azurite?.close()]);
});
afterEach(() => {
  sim.world.faults = [];
});

const deps = (over: Partial<AlertingDeps> = {}): AlertingDeps => ({
  store,
  dispatcher: routeToSimulatedCloud(sim.baseUrl, agent),
  triggerUrl: triggerUrlSource({ url: sim.logicAppPublicUrl }, undefined, () => now),
  policy: DEFAULT_ALERT_POLICY,
  maxAttempts: 5,
  now: () => now,
  random: () => 0.5,
  ...over,
});

let ids = 0;
const newTenant = () => `${String(++ids).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
let cycles = 0;

function result(tenantId: string, failing: boolean, summary = 'EWS refused 2 of 2 mailboxes.'): TenantResult {
  const base = {
    tenantId,
    name: `Tenant ${tenantId.slice(0, 8)}`,
    cloud: 'worldwide' as const,
    app: { clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b', ews: 'oauth' as const, graph: true },
    verdict: failing ? ('failing' as const) : ('healthy' as const),
    checkedAt: new Date(now).toISOString(),
    probes: [],
    permissions: [],
    evidence: [],
    findings: failing
      ? [
          {
            cause: 'ews_disabled' as const,
            detail: 'app_not_in_ews_allowed_app_ids',
            confidence: 'high' as const,
            summary,
            endpoints: ['ews' as const],
            fix: ['Set-OrganizationConfig -EwsAllowedAppIDs @{Add="4c57dc1b-fff4-4ee3-8104-08c997f1289b"}'],
          },
        ]
      : [],
    credential: { type: 'secret' as const, expiresOn: '2027-09-01T00:00:00.000Z' },
  };
  return { ...base, readiness: assessReadiness(base, now) };
}

/** One check cycle for a tenant: its alerts decided, then what is due sent; the clock moves on a cycle. */
async function checkCycle(tenantId: string, failing: boolean, over: Partial<AlertingDeps> = {}) {
  const d = deps(over);
  const notices = await raiseAlerts(
    result(tenantId, failing),
    { id: `cycle-${++cycles}`, at: new Date(now).toISOString() },
    d,
  );
  const deliveries = await deliverDue(d, { tenantId });
  now += CYCLE;
  return { notices, deliveries };
}
const pattern = async (tenantId: string, text: string) => {
  for (const c of text) await checkCycle(tenantId, c === 'F');
};

interface Received {
  headers: Record<string, string>;
  body: { tenant: { tenantId: string }; kind: string; idempotencyKey: string; alertId: string };
}
const received = (tenantId?: string) =>
  (sim.world.logicAppInbox as unknown as Received[]).filter((r) => !tenantId || r.body.tenant.tenantId === tenantId);
const fault = (rule: Partial<FaultRule>) => {
  sim.world.faults = [parseFaultRule({ route: 'logicapp', ...rule })];
};

test('a healthy tenant raises nothing and leaves nothing stored', async () => {
  const tenant = newTenant();
  await pattern(tenant, '......');
  expect(received(tenant)).toEqual([]);
  expect(await store.load({ tenantId: tenant, clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b' })).toEqual({
    states: [],
    lastCycleId: null,
    markerEtag: null,
    adopted: [],
  });
});

test('a flapping tenant raises one alert', async () => {
  const tenant = newTenant();
  await pattern(tenant, 'F.F.F.F.F.F.');
  expect(received(tenant).map((r) => r.body.kind)).toEqual(['open']);
});

test('recovery sends one resolve notice, after the open and for the same alert', async () => {
  const tenant = newTenant();
  await pattern(tenant, 'FFF.....');
  const notices = received(tenant).map((r) => r.body);
  expect(notices.map((n) => n.kind)).toEqual(['open', 'resolve']);
  expect(notices[1]!.alertId).toBe(notices[0]!.alertId);
  expect(notices[1]!.idempotencyKey).not.toBe(notices[0]!.idempotencyKey);
});

test('a snoozed tenant raises nothing until the snooze ends; then the problem, still there, opens', async () => {
  const tenant = newTenant();
  const snooze: Suppression = {
    id: `snooze-${tenant}`,
    kind: 'snooze',
    tenantId: tenant,
    from: new Date(now).toISOString(),
    until: new Date(now + 5 * CYCLE).toISOString(),
    reason: 'archive vendor re-registering the app',
    createdAt: new Date(now).toISOString(),
  };
  await store.addSuppression(snooze);
  await pattern(tenant, 'FFFFF');
  expect(received(tenant)).toEqual([]);
  await pattern(tenant, 'F');
  expect(received(tenant).map((r) => r.body.kind)).toEqual(['open']);
  expect(await store.removeSuppression(snooze.id)).toBe(true);
});

test('while the trigger is down alerts wait in the outbox, honouring Retry-After, and are delivered once it is back', async () => {
  const tenant = newTenant();
  fault({ errorRate: 1, errorStatus: 503 });
  await checkCycle(tenant, true);
  const { deliveries } = await checkCycle(tenant, true);
  expect(deliveries).toEqual([expect.objectContaining({ outcome: 'retry', status: 503, attempts: 1 })]);
  // The trigger asked for 30 s; the first backoff is 30 s too, so the next attempt is no sooner than that.
  expect(Date.parse(deliveries[0]!.nextAttemptAt!) - (now - CYCLE)).toBeGreaterThanOrEqual(30_000);
  expect(received(tenant)).toEqual([]);
  expect(await store.pending(tenant)).toHaveLength(1);

  sim.world.faults = [];
  // Nothing new is decided this cycle (the alert is open already); the waiting notice goes out.
  const later = await checkCycle(tenant, true);
  expect(later.notices).toEqual([]);
  expect(later.deliveries).toEqual([expect.objectContaining({ outcome: 'delivered', attempts: 2 })]);
  expect(received(tenant).map((r) => r.body.kind)).toEqual(['open']);
  expect(await store.pending(tenant)).toEqual([]);
  expect(await store.outbox('delivered', tenant)).toEqual([
    expect.objectContaining({ kind: 'open', attempts: 2, lastStatus: 202 }),
  ]);
});

test('a retry never sends a second alert with a new idempotency key', async () => {
  const tenant = newTenant();
  // The trigger fires, then the connection drops before its answer arrives: the sender cannot know, so it sends again.
  fault({ resetRate: 1 });
  await checkCycle(tenant, true);
  const lost = await checkCycle(tenant, true);
  expect(lost.deliveries).toEqual([expect.objectContaining({ outcome: 'retry', status: null })]);
  sim.world.faults = [];
  now += 60 * 60_000;
  expect(await deliverDue(deps(), { tenantId: tenant })).toEqual([expect.objectContaining({ outcome: 'delivered' })]);
  const posts = received(tenant);
  expect(posts).toHaveLength(2);
  const keys = new Set(
    posts.flatMap((p) => [p.body.idempotencyKey, p.headers['idempotency-key'], p.headers['x-ms-client-tracking-id']]),
  );
  expect(keys.size).toBe(1);
  expect(JSON.stringify(posts[0]!.body)).toBe(JSON.stringify(posts[1]!.body));
});

test('a throttled trigger is retried no sooner than its Retry-After', async () => {
  const tenant = newTenant();
  fault({ errorRate: 1, errorStatus: 429 });
  await checkCycle(tenant, true);
  const { deliveries } = await checkCycle(tenant, true, { random: () => 0 });
  // Backoff with the least jitter would be 24 s; the trigger's 30 s wins.
  expect(deliveries).toEqual([
    expect.objectContaining({
      outcome: 'retry',
      status: 429,
      reason: expect.stringMatching(/WorkflowRequestsThrottled/),
    }),
  ]);
  expect(Date.parse(deliveries[0]!.nextAttemptAt!) - (now - CYCLE)).toBe(30_000);
});

test('notices of one alert keep their order: a resolve waits behind an open that is still being retried', async () => {
  const tenant = newTenant();
  fault({ errorRate: 1, errorStatus: 502 });
  await pattern(tenant, 'FF..');
  expect((await store.pending(tenant)).map((e) => e.kind)).toEqual(['open', 'resolve']);
  sim.world.faults = [];
  now += 2 * 60 * 60_000;
  const sent = await deliverDue(deps(), { tenantId: tenant });
  expect(sent.map((s) => `${s.kind}:${s.outcome}`)).toEqual(['open:delivered', 'resolve:delivered']);
  expect(received(tenant).map((r) => r.body.kind)).toEqual(['open', 'resolve']);
});

test('a notice is given up on after the last attempt, or at once when the trigger refuses it, with the reason kept and no key shown', async () => {
  const tenant = newTenant();
  fault({ errorRate: 1, errorStatus: 503 });
  await checkCycle(tenant, true, { maxAttempts: 2 });
  await checkCycle(tenant, true, { maxAttempts: 2 });
  now += 2 * 60 * 60_000;
  const [last] = await deliverDue(deps({ maxAttempts: 2 }), { tenantId: tenant });
  expect(last).toEqual(
    expect.objectContaining({
      outcome: 'dead',
      attempts: 2,
      reason: expect.stringMatching(/^gave up after 2 attempts; the last: .*answered 503/),
    }),
  );

  sim.world.faults = [];
  const refused = newTenant();
  const wrongKey = sim.logicAppPublicUrl.replace(/sig=[^&]+/, 'sig=rotated-away');
  await checkCycle(refused, true, { triggerUrl: () => Promise.resolve(wrongKey) });
  const [dead] = (await checkCycle(refused, true, { triggerUrl: () => Promise.resolve(wrongKey) })).deliveries;
  expect(dead).toEqual(
    expect.objectContaining({
      outcome: 'dead',
      attempts: 1,
      status: 401,
      reason: expect.stringMatching(/DirectApiInvalidAuthorizationSignature.*regenerated/),
    }),
  );
  expect(await store.outbox('dead', refused)).toEqual([
    expect.objectContaining({ deadReason: dead!.reason, payload: expect.objectContaining({ kind: 'open' }) }),
  ]);

  const sig = new URL(sim.logicAppPublicUrl).searchParams.get('sig')!;
  const rows: unknown[] = [];
  for await (const row of storageAccount(azurite.connectionString)
    .table(ALERT_TABLES.alerts)
    .listEntities({
      queryOptions: { filter: odata`PartitionKey ne ''` },
    }))
    rows.push(row);
  expect(rows.length).toBeGreaterThan(0);
  expect(JSON.stringify(rows)).not.toContain(sig);
  expect(JSON.stringify(rows)).not.toContain('rotated-away');
});

test('a cycle decided once is not decided again when the queue redelivers it, nor twice by racing workers', async () => {
  const tenant = newTenant();
  const d = deps();
  await raiseAlerts(result(tenant, true), { id: 'race-1', at: new Date(now).toISOString() }, d);
  now += CYCLE;
  const cycle = { id: 'race-2', at: new Date(now).toISOString() };
  const [first, second] = await Promise.all([
    raiseAlerts(result(tenant, true), cycle, d),
    raiseAlerts(result(tenant, true), cycle, d),
  ]);
  expect([...first, ...second].map((n) => n.kind)).toEqual(['open']);
  expect(await raiseAlerts(result(tenant, true), cycle, d)).toEqual([]);
  expect(await store.pending(tenant)).toHaveLength(1);
});

test('a trigger URL that cannot be read or used names the setting, keeps its key out, and leaves the notices waiting', async () => {
  const tenant = newTenant();
  const secrets = {
    description: 'Key Vault https://tenant-health-kv.vault.azure.net',
    get: () => Promise.resolve(null),
  };
  const missing = triggerUrlSource({ keyVaultSecret: 'alerts-trigger-url' }, secrets);
  await checkCycle(tenant, true);
  await raiseAlerts(result(tenant, true), { id: `cycle-${++cycles}`, at: new Date(now).toISOString() }, deps());
  await expect(deliverDue(deps({ triggerUrl: missing }), { tenantId: tenant })).rejects.toThrow(
    'ALERT_LOGIC_APP_URL_SECRET (alerts-trigger-url): no such secret in Key Vault https://tenant-health-kv.vault.azure.net',
  );
  const plain = triggerUrlSource(
    { url: 'http://prod-27.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=s3cr3t' },
    undefined,
  );
  await expect(plain()).rejects.toThrow(/^ALERT_LOGIC_APP_URL must be an https URL, got http:\/\/prod-27/);
  await expect(plain()).rejects.not.toThrow(/s3cr3t/);
  expect(await store.pending(tenant)).toHaveLength(1);
});

test('every payload the trigger received is valid by schemas/alert-payload.v1.json', () => {
  const bodies = received().map((r) => r.body);
  expect(bodies.length).toBeGreaterThan(5);
  for (const body of bodies) expect(invalidAlertPayload(body)).toEqual([]);
});

test('an alert opened before a tenant could have several apps is taken over by its app and still resolves', async () => {
  const tenant = newTenant();
  await pattern(tenant, 'FF');
  // Rewrite the tenant's rows as the previous version kept them: keyed by the tenant alone, without "~{app}".
  const table = storageAccount(azurite.connectionString).table(ALERT_TABLES.alerts);
  for await (const row of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`PartitionKey eq ${tenant} and RowKey lt 'outbox.'` },
  })) {
    const { etag, timestamp, ...entity } = row;
    void etag;
    void timestamp;
    await table.deleteEntity(tenant, row.rowKey!);
    await table.createEntity({ ...entity, partitionKey: tenant, rowKey: row.rowKey!.replace(/~.*$/, '') });
  }
  await pattern(tenant, '..');
  expect(received(tenant).map((r) => r.body.kind)).toEqual(['open', 'resolve']);
  const keys: string[] = [];
  for await (const row of table.listEntities({
    queryOptions: { filter: odata`PartitionKey eq ${tenant} and RowKey lt 'outbox.'` },
  }))
    keys.push(row.rowKey!);
  expect(keys).toEqual(['cycle~4c57dc1b-fff4-4ee3-8104-08c997f1289b']);
});
