// Table storage on in-memory Azurite: watched tenants, the latest status per tenant (newest wins, by ETag), history per
// cycle that a retry rewrites instead of duplicating, retention, and entity limits met by bounding, never by failing.
import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { assessReadiness } from '../../shared/core/readiness';
import type { TenantResult } from '../../shared/service/pipeline';
import {
  boundedJson,
  FutureResultError,
  MAX_PROPERTY_CHARS,
  TableResultStore,
} from '../../shared/storage/result-store';
import type { TenantDefinition } from '../../shared/core/tenants';

let azurite: RunningAzurite;
let store: TableResultStore;
beforeAll(async () => {
  azurite = await startAzurite();
  store = TableResultStore.in(azurite.connectionString, { retentionDays: 30 });
  await store.ensureTables();
  await store.ensureTables(); // creating existing tables is harmless
}, 30_000);
afterAll(() => azurite?.close());

let ids = 0;
const newId = () => `${String(++ids).padStart(8, '0')}-2222-4333-8444-555555555555`;
const APP = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
const OTHER_APP = '9d1f7c2a-5b3e-4c6d-8e7f-0a1b2c3d4e5f';
const entry = (tenantId: string, clientId = APP) => ({ tenantId, clientId });
const tenantResult = (
  tenantId: string,
  verdict: TenantResult['verdict'],
  checkedAt: string,
  evidenceBody = '',
): TenantResult =>
  withReadiness({
    tenantId,
    name: `Tenant ${tenantId.slice(0, 8)}`,
    cloud: 'worldwide',
    verdict,
    checkedAt,
    app: { clientId: APP, ews: 'oauth', graph: true },
    findings:
      verdict === 'healthy'
        ? []
        : [
            {
              cause: 'ews_disabled',
              confidence: 'high',
              summary: 'EWS is blocked by policy',
              fix: ['Set-OrganizationConfig …'],
            },
          ],
    probes: [
      {
        name: 'ews.getFolder',
        mailbox: 'a@b.cd',
        ok: verdict === 'healthy',
        status: verdict === 'healthy' ? 200 : 403,
        ms: 12,
      },
    ],
    permissions: [],
    evidence: [
      {
        endpoint: 'ews',
        response: {
          status: 403,
          headers: { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' },
          body: evidenceBody,
        },
      },
    ],
  });
const withReadiness = (result: Omit<TenantResult, 'readiness'>): TenantResult => ({
  ...result,
  readiness: assessReadiness(result, Date.parse(result.checkedAt)),
});

test('a newer cycle replaces the latest status and adds a history row; a retried cycle rewrites its own row', async () => {
  const id = newId();
  await store.saveTenant(tenantResult(id, 'failing', '2026-11-21T09:00:05Z'), {
    id: 'cycle-1',
    at: '2026-11-21T09:00:00Z',
  });
  await store.saveTenant(tenantResult(id, 'healthy', '2026-11-21T09:15:05Z'), {
    id: 'cycle-2',
    at: '2026-11-21T09:15:00Z',
  });
  expect(await store.latest(entry(id))).toMatchObject({ verdict: 'healthy', cycleId: 'cycle-2', topCause: '' });
  expect((await store.historyOf(entry(id))).map((r) => [r.cycleId, r.verdict])).toEqual([
    ['cycle-2', 'healthy'],
    ['cycle-1', 'failing'],
  ]);
  // The queue delivers cycle-2's message again: the check runs again, later, and rewrites the same history row.
  await store.saveTenant(tenantResult(id, 'degraded', '2026-11-21T09:16:30Z'), {
    id: 'cycle-2',
    at: '2026-11-21T09:15:00Z',
  });
  expect((await store.historyOf(entry(id))).map((r) => [r.cycleId, r.verdict])).toEqual([
    ['cycle-2', 'degraded'],
    ['cycle-1', 'failing'],
  ]);
  expect(await store.latest(entry(newId()))).toBeNull();
}, 30_000);

test('an older result never overwrites a newer one, even when two writers race', async () => {
  const id = newId();
  await store.saveTenant(tenantResult(id, 'healthy', '2026-11-21T10:00:10Z'), {
    id: 'on-demand',
    at: '2026-11-21T10:00:00Z',
  });
  await store.saveTenant(tenantResult(id, 'failing', '2026-11-21T09:59:00Z'), {
    id: 'slow-worker',
    at: '2026-11-21T09:45:00Z',
  });
  expect(await store.latest(entry(id))).toMatchObject({ verdict: 'healthy', cycleId: 'on-demand' });

  const racer = newId();
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      store.saveTenant(tenantResult(racer, i === 3 ? 'healthy' : 'failing', `2026-11-21T11:00:0${i}Z`), {
        id: `c${i}`,
        at: '2026-11-21T11:00:00Z',
      }),
    ),
  );
  expect(await store.latest(entry(racer))).toMatchObject({ checkedAt: '2026-11-21T11:00:05Z', cycleId: 'c5' });
}, 30_000);

test('huge evidence is bounded, not refused', async () => {
  const result = tenantResult(newId(), 'failing', '2026-11-21T12:00:00Z', 'x'.repeat(200_000));
  await store.saveTenant(result, { id: 'cycle-big', at: '2026-11-21T12:00:00Z' });
  const stored = await store.latest({ tenantId: result.tenantId, clientId: result.app.clientId });
  const evidence = JSON.parse(String(stored?.evidence)) as {
    response: { body: string; headers: Record<string, string> };
  }[];
  expect(String(stored?.evidence).length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
  expect(evidence[0]!.response.headers['x-ews-policy-reason']).toBe('EWS is blocked by policy for this user or tenant');
  expect(evidence[0]!.response.body).toMatch(/cut to fit storage/);
}, 60_000);

test('long lists keep valid JSON and say how many items were left out', () => {
  const list = Array.from({ length: 2_000 }, (_, i) => ({ i, text: 'y'.repeat(40) }));
  const json = boundedJson(list);
  expect(json.length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
  const parsed = JSON.parse(json) as { omitted?: number }[];
  expect(parsed.at(-1)!.omitted! + parsed.length - 1).toBe(2_000);
  expect(boundedJson({ a: 1 })).toBe('{"a":1}');
});

test('history older than the retention window is deleted as new rows arrive', async () => {
  const id = newId();
  // Day 35 is now (within the tolerated skew); retention counts back from the storage service's clock, not from the rows.
  const base = Date.now() - 35 * 86_400_000 + 120_000;
  for (let day = 0; day < 40; day += 5) {
    const at = new Date(base + day * 86_400_000).toISOString();
    await store.saveTenant(tenantResult(id, 'failing', at), { id: `day-${day}`, at });
  }
  // 30 days back from now is just before day 5: day 0 is gone, days 5..35 remain.
  expect((await store.historyOf(entry(id))).map((r) => r.cycleId)).toEqual([
    'day-35',
    'day-30',
    'day-25',
    'day-20',
    'day-15',
    'day-10',
    'day-5',
  ]);
}, 30_000);

test('a worker applies retention to a tenant at most hourly; the next worker (or hour) catches up', async () => {
  const id = newId();
  const now = new Date().toISOString();
  await store.saveTenant(tenantResult(id, 'healthy', now), { id: 'now', at: now });
  const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
  await store.saveTenant(tenantResult(id, 'healthy', old), { id: 'old', at: old });
  expect((await store.historyOf(entry(id))).map((r) => r.cycleId)).toEqual(['now', 'old']);
  const anotherWorker = TableResultStore.in(azurite.connectionString, { retentionDays: 30 });
  const later = new Date(Date.now() + 1000).toISOString();
  await anotherWorker.saveTenant(tenantResult(id, 'healthy', later), { id: 'later', at: later });
  expect((await store.historyOf(entry(id))).map((r) => r.cycleId)).toEqual(['later', 'now']);
}, 30_000);

test('a cycle claiming a far-future time neither wipes the history nor sorts above later cycles', async () => {
  const id = newId();
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await store.saveTenant(tenantResult(id, 'healthy', hourAgo), { id: 'honest', at: hourAgo });
  const now = new Date().toISOString();
  await store.saveTenant(tenantResult(id, 'failing', now), { id: 'far-future', at: '2030-01-01T00:00:00.000Z' });
  const later = new Date(Date.now() + 1000).toISOString();
  await store.saveTenant(tenantResult(id, 'healthy', later), { id: 'later', at: later });
  expect((await store.historyOf(entry(id))).map((r) => r.cycleId)).toEqual(['later', 'far-future', 'honest']);
}, 30_000);

test('a result dated hours ahead of the storage service (a worker with a fast clock) is refused, and later results still land', async () => {
  const id = newId();
  const fast = new Date(Date.now() + 2 * 3_600_000).toISOString();
  await expect(store.saveTenant(tenantResult(id, 'healthy', fast), { id: 'fast-clock', at: fast })).rejects.toThrow(
    FutureResultError,
  );
  expect(await store.latest(entry(id))).toBeNull();
  const now = new Date().toISOString();
  await store.saveTenant(tenantResult(id, 'failing', now), { id: 'right-clock', at: now });
  expect(await store.latest(entry(id))).toMatchObject({ verdict: 'failing', cycleId: 'right-clock' });
}, 30_000);

test('watched tenants round-trip their definitions; a row that no longer parses is reported, not fatal', async () => {
  const definition = {
    tenantId: 'contoso.onmicrosoft.com',
    name: 'Contoso',
    cloud: 'worldwide',
    clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b',
    credential: { type: 'secret', keyVaultSecretName: 'contoso-app' },
    canaries: ['ews-canary@contoso.onmicrosoft.com'],
    checks: {
      ews: { enabled: true, impersonation: true, auth: 'oauth' },
      graph: { enabled: true },
      controlPlane: 'auto',
    },
  } as TenantDefinition;
  await store.watch([definition]);
  expect(await store.watchedEntry(entry('CONTOSO.onmicrosoft.com'))).toEqual(definition);
  expect(await store.watchedEntry(entry('fabrikam.onmicrosoft.com'))).toBeNull();
  expect(await store.watchedEntry(entry('contoso.onmicrosoft.com', OTHER_APP))).toBeNull();
  await store.watch([{ ...definition, tenantId: 'broken.example', clientId: 'not-a-guid' }]);
  const { tenants, invalid } = await store.watched();
  expect(tenants.map((t) => t.tenantId)).toContain('contoso.onmicrosoft.com');
  expect(invalid).toEqual([{ tenantId: 'broken.example', problem: expect.stringMatching(/clientId/) }]);
}, 30_000);

test('a worker rewrites the latest status it wrote itself without reading it first; a write by another in between still wins when newer', async () => {
  const id = newId();
  const reads = jest.spyOn(TableClient.prototype, 'getEntity');
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  await store.saveTenant(tenantResult(id, 'healthy', at(0)), { id: 'one', at: at(0) });
  reads.mockClear();
  await store.saveTenant(tenantResult(id, 'failing', at(1)), { id: 'two', at: at(1) });
  expect(reads).not.toHaveBeenCalled();
  expect((await store.latest(entry(id)))?.cycleId).toBe('two');

  // Another worker writes a newer result; this one's next (older) write must not replace it.
  const other = TableResultStore.in(azurite.connectionString, { retentionDays: 30 });
  await other.saveTenant(tenantResult(id, 'healthy', at(3)), { id: 'other', at: at(3) });
  await store.saveTenant(tenantResult(id, 'failing', at(2)), { id: 'late', at: at(2) });
  expect((await store.latest(entry(id)))?.cycleId).toBe('other');
  reads.mockRestore();
}, 30_000);

test('two apps watched in one tenant keep separate latest statuses and histories, and roll up together', async () => {
  const id = newId();
  const at = new Date().toISOString();
  const backup = tenantResult(id, 'healthy', at);
  const crm = { ...tenantResult(id, 'failing', at), app: { clientId: OTHER_APP, ews: 'oauth' as const, graph: true } };
  await store.saveTenant(backup, { id: 'cycle-a', at });
  await store.saveTenant(crm, { id: 'cycle-a', at });
  expect(await store.latest(entry(id))).toMatchObject({ verdict: 'healthy', clientId: APP });
  expect(await store.latest(entry(id, OTHER_APP))).toMatchObject({ verdict: 'failing', clientId: OTHER_APP });
  expect((await store.latestOfTenant(id)).map((r) => r.verdict).sort()).toEqual(['failing', 'healthy']);
  expect((await store.historyOf(entry(id))).map((r) => r.verdict)).toEqual(['healthy']);
  expect((await store.historyOf(entry(id, OTHER_APP))).map((r) => r.verdict)).toEqual(['failing']);
}, 30_000);

test('rows stored before a tenant could have several apps are read as its one app, then replaced by the entry', async () => {
  const id = newId();
  const definition = {
    tenantId: id,
    name: 'Legacy',
    cloud: 'worldwide',
    clientId: APP,
    credential: { type: 'secret', keyVaultSecretName: 'legacy-app' },
    canaries: ['canary@legacy.example'],
    checks: {
      ews: { enabled: true, impersonation: true, auth: 'oauth' },
      graph: { enabled: true },
      controlPlane: 'auto',
    },
  } as TenantDefinition;
  // What the previous version wrote: rows keyed by the tenant alone, history rows without an app.
  const table = (name: string) =>
    TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await table('WatchedTenants').createEntity({
    partitionKey: 'tenant',
    rowKey: id,
    name: 'Legacy',
    definition: JSON.stringify(definition),
  });
  await table('TenantStatus').createEntity({
    partitionKey: 'tenant',
    rowKey: id,
    tenantId: id,
    name: 'Legacy',
    verdict: 'failing',
    checkedAt: hourAgo,
    cycleId: 'old-cycle',
  });
  await table('TenantHistory').createEntity({
    partitionKey: id,
    rowKey: `${String(9_999_999_999_999 - Date.parse(hourAgo)).padStart(13, '0')}-old-cycle`,
    verdict: 'failing',
    checkedAt: hourAgo,
    cycleId: 'old-cycle',
  });

  expect(await store.watchedEntry(entry(id))).toEqual(definition);
  expect(await store.watchedEntry(entry(id, OTHER_APP))).toBeNull();
  expect(await store.watchedEntries(id)).toEqual([definition]);
  expect(await store.latest(entry(id))).toMatchObject({ verdict: 'failing', cycleId: 'old-cycle' });

  const now = new Date().toISOString();
  await store.saveTenant(tenantResult(id, 'healthy', now), { id: 'new-cycle', at: now });
  expect(await store.latest(entry(id))).toMatchObject({ verdict: 'healthy', clientId: APP });
  // The tenant's old row is gone, so the summary counts the app once; its history carries on.
  expect((await store.allLatest(['tenantId'])).filter((r) => r.tenantId === id)).toHaveLength(1);
  expect((await store.historyOf(entry(id))).map((r) => r.cycleId)).toEqual(['new-cycle', 'old-cycle']);

  // A second app watched beside the old row: removing it leaves the old row's app watched.
  const crm = { ...definition, clientId: OTHER_APP, name: 'Legacy CRM' };
  await table('WatchedTenants').upsertEntity({
    partitionKey: 'tenant',
    rowKey: id,
    name: 'Legacy',
    definition: JSON.stringify(definition),
  });
  await store.watch([crm]);
  expect(await store.unwatch(id, OTHER_APP)).toEqual([OTHER_APP]);
  expect(await store.watchedEntries(id)).toEqual([definition]);
  await store.watch([definition]);
  expect((await store.watched()).tenants.filter((t) => t.tenantId === id)).toEqual([definition]);
  expect(await store.unwatch(id)).toEqual([APP]);
  expect(await store.watchedEntries(id)).toEqual([]);
}, 30_000);

test('a status row carries the trend of its last checks and one burn-down point a week; a tenant is found by any of its names', async () => {
  const id = newId();
  const [x, y] = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];
  const checked = (checkedAt: string, callers: string[]): TenantResult =>
    withReadiness({
      ...tenantResult(id, 'failing', checkedAt),
      ewsInventory: {
        usage: {
          apps: callers.map((appId) => ({ appId, calls: 100, lastActivity: checkedAt.slice(0, 10) })),
          posts: [],
        },
        grants: { holders: [] },
      },
      directory: { id, displayName: 'Legacy Ltd', domains: ['legacy.example', 'legacyltd.onmicrosoft.com'] },
    });
  const checks = [
    checked('2026-11-02T10:00:00Z', [APP, x, y]),
    checked('2026-11-04T10:00:00Z', [APP, x, y]),
    checked('2026-11-18T10:00:00Z', [APP, x]),
    checked('2026-11-30T10:00:00Z', [APP]),
  ];
  for (const [i, result] of checks.entries()) await store.saveTenant(result, { id: `c${i}`, at: result.checkedAt });
  // A second worker (no memory of the first one's writes) carries the row on the same way.
  const other = TableResultStore.in(azurite.connectionString, { retentionDays: 30 });
  const last = checked('2026-12-01T10:00:00Z', [APP]);
  await other.saveTenant(last, { id: 'c4', at: last.checkedAt });

  const row = await store.latest(entry(id));
  expect(JSON.parse(String(row?.trend))).toEqual([...checks, last].map((c) => [c.checkedAt, 'failing']));
  expect(JSON.parse(String(row?.burnDown))).toEqual([
    { week: '2026-11-02', at: '2026-11-04T10:00:00Z', apps: 3, calls: 300 },
    { week: '2026-11-16', at: '2026-11-18T10:00:00Z', apps: 2, calls: 200 },
    { week: '2026-11-30', at: '2026-12-01T10:00:00Z', apps: 1, calls: 100 },
  ]);
  for (const name of [id, 'legacy.example', 'LegacyLtd.onmicrosoft.com'])
    expect(await store.resolveTenant(name)).toBe(id);
  expect(await store.resolveTenant('nobody.example')).toBeNull();
}, 30_000);
