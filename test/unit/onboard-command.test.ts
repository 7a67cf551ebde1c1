// `npx tenant-health onboard`: only the permissions the chosen checks need, each from the sourced table and the same
// the probes accept; the consent URL of the tenant's cloud; Exchange commands that scope to the canaries and merge
// the EWS allow list; a watch entry `watch` accepts; bad input named, exit 2.
import { runCli } from '../helpers/cli';
import { tenantDefinitionSchema } from '../../shared/core/tenants';
import { APP_PERMISSIONS, ONBOARD_CHECKS } from '../../shared/onboarding/app-permissions';
import type { OnboardingPlan } from '../../shared/onboarding/plan';
import { PROBES } from '../../shared/probes/registry';

const APP = '0f4b1a9e-8d2c-4e6f-a1b3-5c7d9e0f2a4b';

const run = (...args: string[]) => runCli(['onboard', ...args]);
const plan = async (...args: string[]) => {
  const { code, stdout } = await run('--tenant', 'contoso.onmicrosoft.com', '--app', APP, ...args, '--json');
  expect(code).toBe(0);
  return JSON.parse(stdout) as OnboardingPlan;
};

test('every permission in the table has a Microsoft id and a public source, and is one the probes accept', () => {
  const ids = APP_PERMISSIONS.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of APP_PERMISSIONS) {
    expect(p.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(p.source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  }
  // The checks' probes name the roles that let them run; the table's role for each must be among them.
  const accepted = (resource: string) =>
    PROBES.flatMap((probe) => (probe.permission?.resource === resource ? probe.permission.roles : []));
  for (const name of ['full_access_as_app', 'Mail.ReadBasic.All', 'Organization.Read.All', 'Exchange.ManageAsApp'])
    expect(accepted(APP_PERMISSIONS.find((p) => p.name === name)!.resource)).toContain(name);
});

test.each([
  [['ews'], 'canaries', [], ['full_access_as_app']],
  [['ews'], 'tenant', ['full_access_as_app'], []],
  [['graph'], 'canaries', ['Organization.Read.All'], ['Mail.ReadBasic.All']],
  [['control-plane'], 'canaries', ['Exchange.ManageAsApp'], []],
  [['inventory'], 'tenant', ['ServiceMessage.Read.All', 'Application.Read.All'], []],
  [
    [...ONBOARD_CHECKS],
    'tenant',
    [
      'full_access_as_app',
      'Mail.ReadBasic.All',
      'Organization.Read.All',
      'Exchange.ManageAsApp',
      'ServiceMessage.Read.All',
      'Application.Read.All',
    ],
    [],
  ],
] as const)(
  'checks %j with mailbox access %s: only what they need, in Entra or scoped in Exchange',
  async (checks, access, entra, scoped) => {
    const p = await plan('--checks', checks.join(','), '--mailbox-access', access, '--canary', 'canary@contoso.com');
    expect(p.permissions.map((x) => x.name).sort()).toEqual([...entra].sort());
    expect(p.scopedPermissions.map((x) => x.name).sort()).toEqual([...scoped].sort());
    for (const x of p.permissions) {
      const row = APP_PERMISSIONS.find((r) => r.id === x.id)!;
      expect(row.name).toBe(x.name);
    }
    const manifestIds = p.manifest.requiredResourceAccess.flatMap((r) => r.resourceAccess.map((a) => a.id)).sort();
    expect(manifestIds).toEqual(p.permissions.map((x) => x.id).sort());
    expect(p.exchange.allowList.length > 0).toBe(checks.includes('ews' as never));
    expect(Boolean(p.directoryRole)).toBe(checks.includes('control-plane' as never));
  },
);

test("the consent URL is the tenant cloud's, and Exchange commands connect to that cloud", async () => {
  const worldwide = await plan();
  expect(worldwide.consentUrl).toBe(
    `https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=${APP}`,
  );
  const gcc = await plan('--cloud', 'gcchigh');
  expect(gcc.consentUrl).toMatch(/^https:\/\/login\.microsoftonline\.us\//);
  expect(gcc.exchange.allowList[0]).toMatch(/-ExchangeEnvironmentName O365USGovGCCHigh/);
});

test('the canaries scope is exactly the canaries, and each is tested after the grant', async () => {
  const p = await plan('--canary', 'a@contoso.com', '--canary', "o'brien@contoso.com");
  const scope = p.exchange.scope.join('\n');
  expect(scope).toContain(
    `-RecipientRestrictionFilter 'PrimarySmtpAddress -eq ''a@contoso.com'' -or PrimarySmtpAddress -eq ''o''''brien@contoso.com'''`,
  );
  expect(scope).toMatch(
    /New-ManagementRoleAssignment -App \S+ -Role 'Application EWS.AccessAsApp' -CustomResourceScope 'tenant-health canaries'/,
  );
  expect(p.exchange.scope.filter((l) => l.startsWith('Test-ServicePrincipalAuthorization'))).toHaveLength(2);
});

test('the EWS allow list is read, merged, set and read back, never replaced', async () => {
  const lines = (await plan('--checks', 'ews')).exchange.allowList;
  expect(lines[1]).toMatch(/^\$ids = .*Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy/);
  expect(lines[2]).toBe(
    `$merged = @($ids) + '${APP}' | Sort-Object -Unique   # keeps every app already listed, each once whatever its case`,
  );
  expect(lines[3]).toMatch(/^Set-OrganizationConfig -EwsAllowedAppIDs \(\$merged -join ','\)/);
  expect(lines[4]).toMatch(/EwsAllowedAppIDs -split ',' \| Where-Object/);
  expect(lines.join('\n')).not.toMatch(new RegExp(`-EwsAllowedAppIDs '?${APP}`));
});

test('the watch entry is one `watch` accepts', async () => {
  const p = await plan('--canary', 'canary@contoso.com', '--name', 'Contoso', '--checks', 'ews,graph');
  const entry = tenantDefinitionSchema.parse(p.watchEntry);
  expect(entry).toEqual(
    expect.objectContaining({ tenantId: 'contoso.onmicrosoft.com', name: 'Contoso', clientId: APP }),
  );
  expect(entry.checks.controlPlane).toBe('off');
});

test('the text names every step, and without --app says how to register one', async () => {
  const { code, stdout } = await run('--tenant', '7c1d5b2e-0f7a-4c2e-9a51-3d2f1c0b9e84');
  expect(code).toBe(0);
  expect(stdout).toMatch(/az ad app create .*AzureADMyOrg/);
  expect(stdout).toMatch(/AzureADMultipleOrgs/);
  for (const step of [
    'Application permissions',
    'manifest fragment',
    'Admin consent',
    'RBAC for Applications',
    'EwsAllowedAppIDs',
    'Global Reader',
    'Watch it',
  ])
    expect(stdout).toContain(step);
});

test.each([
  [[], /--tenant is required/],
  [['--tenant', 'not a tenant'], /--tenant must be a tenant id/],
  [['--tenant', 'contoso.com', '--app', 'x'], /--app must be the app registration's client id/],
  [['--tenant', 'contoso.com', '--cloud', 'mars'], /--cloud must be one of worldwide, gcchigh, dod, china/],
  [
    ['--tenant', 'contoso.com', '--checks', 'ews,pop3'],
    /--checks takes a comma-separated list of ews, graph, control-plane, inventory/,
  ],
  [['--tenant', 'contoso.com', '--canary', 'nobody'], /--canary must be a mailbox's SMTP address/],
  [['--tenant', 'contoso.com', '--mailbox-access', 'all'], /--mailbox-access must be canaries/],
  [['--tenant', 'contoso.com', 'extra'], /unexpected argument "extra"/],
])('%j exits 2 naming the problem', async (args, message) => {
  const { code, stderr, stdout } = await run(...args);
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
  expect(stdout).toBe('');
});
