// What onboarding a tenant takes, for the checks chosen: the permissions, an app manifest fragment, the consent URL,
// the Exchange commands that scope the app to its canaries and allow it to use EWS, and the `watch` entry. Pure text;
// nothing is executed.
import { CLOUDS, type CloudName } from '../core/clouds';
import type { TenantDefinition } from '../core/tenants';
import { consentUrl, ewsAllowListMerge } from '../diagnosis/fixes';
import {
  APP_PERMISSIONS,
  CONTROL_PLANE_DIRECTORY_ROLE,
  RESOURCES,
  type AppPermission,
  type OnboardCheck,
} from './app-permissions';

export interface OnboardingInput {
  tenant: string;
  /** The app registration's client id; absent before it is registered. */
  app?: string;
  cloud: CloudName;
  checks: readonly OnboardCheck[];
  canaries: readonly string[];
  /** canaries: mailbox access through RBAC for Applications over the canaries only; tenant: Entra consent for all. */
  mailboxAccess: 'canaries' | 'tenant';
  name?: string;
}

export interface OnboardingPlan {
  tenant: string;
  app: string;
  cloud: CloudName;
  checks: OnboardCheck[];
  /** Application permissions to add to the app registration and consent to. */
  permissions: (AppPermission & { resourceAppId: string; resourceName: string })[];
  /** Mailbox permissions granted in Exchange over the canaries instead of in Entra. */
  scopedPermissions: (AppPermission & { rbacRole: string })[];
  manifest: { requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: 'Role' }[] }[] };
  consentUrl: string;
  /** Exchange Online PowerShell, in order, for a person to run. */
  exchange: { scope: string[]; allowList: string[] };
  directoryRole?: { name: string; templateId: string; command: string; source: string };
  /** The Key Vault secret the watch entry names for the app's certificate. */
  credentialSecretName: string;
  watchEntry: TenantDefinition;
}

/** Connect-ExchangeOnline's name for each cloud (learn.microsoft.com/powershell/module/exchangepowershell/connect-exchangeonline). */
const EXCHANGE_ENVIRONMENT: Record<CloudName, string> = {
  worldwide: 'O365Default',
  gcchigh: 'O365USGovGCCHigh',
  dod: 'O365USGovDoD',
  china: 'O365China',
};

const psQuote = (value: string) => `'${value.replace(/'/g, "''")}'`;

export function onboardingPlan(input: OnboardingInput): OnboardingPlan {
  const app = input.app ?? '<client-id>';
  const scoped = input.mailboxAccess === 'canaries';
  const chosen = APP_PERMISSIONS.filter((p) => input.checks.includes(p.check));
  const scopedPermissions = scoped
    ? chosen.filter((p): p is AppPermission & { rbacRole: string } => p.rbacRole !== undefined)
    : [];
  // RBAC grants are a union with Entra consents: a mailbox permission consented in Entra would undo the scope.
  const permissions = chosen
    .filter((p) => !scopedPermissions.includes(p as AppPermission & { rbacRole: string }))
    .map((p) => ({ ...p, resourceAppId: RESOURCES[p.resource].appId, resourceName: RESOURCES[p.resource].name }));
  const byResource = new Map<string, { id: string; type: 'Role' }[]>();
  for (const p of permissions)
    byResource.set(p.resourceAppId, [...(byResource.get(p.resourceAppId) ?? []), { id: p.id, type: 'Role' }]);
  const connect = `Connect-ExchangeOnline -ExchangeEnvironmentName ${EXCHANGE_ENVIRONMENT[input.cloud]} -Organization ${input.tenant}`;
  const canaries = input.canaries.length ? input.canaries : ['<canary@your-domain>'];
  const scopeName = 'tenant-health canaries';
  const filter = canaries.map((c) => `PrimarySmtpAddress -eq '${c.replace(/'/g, "''")}'`).join(' -or ');
  const scope = scopedPermissions.length
    ? [
        connect,
        `New-ServicePrincipal -AppId ${app} -ObjectId <object id of its Enterprise application> -DisplayName ${psQuote(input.name ? `tenant-health (${input.name})` : 'tenant-health')}`,
        `New-ManagementScope -Name ${psQuote(scopeName)} -RecipientRestrictionFilter ${psQuote(filter)}`,
        ...scopedPermissions.map(
          (p) =>
            `New-ManagementRoleAssignment -App ${app} -Role ${psQuote(p.rbacRole)} -CustomResourceScope ${psQuote(scopeName)}`,
        ),
        ...canaries.map(
          (c) =>
            `Test-ServicePrincipalAuthorization -Identity ${app} -Resource ${psQuote(c)} | Format-Table RoleName,InScope   # InScope True for each role`,
        ),
      ]
    : [];
  const allowList = input.checks.includes('ews') ? [connect, ...ewsAllowListMerge(app)] : [];
  const slug = input.tenant
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);
  const credentialSecretName = `tenant-${slug}`;
  return {
    tenant: input.tenant,
    app,
    cloud: input.cloud,
    checks: [...input.checks],
    permissions,
    scopedPermissions,
    manifest: {
      requiredResourceAccess: [...byResource].map(([resourceAppId, resourceAccess]) => ({
        resourceAppId,
        resourceAccess,
      })),
    },
    consentUrl: consentUrl({ tenant: input.tenant, client: app, login: CLOUDS[input.cloud].login, mailbox: '' }),
    exchange: { scope, allowList },
    ...(input.checks.includes('control-plane')
      ? {
          directoryRole: {
            ...CONTROL_PLANE_DIRECTORY_ROLE,
            command: `New-MgRoleManagementDirectoryRoleAssignment -PrincipalId <object id of its Enterprise application> -RoleDefinitionId ${CONTROL_PLANE_DIRECTORY_ROLE.templateId} -DirectoryScopeId '/'   # ${CONTROL_PLANE_DIRECTORY_ROLE.name}, read-only`,
          },
        }
      : {}),
    credentialSecretName,
    watchEntry: {
      tenantId: input.tenant,
      name: input.name ?? input.tenant,
      cloud: input.cloud,
      clientId: app,
      credential: { type: 'certificate', keyVaultSecretName: credentialSecretName },
      canaries: [...canaries],
      checks: {
        ews: { enabled: input.checks.includes('ews'), impersonation: true, auth: 'oauth' },
        graph: { enabled: input.checks.includes('graph') },
        controlPlane: input.checks.includes('control-plane') ? 'auto' : 'off',
      },
    },
  };
}
