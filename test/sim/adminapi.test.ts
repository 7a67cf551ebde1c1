// The simulated Exchange admin API answers InvokeCommand like Exchange Online's REST transport for cmdlets.
import type { SimulatedCloud } from '../../sim/server';
import { accessToken, startSim, tenantNamed } from '../helpers/sim';

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());

async function invoke(tenantName: string, cmdlet: string, parameters: Record<string, unknown> = {}) {
  const tenant = tenantNamed(sim, tenantName);
  const token = await accessToken(sim, tenant);
  const response = await fetch(`${sim.endpoints.adminapi}/beta/${tenant.tenantId}/InvokeCommand`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-responseformat': 'json',
      'x-anchormailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenant.tenantId}`,
    },
    body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: text ? (JSON.parse(text) as { value: Record<string, unknown>[] }) : undefined,
  };
}

test('Get-OrganizationConfig returns EwsEnabled, and EwsAllowedAppIDs only with -RetrieveEwsOperationAccessPolicy', async () => {
  const plain = await invoke('Contoso', 'Get-OrganizationConfig');
  expect(plain.status).toBe(200);
  expect(plain.body?.value[0]).toMatchObject({ EwsEnabled: true });
  expect(plain.body?.value[0]).not.toHaveProperty('EwsAllowedAppIDs');
  const withList = await invoke('Contoso', 'Get-OrganizationConfig', { RetrieveEwsOperationAccessPolicy: true });
  expect(String(withList.body?.value[0]?.EwsAllowedAppIDs).split(',')).toContain(tenantNamed(sim, 'Contoso').clientId);
});

test('Get-CASMailbox reports the mailbox EwsEnabled, and a missing mailbox is ManagementObjectNotFoundException', async () => {
  const mailbox = tenantNamed(sim, "Margie's Travel").mailboxes[0];
  const found = await invoke("Margie's Travel", 'Get-CASMailbox', { Identity: mailbox });
  expect(found.body?.value[0]).toMatchObject({ PrimarySmtpAddress: mailbox, EwsEnabled: false });
  const missing = await invoke("Margie's Travel", 'Get-CASMailbox', {
    Identity: 'nobody@margiestravel.onmicrosoft.com',
  });
  expect(missing.status).toBe(404);
  expect(missing.text).toContain('ManagementObjectNotFoundException');
});

test('Test-ServicePrincipalAuthorization shows the RBAC scope of a mailbox', async () => {
  const trey = tenantNamed(sim, 'Trey Research');
  const outside = await invoke('Trey Research', 'Test-ServicePrincipalAuthorization', {
    Identity: trey.clientId,
    Resource: trey.mailboxes[1],
  });
  expect(outside.status).toBe(403); // Global Reader cannot run it (assumed; the required role is undocumented)
  const relecloud = tenantNamed(sim, 'Relecloud');
  sim.world.tenant(relecloud.tenantId)!.probeApp.spec.adminRoles.push('Exchange Administrator');
  sim.world.tenant(relecloud.tenantId)!.probeApp.spec.applicationPermissions.exchange.push('Exchange.ManageAsApp');
  const rows = await invoke('Relecloud', 'Test-ServicePrincipalAuthorization', {
    Identity: relecloud.clientId,
    Resource: relecloud.mailboxes[0],
  });
  expect(rows.body?.value).toContainEqual(
    expect.objectContaining({ RoleName: 'Application EWS.AccessAsApp', ScopeType: 'Organization', InScope: true }),
  );
});

test('without an Exchange role the answer is 403 with an empty body', async () => {
  const { status, text } = await invoke('Proseware', 'Get-OrganizationConfig');
  expect(status).toBe(200);
  const tenant = sim.world.tenant(tenantNamed(sim, 'Proseware').tenantId)!;
  tenant.probeApp.spec.adminRoles = [];
  const denied = await invoke('Proseware', 'Get-OrganizationConfig');
  expect([denied.status, denied.text]).toEqual([403, '']);
  expect(text).not.toBe('');
});

test('a token without Exchange.ManageAsApp is refused with x-ms-diagnostics 2000008', async () => {
  const fabrikamLike = tenantNamed(sim, 'Tailspin Toys');
  const token = await accessToken(sim, fabrikamLike);
  const response = await fetch(`${sim.endpoints.adminapi}/beta/${fabrikamLike.tenantId}/InvokeCommand`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-OrganizationConfig' } }),
  });
  expect(response.status).toBe(401);
  expect(response.headers.get('x-ms-diagnostics')).toMatch(/^2000008;/);
});
