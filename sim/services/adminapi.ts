// Simulated Exchange Online admin API (adminapi/beta/{tenant}/InvokeCommand) for the few read cmdlets tenant-health uses.
// Shape: the undocumented transport of ExchangeOnlineManagement v3 as seen in public code (KelvinTegelaar/CIPP-API
// New-ExoRequest; michev.info "run cmdlets without PowerShell"); 403 with an empty body without an Exchange role.
import { empty, header, json, newRequestId, scalarText, type SimRequest, type SimResponse } from '../http-kit';
import { audienceResource, checkBearer } from '../tokens';
import type { SimWorld, TenantRuntime } from '../world';

const READ_CONFIGURATION = [
  'Global Administrator',
  'Exchange Administrator',
  'Global Reader',
  'Organization Management',
  'View-Only Organization Management',
  'View-Only Configuration',
];
const READ_RECIPIENTS = [
  ...READ_CONFIGURATION,
  'Exchange Recipient Administrator',
  'Helpdesk Administrator',
  'Recipient Management',
  'View-Only Recipients',
];
// The role Test-ServicePrincipalAuthorization needs is unverified; the administrators' roles are assumed to suffice.
const TEST_AUTHORIZATION = [
  'Global Administrator',
  'Exchange Administrator',
  'Organization Management',
  'Role Management',
];

const CMDLETS: Record<
  string,
  { roles: string[]; run: (tenant: TenantRuntime, params: Record<string, unknown>) => unknown[] | { notFound: string } }
> = {
  'Get-OrganizationConfig': { roles: READ_CONFIGURATION, run: organizationConfig },
  'Get-CASMailbox': { roles: READ_RECIPIENTS, run: casMailbox },
  'Test-ServicePrincipalAuthorization': { roles: TEST_AUTHORIZATION, run: testServicePrincipalAuthorization },
};

export function handleAdminApi(req: SimRequest, world: SimWorld): SimResponse {
  const match = /^\/beta\/([^/]+)\/InvokeCommand$/i.exec(req.path);
  if (!match || req.method !== 'POST')
    return json(404, { error: { code: 'NotFound', message: `No admin API endpoint at ${req.method} ${req.path}` } });
  const check = checkBearer(world, header(req, 'authorization'));
  if (!check.ok)
    return json(
      401,
      { error: { code: 'Unauthorized', message: 'The access token is missing, malformed or expired.' } },
      challenge(
        check.reason === 'missing'
          ? undefined
          : '2000001;reason="The token is invalid.";error_category="invalid_token"',
      ),
    );
  const { claims, tenant } = check;
  if (audienceResource(claims.aud) !== 'exchange' || !tenant) {
    return json(
      401,
      { error: { code: 'Unauthorized', message: 'The audience claim value is invalid.' } },
      challenge(
        `2000003;reason="The audience claim value is invalid '${claims.aud}'.";error_category="invalid_resource"`,
      ),
    );
  }
  if (!claims.roles.includes('Exchange.ManageAsApp')) {
    return json(
      401,
      { error: { code: 'Unauthorized', message: 'The token contains not enough scope to make this call.' } },
      challenge(
        '2000008;reason="The token contains not enough scope to make this call.";error_category="invalid_grant"',
      ),
    );
  }
  if (world.tenant(decodeURIComponent(match[1]!)) !== tenant)
    return { ...empty(403, { 'request-id': newRequestId() }), tenantId: tenant.spec.tenantId };
  let input: { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } };
  try {
    input = JSON.parse(req.body.toString('utf8')) as typeof input;
  } catch {
    return json(400, { error: { code: 'BadRequest', message: 'The request body is not valid JSON.' } });
  }
  const name = scalarText(input.CmdletInput?.CmdletName);
  const cmdlet = CMDLETS[name];
  if (!cmdlet)
    return json(400, {
      error: { code: 'BadRequest', message: `The term '${name}' is not recognized as a name of a cmdlet.` },
    });
  const app = tenant.apps.get(claims.appid.toLowerCase());
  if (!app?.spec.adminRoles.some((r) => cmdlet.roles.includes(r))) {
    return { ...empty(403, { 'request-id': newRequestId() }), tenantId: tenant.spec.tenantId };
  }
  const params = (input.CmdletInput?.Parameters ?? {}) as Record<string, unknown>;
  const output = cmdlet.run(tenant, params);
  if ('notFound' in output) {
    return {
      ...json(404, {
        error: {
          code: 'NotFound',
          message: `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object '${output.notFound}' couldn't be found on 'SIM1PR01A001DC01.NAMPR01A001.PROD.OUTLOOK.COM'.`,
        },
      }),
      tenantId: tenant.spec.tenantId,
    };
  }
  return {
    ...json(
      200,
      {
        '@odata.context': `https://outlook.office365.com/adminapi/beta/${tenant.spec.tenantId}/$metadata#Collection(Exchange.GenericHashTable)`,
        'adminapi.warnings@odata.type': '#Collection(String)',
        '@adminapi.warnings': [],
        value: output,
      },
      { 'request-id': newRequestId() },
    ),
    tenantId: tenant.spec.tenantId,
  };
}

const challenge = (diagnostics?: string): Record<string, string> => ({
  'www-authenticate':
    'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
  ...(diagnostics ? { 'x-ms-diagnostics': diagnostics } : {}),
});

function organizationConfig(tenant: TenantRuntime, params: Record<string, unknown>): unknown[] {
  const org = tenant.spec.exchange;
  // EwsAllowedAppIDs is returned only when asked for with -RetrieveEwsOperationAccessPolicy.
  const allowed =
    params.RetrieveEwsOperationAccessPolicy === true
      ? { EwsAllowedAppIDs: org.ewsAllowedAppIds?.join(',') ?? null }
      : {};
  return [
    {
      Identity: tenant.spec.domain.split('.')[0],
      Name: tenant.spec.domain.split('.')[0],
      DisplayName: tenant.spec.name,
      Guid: tenant.spec.tenantId,
      EwsEnabled: org.ewsEnabled,
      EwsApplicationAccessPolicy: org.ewsApplicationAccessPolicy,
      EwsAllowList: org.ewsAllowList.length ? org.ewsAllowList : null,
      EwsBlockList: org.ewsBlockList.length ? org.ewsBlockList : null,
      EwsAllowOutlook: null,
      EwsAllowMacOutlook: null,
      EwsAllowEntourage: null,
      OAuth2ClientProfileEnabled: true,
      ...allowed,
    },
  ];
}

function casMailbox(tenant: TenantRuntime, params: Record<string, unknown>): unknown[] | { notFound: string } {
  const identity = typeof params.Identity === 'string' ? params.Identity : undefined;
  const mailboxes = [...tenant.mailboxes.values()].filter(
    (m) => m.spec.state === 'active' && m.spec.license !== 'none',
  );
  const selected = identity
    ? mailboxes.filter(
        (m) => m.spec.address.toLowerCase() === identity.toLowerCase() || m.objectId === identity.toLowerCase(),
      )
    : mailboxes;
  if (identity && selected.length === 0) return { notFound: identity };
  return selected.map((m) => ({
    Identity: m.spec.displayName ?? m.spec.address,
    Name: m.spec.address.split('@')[0],
    PrimarySmtpAddress: m.spec.address,
    ExternalDirectoryObjectId: m.objectId,
    EwsEnabled: m.spec.ewsEnabled,
    EwsApplicationAccessPolicy: null,
    EwsAllowList: null,
    EwsBlockList: null,
  }));
}

function testServicePrincipalAuthorization(
  tenant: TenantRuntime,
  params: Record<string, unknown>,
): unknown[] | { notFound: string } {
  const identity = scalarText(params.Identity);
  const app = [...tenant.apps.values()].find(
    (a) => a.spec.clientId.toLowerCase() === identity.toLowerCase() || a.servicePrincipalId === identity.toLowerCase(),
  );
  if (!app) return { notFound: identity };
  const resource = typeof params.Resource === 'string' ? params.Resource.toLowerCase() : undefined;
  return tenant.spec.rbacForApps
    .filter((a) => a.appId.toLowerCase() === app.spec.clientId.toLowerCase())
    .map((a) => ({
      RoleName: a.role,
      GrantedPermissions: a.role.replace(/^Application /, ''),
      AllowedResourceScope: a.scope === 'organization' ? 'Organization' : `Scope-${app.spec.displayName}`,
      ScopeType: a.scope === 'organization' ? 'Organization' : 'CustomRecipientScope',
      InScope:
        resource === undefined
          ? 'Not Run'
          : a.scope === 'organization' || a.scope.some((m) => m.toLowerCase() === resource),
    }));
}
