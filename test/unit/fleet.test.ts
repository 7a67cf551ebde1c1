// The fleet EWS view over entries' results, and the allow-list merge script it prints, run against a recording fake.
import { fleetView, type FleetEntry } from '../../shared/core/fleet';
import { allowListMergeScript } from '../../shared/core/allow-list-script';
import { runMergeScript } from '../helpers/exchange-powershell-fake';

const AT = Date.parse('2026-12-02T12:00:00Z');
const BACKUP = 'aaaaaaaa-1111-4111-8111-111111111111';
const CRM = 'bbbbbbbb-2222-4222-8222-222222222222';
const OLD = 'cccccccc-3333-4333-8333-333333333333';
const HOLDER = 'dddddddd-4444-4444-8444-444444444444';
const OUTLOOK_MOBILE = '27922004-5251-4030-b22d-91ecd9a37ea4';
const TENANT_GUID = '11111111-2222-4333-8444-555555555555';

function entry(over: Partial<FleetEntry> = {}): FleetEntry {
  return {
    tenantId: 'contoso.onmicrosoft.com',
    name: 'Contoso',
    app: { clientId: BACKUP, name: 'Contoso Backup', ews: 'oauth' },
    checkedAt: '2026-12-02T11:00:00Z',
    readiness: { band: 'at risk', score: 55 },
    controlPlane: { organizationEwsEnabled: true, ewsAllowedAppIds: [BACKUP, OLD], mailboxEwsEnabled: {} },
    ewsInventory: {
      usage: {
        apps: [
          { appId: BACKUP, calls: 12000, lastActivity: '2026-11-30' },
          { appId: CRM, calls: 800, lastActivity: '2026-11-28' },
          { appId: OUTLOOK_MOBILE, calls: 5, lastActivity: '2026-08-01' },
        ],
        posts: ['MC1'],
      },
      grants: { holders: [{ appId: HOLDER, displayName: 'Old Archiver' }] },
    },
    directoryId: TENANT_GUID,
    ...over,
  };
}

const stateOf = (entries: FleetEntry[], appId: string, at = AT) =>
  fleetView(entries, at)
    .tenants.flatMap((t) => t.apps)
    .find((a) => a.appId === appId);

describe('fleet view: each app against its tenant EWS settings', () => {
  test.each([
    ['listed and calling', entry(), BACKUP, 'allowed', 'listed in EwsAllowedAppIDs'],
    ['calling but not listed: broken now', entry(), CRM, 'broken', 'not in EwsAllowedAppIDs'],
    ['listed, not calling: stale', entry(), OLD, 'stale', 'listed in EwsAllowedAppIDs but not seen calling'],
    ['holder, neither calling nor listed: dormant', entry(), HOLDER, 'dormant', 'holds full_access_as_app'],
    ['seen calling months ago and not listed: dormant', entry(), OUTLOOK_MOBILE, 'dormant', 'holds'],
    [
      'EwsEnabled False blocks a listed app',
      entry({ controlPlane: { organizationEwsEnabled: false, ewsAllowedAppIds: [BACKUP], mailboxEwsEnabled: {} } }),
      BACKUP,
      'broken',
      'EwsEnabled is False',
    ],
    [
      'True with an empty list blocks everything after 2026-10-01',
      entry({ controlPlane: { organizationEwsEnabled: true, ewsAllowedAppIds: null, mailboxEwsEnabled: {} } }),
      BACKUP,
      'broken',
      'empty EwsAllowedAppIDs',
    ],
    [
      'EwsEnabled not set ignores the list: allowed for now',
      entry({ controlPlane: { organizationEwsEnabled: null, ewsAllowedAppIds: null, mailboxEwsEnabled: {} } }),
      CRM,
      'allowed',
      'EwsEnabled is not set',
    ],
    ['no control plane: unknown, never allowed', entry({ controlPlane: undefined }), CRM, 'unknown', 'were not read'],
  ])('%s', (_, given, appId, state, because) => {
    expect(stateOf([given], appId)).toMatchObject({ state, because: expect.stringContaining(because) });
  });

  test('after the shutdown every calling app is broken, listed or not', () => {
    expect(stateOf([entry()], BACKUP, Date.parse('2027-04-02T00:00:00Z'))).toMatchObject({
      state: 'broken',
      daysLeft: 0,
    });
  });

  test('apps carry names from the token, the service principal and the well-known table, calls and days left', () => {
    const apps = fleetView([entry()], AT).tenants[0]!.apps;
    expect(apps.find((a) => a.appId === BACKUP)).toMatchObject({ name: 'Contoso Backup', calls: 12000, daysLeft: 120 });
    expect(apps.find((a) => a.appId === HOLDER)).toMatchObject({ name: 'Old Archiver', holdsFullAccess: true });
    expect(apps.find((a) => a.appId === OUTLOOK_MOBILE)?.name).toMatch(/Outlook/);
    expect(apps.find((a) => a.appId === CRM)).toMatchObject({ name: null, daysLeft: 0 });
  });

  test('apps sort by what breaks first, tenants by their worst app', () => {
    const healthy = entry({
      tenantId: 'fabrikam.onmicrosoft.com',
      name: 'Fabrikam',
      readiness: { band: 'critical', score: 20 },
      controlPlane: { organizationEwsEnabled: true, ewsAllowedAppIds: [BACKUP], mailboxEwsEnabled: {} },
      ewsInventory: { usage: { apps: [], posts: [] }, grants: { holders: [] } },
    });
    const view = fleetView([healthy, entry()], AT);
    expect(view.tenants.map((t) => t.name)).toEqual(['Contoso', 'Fabrikam']);
    expect(view.tenants[0]!.apps.map((a) => a.state)).toEqual(['broken', 'allowed', 'stale', 'dormant', 'dormant']);
    expect(view.counts).toMatchObject({ tenants: 2, broken: 1, allowed: 2, stale: 1, tenantsWithDrift: 1 });
  });

  test("a tenant's apps are read together: one app's control-plane read serves the other", () => {
    const crm = entry({ app: { clientId: CRM, ews: 'oauth' }, controlPlane: undefined, ewsInventory: undefined });
    const view = fleetView([entry(), crm], AT);
    expect(view.tenants).toHaveLength(1);
    expect(view.tenants[0]!.apps.find((a) => a.appId === CRM)).toMatchObject({ state: 'broken', watched: true });
    expect(view.tenants[0]!.drift).toEqual({ missing: [CRM], stale: [OLD] });
  });

  test('no drift is claimed when the allow list was not read', () => {
    expect(fleetView([entry({ controlPlane: undefined })], AT).tenants[0]!.drift).toEqual({ missing: [], stale: [] });
  });
});

describe('allow-list merge script, run against a fake Exchange that records the calls', () => {
  const tenant = () => fleetView([entry()], AT).tenants[0]!;

  test('keeps every existing id, whatever its case or order, and adds the missing one once', () => {
    const script = allowListMergeScript(tenant(), '2026-12-02T12:00:00Z')!;
    const existing = `${OLD.toUpperCase()}; ${BACKUP},${CRM.toUpperCase()}`;
    const exchange = { connectedTenantId: TENANT_GUID, ewsAllowedAppIds: existing };
    const run = runMergeScript(script, exchange);
    expect(run.threw).toBeUndefined();
    expect(run.calls.map((c) => c.cmdlet)).toEqual([
      'Get-ConnectionInformation',
      'Get-OrganizationConfig',
      'Set-OrganizationConfig',
      'Get-OrganizationConfig',
    ]);
    expect(run.calls[1]!.parameters).toEqual({ RetrieveEwsOperationAccessPolicy: true });
    const written = String(run.calls[2]!.parameters.EwsAllowedAppIDs).split(',');
    expect(written.sort()).toEqual([BACKUP, CRM, OLD].sort());
    expect(run.output[0]).toMatch(/lists 3 apps, 3 before/);
  });

  test('a list that was not set becomes the required ids', () => {
    const run = runMergeScript(allowListMergeScript(tenant(), 'now')!, {
      connectedTenantId: TENANT_GUID,
      ewsAllowedAppIds: null,
    });
    expect(run.calls[2]!.parameters.EwsAllowedAppIDs).toBe(CRM);
  });

  test('connected to another tenant, it stops before reading or writing anything', () => {
    const run = runMergeScript(allowListMergeScript(tenant(), 'now')!, {
      connectedTenantId: '99999999-9999-4999-8999-999999999999',
      ewsAllowedAppIds: BACKUP,
    });
    expect(run.threw).toMatch(/Connect-ExchangeOnline to Contoso/);
    expect(run.calls.map((c) => c.cmdlet)).toEqual(['Get-ConnectionInformation']);
  });

  test('a write that did not stick is reported, not announced as done', () => {
    const run = runMergeScript(allowListMergeScript(tenant(), 'now')!, {
      connectedTenantId: TENANT_GUID,
      ewsAllowedAppIds: BACKUP,
      ignoresWrites: true,
    });
    expect(run.threw).toMatch(new RegExp(`lacks ${CRM}`));
    expect(run.output).toEqual([]);
  });

  test('a name with quotes and line breaks cannot break out of its string or comment', () => {
    const evil = { ...tenant(), name: "Contoso' ; Remove-Mailbox x; '\nSet-Mailbox" };
    const script = allowListMergeScript(evil, 'now')!;
    expect(script).not.toMatch(/^Set-Mailbox/m);
    const run = runMergeScript(script, { connectedTenantId: TENANT_GUID, ewsAllowedAppIds: null });
    expect(run.threw).toBeUndefined();
    expect(run.calls.map((c) => c.cmdlet)).not.toContain('Remove-Mailbox');
  });

  test('no script for a tenant that lacks nothing; stale ids are named for a person to remove', () => {
    const lacksNothing = fleetView(
      [entry({ ewsInventory: { usage: { apps: [], posts: [] }, grants: { holders: [] } } })],
      AT,
    ).tenants[0]!;
    expect(lacksNothing.drift).toEqual({ missing: [], stale: [OLD] });
    expect(allowListMergeScript(lacksNothing, 'now')).toBeNull();
    expect(allowListMergeScript(tenant(), 'now')).toMatch(new RegExp(`stale.*\\n#\\s+${OLD}`));
  });
});
