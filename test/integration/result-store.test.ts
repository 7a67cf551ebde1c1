// Results reach Azure Table storage (in-memory Azurite): the latest status per tenant and newest-first history.
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import type { RunResult, TenantResult } from '../../shared/pipeline';
import { boundedJson, MAX_PROPERTY_CHARS, TableResultStore } from '../../shared/result-store';

let azurite: RunningAzurite;
let store: TableResultStore;
beforeAll(async () => {
  azurite = await startAzurite();
  store = TableResultStore.fromConnectionString(azurite.connectionString);
  await store.ensureTables();
  await store.ensureTables(); // creating existing tables is harmless
}, 30_000);
afterAll(() => azurite?.close());

const tenantResult = (tenantId: string, verdict: TenantResult['verdict'], checkedAt: string, evidenceBody = ''): TenantResult => ({
  tenantId, name: `Tenant ${tenantId.slice(0, 4)}`, cloud: 'worldwide', verdict, checkedAt,
  findings: verdict === 'healthy' ? [] : [{ cause: 'ews_disabled', confidence: 'high', summary: 'EWS is blocked by policy' }],
  probes: [{ name: 'ews.getFolder', mailbox: 'a@b.cd', ok: verdict === 'healthy', status: verdict === 'healthy' ? 200 : 403, ms: 12 }],
  readiness: { score: null, band: 'unknown', confidence: 'low', daysToShutdown: 131 },
  permissions: [],
  evidence: [{ endpoint: 'ews', response: { status: 403, headers: {}, body: evidenceBody } }],
});
const runOf = (runId: string, tenants: TenantResult[]): RunResult => ({
  runId, startedAt: tenants[0]!.checkedAt, finishedAt: tenants[0]!.checkedAt, tenants, alerts: [],
  summary: { tenants: tenants.length, healthy: 0, degraded: 0, failing: 0, unknown: 0 },
});

test('the latest status is replaced by the newer run; history keeps both, newest first', async () => {
  const id = '11111111-2222-4333-8444-555555555555';
  await store.saveRun(runOf('run-1', [tenantResult(id, 'failing', '2026-11-21T09:00:00Z')]));
  await store.saveRun(runOf('run-2', [tenantResult(id, 'healthy', '2026-11-21T09:15:00Z')]));
  expect(await store.latest(id)).toMatchObject({ verdict: 'healthy', runId: 'run-2', topCause: '' });
  expect((await store.historyOf(id)).map((r) => [r.runId, r.verdict])).toEqual([['run-2', 'healthy'], ['run-1', 'failing']]);
  await store.saveRun(runOf('run-2', [tenantResult(id, 'healthy', '2026-11-21T09:15:00Z')]));
  expect(await store.historyOf(id)).toHaveLength(2);
  expect(await store.latest('99999999-2222-4333-8444-555555555555')).toBeNull();
}, 30_000);

test('more than 100 tenants are written in transactions of at most 100, and huge evidence is bounded, not refused', async () => {
  const tenants = Array.from({ length: 130 }, (_, i) => tenantResult(`${String(i).padStart(8, '0')}-2222-4333-8444-555555555555`, 'failing', '2026-11-21T10:00:00Z', i === 0 ? 'x'.repeat(200_000) : ''));
  await store.saveRun(runOf('run-big', tenants));
  const first = await store.latest(tenants[0]!.tenantId);
  expect(String(first?.evidence).length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
  expect(JSON.parse(String(first?.evidence))).toMatchObject({ truncated: true });
  expect(await store.latest(tenants[129]!.tenantId)).toMatchObject({ runId: 'run-big' });
  expect(boundedJson({ a: 1 })).toBe('{"a":1}');
}, 30_000);
