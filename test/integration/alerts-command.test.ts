// `npx tenant-health alerts` against Azurite: open alerts, snoozes with a reason and an end, the outbox, dead letters
// put back in line with their idempotency keys.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startAzurite, type RunningAzurite } from '../../cli/azurite';
import { deliverDue, raiseAlerts, type AlertingDeps } from '../../shared/service/alert-service';
import { AlertStore } from '../../shared/storage/alert-store';
import { DEFAULT_ALERT_POLICY } from '../../shared/alerts/decisions';
import { createAgent } from '../../shared/clients/http';
import type { TenantResult } from '../../shared/service/pipeline';
import { assessReadiness } from '../../shared/core/readiness';
import { BIN } from '../helpers/serving-command';
import { TableResultStore } from '../../shared/storage/result-store';

const TENANT = '0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c';
const APP = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
let azurite: RunningAzurite;
let agent: ReturnType<typeof createAgent>;
beforeAll(async () => {
  azurite = await startAzurite();
  agent = createAgent();
  const results = TableResultStore.in(azurite.connectionString);
  await results.ensureTables();
  await results.watch([
    {
      tenantId: TENANT,
      name: 'Watched',
      cloud: 'worldwide',
      clientId: APP,
      credential: { type: 'secret', keyVaultSecretName: 'watched-app' },
      canaries: ['canary@watched.example'],
      checks: {
        ews: { enabled: true, impersonation: true, auth: 'oauth' },
        graph: { enabled: true },
        controlPlane: 'auto',
      },
    },
  ]);
}, 60_000);
afterAll(async () => {
  await agent?.close();
  await azurite?.close();
});

async function alerts(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'alerts', ...args], {
      env: { PATH: process.env.PATH ?? '', TENANT_HEALTH_STORAGE: azurite.connectionString },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('an open alert whose notice could not be sent is listed, its dead letter shown, and put back in line by hand', async () => {
  const store = AlertStore.in(azurite.connectionString);
  await store.ensureTables();
  // Nothing listens on port 9: the notice fails once and, with one attempt allowed, becomes a dead letter.
  const deps: AlertingDeps = {
    store,
    dispatcher: agent,
    triggerUrl: () =>
      Promise.resolve('http://127.0.0.1:9/workflows/0f/triggers/manual/paths/invoke?sig=NOT-TO-BE-SHOWN'),
    policy: { ...DEFAULT_ALERT_POLICY, failureThreshold: 1 },
    maxAttempts: 1,
  };
  const base = {
    tenantId: TENANT,
    name: 'Contoso',
    cloud: 'worldwide' as const,
    app: { clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b', ews: 'oauth' as const, graph: true },
    verdict: 'failing' as const,
    findings: [
      {
        cause: 'ews_disabled' as const,
        confidence: 'high' as const,
        summary: 'EWS is blocked.',
        endpoints: ['ews' as const],
      },
    ],
    probes: [],
    permissions: [],
    evidence: [],
    checkedAt: new Date().toISOString(),
  };
  const result: TenantResult = { ...base, readiness: assessReadiness(base, Date.now()) };
  await raiseAlerts(result, { id: 'cycle-1', at: result.checkedAt }, deps);
  expect(await deliverDue(deps)).toEqual([expect.objectContaining({ outcome: 'dead' })]);

  const listed = await alerts(['list', '--json']);
  expect(listed.code).toBe(0);
  const body = JSON.parse(listed.stdout) as {
    open: { tenantId: string; check: string; cause: string }[];
    outbox: { pending: number; dead: number };
  };
  expect(body.open).toEqual([expect.objectContaining({ tenantId: TENANT, check: 'ews', cause: 'ews_disabled' })]);
  expect(body.outbox).toEqual({ pending: 0, dead: 1 });

  const dead = await alerts(['outbox', '--status', 'dead']);
  expect(dead.stdout).toMatch(
    /^1 dead notices\n {2}[0-9a-f]{20}-0 open error 0b7c3c1e-.* ews\.ews_disabled decided .*, 1 attempts; gave up after 1 attempts; the last: no answer from 127\.0\.0\.1:9 \(workflow 0f\)/,
  );
  expect(dead.stdout + dead.stderr).not.toContain('NOT-TO-BE-SHOWN');

  expect(await alerts(['redeliver', '--all-dead'])).toEqual(
    expect.objectContaining({ code: 0, stdout: expect.stringMatching(/^1 dead letters put back in the outbox/) }),
  );
  const pending = await store.pending(TENANT);
  expect(pending).toEqual([
    expect.objectContaining({
      status: 'pending',
      attempts: 0,
      idempotencyKey: expect.stringMatching(/-0$/),
      lastError: expect.stringMatching(/^sent again by hand after: gave up/),
    }),
  ]);
  expect(await alerts(['redeliver', pending[0]!.idempotencyKey])).toEqual(
    expect.objectContaining({ code: 2, stderr: expect.stringMatching(/is pending, not a dead letter/) }),
  );
}, 60_000);

test('a snooze needs a tenant, an end within 30 days and a reason; it is listed until removed', async () => {
  const until = new Date(Date.now() + 2 * 86_400_000).toISOString();
  const snoozed = await alerts([
    'snooze',
    '--tenant',
    TENANT,
    '--until',
    until,
    '--reason',
    'vendor re-registering the app',
    '--cause',
    'ews_disabled',
    '--json',
  ]);
  expect(snoozed.code).toBe(0);
  const suppression = JSON.parse(snoozed.stdout) as { id: string; kind: string };
  expect(suppression).toEqual(
    expect.objectContaining({
      kind: 'snooze',
      tenantId: TENANT,
      cause: 'ews_disabled',
      until,
      reason: 'vendor re-registering the app',
    }),
  );
  const window = await alerts([
    'snooze',
    '--all-tenants',
    '--from',
    until,
    '--until',
    new Date(Date.parse(until) + 3_600_000).toISOString(),
    '--reason',
    'Exchange Online maintenance',
  ]);
  expect(window.stdout).toMatch(/^maintenance [0-9a-f-]{36}: every tenant from /);

  const listed = await alerts(['list']);
  expect(listed.stdout).toMatch(
    /2 snoozes and maintenance windows\n {2}[0-9a-f-]{36} snooze tenant 0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c, cause ews_disabled .*: vendor re-registering the app\n {2}[0-9a-f-]{36} maintenance every tenant/,
  );
  expect(await alerts(['unsnooze', suppression.id])).toEqual(expect.objectContaining({ code: 0 }));
  expect((await alerts(['list'])).stdout).toMatch(/1 snoozes and maintenance windows/);
  expect(await alerts(['unsnooze', suppression.id])).toEqual(
    expect.objectContaining({ code: 2, stderr: expect.stringMatching(/no snooze or maintenance window/) }),
  );
}, 60_000);

test.each<[string, string[], RegExp]>([
  [
    'a tenant nobody watches (it would silence nothing)',
    [
      'snooze',
      '--tenant',
      'fabrikam.onmicrosoft.com',
      '--until',
      new Date(Date.now() + 86_400_000).toISOString(),
      '--reason',
      'x',
    ],
    /--tenant: fabrikam\.onmicrosoft\.com is not watched/,
  ],
  [
    'an app the tenant is not watched with',
    [
      'snooze',
      '--tenant',
      TENANT,
      '--app',
      '9d1f7c2a-5b3e-4c6d-8e7f-0a1b2c3d4e5f',
      '--until',
      new Date(Date.now() + 86_400_000).toISOString(),
      '--reason',
      'x',
    ],
    /--app: 9d1f7c2a-5b3e-4c6d-8e7f-0a1b2c3d4e5f is not watched in 0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c; its apps are 4c57dc1b/,
  ],
  [
    'an app without its tenant',
    ['snooze', '--all-tenants', '--app', APP, '--until', '2099-01-01', '--reason', 'x'],
    /--app goes with --tenant/,
  ],
  [
    'no tenant',
    ['snooze', '--until', '2099-01-01', '--reason', 'x'],
    /exactly one of --tenant TENANT \(a snooze\) or --all-tenants/,
  ],
  ['no end', ['snooze', '--tenant', TENANT, '--reason', 'x'], /needs --until DATE: every snooze ends/],
  [
    'no reason',
    ['snooze', '--tenant', TENANT, '--until', new Date(Date.now() + 86_400_000).toISOString()],
    /needs --reason TEXT/,
  ],
  [
    'an end 60 days away',
    [
      'snooze',
      '--tenant',
      TENANT,
      '--until',
      new Date(Date.now() + 60 * 86_400_000).toISOString(),
      '--reason',
      'for ever',
    ],
    /lasts at most 30 days/,
  ],
  [
    'an end that is not a date',
    ['snooze', '--tenant', TENANT, '--until', 'next week', '--reason', 'x'],
    /--until must be a date/,
  ],
  [
    'an end in the past',
    ['snooze', '--tenant', TENANT, '--until', '2020-01-01', '--reason', 'x'],
    /--until must be later than --from and than now/,
  ],
  [
    'an unknown cause',
    [
      'snooze',
      '--tenant',
      TENANT,
      '--until',
      new Date(Date.now() + 86_400_000).toISOString(),
      '--reason',
      'x',
      '--cause',
      'gremlins',
    ],
    /--cause must be one of delegated_permission_only, /,
  ],
  [
    'a tenant id written as OData',
    ['snooze', '--tenant', "x' or 1 eq 1", '--until', new Date(Date.now() + 86_400_000).toISOString(), '--reason', 'x'],
    /--tenant: .* is not a tenant id/,
  ],
  ['an unknown outbox status', ['outbox', '--status', 'lost'], /--status must be pending, dead or delivered/],
  ['redeliver without keys', ['redeliver'], /redeliver needs idempotency keys/],
  ['an unknown action', ['silence'], /unknown action "silence"/],
])(
  '%s exits 2 naming the problem',
  async (_label, args, message) => {
    const result = await alerts(args);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toMatch(message);
  },
  30_000,
);

test('a snooze given by a verified domain of a tenant watched by its GUID is kept under the GUID its alerts carry', async () => {
  const results = TableResultStore.in(azurite.connectionString);
  const checkedAt = new Date().toISOString();
  const base: Omit<TenantResult, 'readiness'> = {
    tenantId: TENANT,
    name: 'Watched',
    cloud: 'worldwide',
    app: { clientId: APP, ews: 'oauth', graph: true },
    verdict: 'healthy',
    findings: [],
    probes: [],
    permissions: [],
    evidence: [],
    checkedAt,
    directory: { id: TENANT, displayName: 'Watched Ltd', domains: ['watched.example', 'watchedltd.onmicrosoft.com'] },
  };
  await results.saveTenant(
    { ...base, readiness: assessReadiness(base, Date.parse(checkedAt)) },
    { id: 'c', at: checkedAt },
  );
  const snoozed = await alerts([
    'snooze',
    '--tenant',
    'Watched.Example',
    '--until',
    new Date(Date.now() + 86_400_000).toISOString(),
    '--reason',
    'migration weekend',
    '--json',
  ]);
  expect(snoozed.code).toBe(0);
  const suppression = JSON.parse(snoozed.stdout) as { id: string; tenantId: string };
  expect(suppression.tenantId).toBe(TENANT);
  expect((await alerts(['unsnooze', suppression.id])).code).toBe(0);
  // The alert opened in the first test is listed by the tenant's name now that a status names it.
  expect((await alerts(['list'])).stdout).toMatch(
    /^ {2}\S+ Watched \(0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c\) app 4c57dc1b-fff4-4ee3-8104-08c997f1289b ews\.ews_disabled since /m,
  );
}, 60_000);
