// The steps an admin carries out for each finding: portal paths, consent URLs and Exchange Online PowerShell lines.

/** Who the fix is for; placeholders stand in for what the evidence did not name. */
export interface FixTarget {
  tenant: string;
  client: string;
  /** Entra authority host of the tenant's cloud, e.g. https://login.microsoftonline.com. */
  login: string;
  mailbox: string;
  userAgent?: string;
}

export const DOCS = {
  ewsOAuth:
    'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth',
  ewsImpersonation:
    'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/impersonation-and-ews-in-exchange',
  ewsAccessControl:
    'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-control-access-to-ews-in-exchange',
  ewsRetirement:
    'https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/deprecation-of-ews-exchange-online',
  ewsThrottling:
    'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange',
  ewsResponseCodes: 'https://learn.microsoft.com/exchange/client-developer/web-service-reference/responsecode',
  setOrganizationConfig: 'https://learn.microsoft.com/powershell/module/exchangepowershell/set-organizationconfig',
  setCasMailbox: 'https://learn.microsoft.com/powershell/module/exchangepowershell/set-casmailbox',
  applicationAccessPolicy: 'https://learn.microsoft.com/graph/auth-limit-mailbox-access',
  rbacForApplications: 'https://learn.microsoft.com/exchange/permissions-exo/application-rbac',
  graphPermissions: 'https://learn.microsoft.com/graph/permissions-reference',
  graphErrors: 'https://learn.microsoft.com/graph/errors',
  graphThrottling: 'https://learn.microsoft.com/graph/throttling',
  graphMailApi: 'https://learn.microsoft.com/graph/api/resources/mail-api-overview',
  adminConsent: 'https://learn.microsoft.com/entra/identity-platform/v2-admin-consent',
  clientCredentials: 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow',
  accessTokens: 'https://learn.microsoft.com/entra/identity-platform/access-tokens',
  aadstsCodes: 'https://learn.microsoft.com/entra/identity-platform/reference-error-codes',
  appCredentials: 'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials',
  certificateCredentials: 'https://learn.microsoft.com/entra/identity-platform/certificate-credentials',
  workloadIdentityFederation: 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation',
  workloadConditionalAccess: 'https://learn.microsoft.com/entra/identity/conditional-access/workload-identity',
  basicAuthRetirement:
    'https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online',
  keyVaultAccess: 'https://learn.microsoft.com/azure/key-vault/general/rbac-guide',
  assignLicenses: 'https://learn.microsoft.com/microsoft-365/admin/manage/assign-licenses-to-users',
  managedIdentity: 'https://learn.microsoft.com/azure/app-service/overview-managed-identity',
  keyVaultThrottling: 'https://learn.microsoft.com/azure/key-vault/general/overview-throttling',
  serviceHealth: 'https://learn.microsoft.com/microsoft-365/enterprise/view-service-health',
  office365Endpoints: 'https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges',
} as const;

export const consentUrl = (t: FixTarget) => `${t.login}/${t.tenant}/adminconsent?client_id=${t.client}`;

const connect = (t: FixTarget) => `Connect-ExchangeOnline (as an Exchange administrator of ${t.tenant})`;

export const FIXES = {
  grantFullAccessAsApp: (t: FixTarget) => [
    `In Entra ID > App registrations > ${t.client} > API permissions > Add a permission > APIs my organization uses > Office 365 Exchange Online > Application permissions, add full_access_as_app (delegated EWS.AccessAsUser.All does not work for an app-only token).`,
    `Grant admin consent for the tenant: ${consentUrl(t)}`,
    'Or, to limit the app to some mailboxes, skip the Entra permission and grant the Exchange role "Application EWS.AccessAsApp" with RBAC for Applications (New-ServicePrincipal, then New-ManagementRoleAssignment).',
  ],
  grantGraphMailRole: (t: FixTarget) => [
    `In Entra ID > App registrations > ${t.client} > API permissions > Add a permission > Microsoft Graph > Application permissions, add Mail.Read (or Mail.ReadBasic.All, Mail.ReadWrite, as the app needs); delegated permissions do not apply to an app-only token.`,
    `Grant admin consent for the tenant: ${consentUrl(t)}`,
  ],
  grantGraphRole: (t: FixTarget) => [
    `In Entra ID > App registrations > ${t.client} > API permissions, add the Microsoft Graph application permission the call needs (for example Organization.Read.All for /organization, User.Read.All for /users) and grant admin consent: ${consentUrl(t)}`,
  ],
  consent: (t: FixTarget) => [
    `Grant admin consent for the tenant (an admin of ${t.tenant} opens this): ${consentUrl(t)}`,
  ],
  tokenScope: (t: FixTarget) => [
    'Ask the token for the resource you call, with .default: https://outlook.office365.com/.default for EWS and the Exchange admin API, https://graph.microsoft.com/.default for Microsoft Graph (one token per resource; sovereign clouds use their own hosts).',
    `Check the token at https://jwt.ms: "aud" must be the resource called; "roles" must hold the application permissions (tenant ${t.tenant}, app ${t.client}).`,
  ],
  addImpersonation: (t: FixTarget) => [
    `Send the ExchangeImpersonation SOAP header with the target mailbox (<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${t.mailbox}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>) on every app-only EWS call.`,
    `Send the X-AnchorMailbox: ${t.mailbox} HTTP header with it, so the request is routed to the mailbox's server (EWS Managed API: service.ImpersonatedUserId plus service.HttpHeaders["X-AnchorMailbox"]; exchangelib: Account(..., access_type=IMPERSONATION)).`,
  ],
  applicationAccessPolicy: (t: FixTarget) => [
    `${connect(t)}; Test-ApplicationAccessPolicy -Identity ${t.mailbox} -AppId ${t.client}`,
    'If the mailbox should be reachable, add it to the mail-enabled security group the policy scopes (Add-DistributionGroupMember -Identity <policy group> -Member <mailbox>); changes can take an hour or more to apply.',
    'Application Access Policies are being replaced: move the app to RBAC for Applications (New-ServicePrincipal, New-ManagementScope, New-ManagementRoleAssignment) and then remove the policy.',
  ],
  rbacScope: (t: FixTarget) => [
    `${connect(t)}; Test-ServicePrincipalAuthorization -Identity ${t.client} -Resource ${t.mailbox}   # InScope False confirms it`,
    `Widen the scope or add the mailbox to it: Get-ManagementRoleAssignment -RoleAssignee ${t.client} | Format-List Role,CustomResourceScope, then Set-ManagementScope -Identity <scope> -RecipientRestrictionFilter <filter that includes ${t.mailbox}>`,
    `Or assign the role over a scope that holds the mailbox: New-ManagementRoleAssignment -App ${t.client} -Role "Application EWS.AccessAsApp" -CustomResourceScope <scope> (and "Application Mail.Read" for Graph); permission changes are cached for 30 minutes to 2 hours.`,
  ],
  rbacServicePrincipal: (t: FixTarget) => [
    `${connect(t)}; New-ServicePrincipal -AppId ${t.client} -ObjectId <object id of the Enterprise application> -DisplayName <name>`,
    `New-ManagementRoleAssignment -App ${t.client} -Role "Application EWS.AccessAsApp" -CustomResourceScope <scope>; then Test-ServicePrincipalAuthorization -Identity ${t.client} -Resource ${t.mailbox}`,
  ],
  enableOrganizationEws: (t: FixTarget) => [
    `${connect(t)}; Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | Format-List EwsEnabled,EwsAllowedAppIDs`,
    'Set-OrganizationConfig -EwsEnabled $true   # since 1 October 2026, $true with an empty EwsAllowedAppIDs blocks every app: add the app as below',
    ...allowListLines(t),
  ],
  enableMailboxEws: (t: FixTarget) => [
    `${connect(t)}; Get-CASMailbox -Identity ${t.mailbox} | Format-List EwsEnabled`,
    `Set-CASMailbox -Identity ${t.mailbox} -EwsEnabled $true`,
  ],
  allowListApp: (t: FixTarget) => allowListLines(t),
  userAgentList: (t: FixTarget) => [
    `${connect(t)}; Get-OrganizationConfig | Format-List EwsApplicationAccessPolicy,EwsAllowList,EwsBlockList; Get-CASMailbox -Identity ${t.mailbox} | Format-List Ews*`,
    `Set-OrganizationConfig -EwsAllowList @{Add="${t.userAgent ?? "<the app's User-Agent>"}*"}   # with EnforceAllowList; with EnforceBlockList remove the matching EwsBlockList entry. These lists also govern REST and Graph mail calls.`,
  ],
  frontlineLicence: (t: FixTarget) => [
    `Check ${t.mailbox}'s licences: since 1 October 2026 EWS is blocked for mailboxes licensed only with Exchange Online Kiosk, Microsoft 365/Office 365 F1 or F3. Assign a licence that includes EWS, or use a different canary.`,
    `${connect(t)}; Get-CASMailbox -Identity ${t.mailbox} | Format-List EwsEnabled; Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | Format-List EwsEnabled,EwsAllowedAppIDs   # rules out the settings`,
  ],
  migrateToGraph: () => [
    'EWS in Exchange Online is switched off for good since 1 April 2027 and no setting brings it back: move the app to Microsoft Graph (mail, calendar, contacts) or the Exchange Admin API.',
  ],
  checkMailbox: (t: FixTarget) => [
    `${connect(t)}; Get-Mailbox -Identity ${t.mailbox} | Format-List RecipientTypeDetails,PrimarySmtpAddress,IsInactiveMailbox; Get-Mailbox -SoftDeletedMailbox -Identity ${t.mailbox}`,
    `Use the mailbox's primary SMTP address; make sure it is an Exchange Online mailbox (not on-premises, not a guest or mail user) with an Exchange Online licence assigned, or pick another canary.`,
  ],
  newSecret: (t: FixTarget) => [
    `In Entra ID > App registrations > ${t.client} > Certificates & secrets, add a new client secret, and store its Value (not its Secret ID) in Key Vault where tenant-health reads it.`,
    'Better: replace the secret with a certificate or a federated credential (managed identity), which do not expire unnoticed.',
  ],
  certificate: (t: FixTarget) => [
    `In Entra ID > App registrations > ${t.client} > Certificates & secrets > Certificates, upload the public certificate whose private key tenant-health signs with (compare the thumbprint in the error), or store the registered certificate's PFX/PEM in Key Vault.`,
  ],
  federated: (t: FixTarget) => [
    `In Entra ID > App registrations > ${t.client} > Certificates & secrets > Federated credentials, add one whose issuer and subject match the managed identity tenant-health runs as (audience api://AzureADTokenExchange).`,
  ],
  clientCredentialSent: () => [
    'Configure the app credential (client secret value, certificate, or federated credential) that tenant-health sends; the token request carried none.',
  ],
  appInTenant: (t: FixTarget) => [
    `Check the application (client) id ${t.client} and the tenant ${t.tenant}: the app must be registered in the tenant, or (multi-tenant app) consented there by an admin: ${consentUrl(t)}`,
    'Check the cloud too: a GCC High, DoD or China tenant is not known to login.microsoftonline.com.',
  ],
  tenantId: (t: FixTarget) => [
    `Check the tenant id or domain (${t.tenant}) in the tenant definition and that the tenant is in this cloud; use the Directory (tenant) ID from Entra ID > Overview.`,
  ],
  conditionalAccess: (t: FixTarget) => [
    `In Entra ID > Sign-in logs > Service principal sign-ins, filter on ${t.client}: the failure names the Conditional Access policy.`,
    'Exclude the workload identity from that policy, or add the IP range tenant-health calls from to its named locations.',
  ],
  throttled: () => [
    'Wait for the Retry-After or BackOffMilliseconds the service gave before retrying; tenant-health waits once within its deadline.',
    'If it persists, find what else uses this app against the mailbox (Graph allows 4 concurrent requests and 10,000 per 10 minutes per app and mailbox; EWS allows 27 concurrent connections).',
  ],
  refreshToken: () => [
    'Request a new token before the old one expires (MSAL does this when its cache is used); check the clock of the machine that calls (token lifetime is 60–90 minutes).',
  ],
  basicAuth: (t: FixTarget) => [
    `Basic authentication to Exchange Online is switched off: register an app, grant it full_access_as_app with admin consent (${consentUrl(t)}), and call EWS with an app-only OAuth token and impersonation.`,
  ],
  keyVaultSecret: () => [
    'Create the secret that the tenant definition names in the Key Vault tenant-health reads, or correct the name in the tenant definition.',
  ],
  keyVaultAccess: () => [
    'Give tenant-health\'s managed identity the "Key Vault Secrets User" role on the vault (or a Get secret access policy), and check the vault URL and its firewall.',
  ],
  network: () => [
    'Check DNS, proxy and firewall between tenant-health and the endpoint, and whether the service is up (Microsoft 365 Service health).',
  ],
  ownIdentity: () => [
    'In Azure: check that the Function App has its managed identity (and, for a user-assigned one, that AZURE_CLIENT_ID names it); on a laptop run az login first.',
    "This is tenant-health's own identity, not the tenant's app: nothing in the tenant needs to change.",
  ],
  keyVaultUnavailable: () => [
    'Check the vault in the Azure portal (Resource health, its firewall and private endpoint, throttling in its metrics) and that KEY_VAULT_URL names it; the next cycle reads it again.',
    "This is tenant-health's own vault, not the tenant: nothing in the tenant needs to change.",
  ],
  slowService: () => [
    'Look at the slowest call in the evidence (ms) and at Microsoft 365 Service health; if the tenant is just slow, raise TENANT_DEADLINE_SECONDS.',
  ],
} as const;

/**
 * Adds an app to EwsAllowedAppIDs by merging: read, add, set, read back. The list is never replaced, and ids compare
 * without regard to case (Sort-Object -Unique), in any order.
 */
export function ewsAllowListMerge(client: string): string[] {
  return [
    `$ids = @(((Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy).EwsAllowedAppIDs -split ',') | ForEach-Object { $_.Trim() } | Where-Object { $_ })`,
    `$merged = @($ids) + '${client}' | Sort-Object -Unique   # keeps every app already listed, each once whatever its case`,
    `Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',')   # takes up to 24 hours to apply`,
    `(Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy).EwsAllowedAppIDs -split ',' | Where-Object { $_.Trim() -eq '${client}' }   # read back: prints the id once`,
  ];
}

function allowListLines(t: FixTarget): string[] {
  const [read, ...rest] = ewsAllowListMerge(t.client);
  return [`${connect(t)}; ${read}`, ...rest];
}
