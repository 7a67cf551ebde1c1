// What an admin does about each readiness rule (docs/readiness.md): one concrete step, and the Microsoft page behind it.
import { DOCS } from '../diagnosis/fixes';

export interface ReadinessFix {
  /** What to do, and where: the admin centre page or the Exchange Online PowerShell line, `quoted` as code. */
  step: string;
  docs: { title: string; url: string };
}

const GRAPH_MAPPING = {
  title: 'EWS to Microsoft Graph API mappings',
  url: 'https://learn.microsoft.com/graph/migrate-exchange-web-services-api-mapping',
};
const EWS_ACCESS = { title: 'Control access to EWS in Exchange', url: DOCS.ewsAccessControl };
const SET_ORGANIZATION_CONFIG = { title: 'Set-OrganizationConfig', url: DOCS.setOrganizationConfig };
const RBAC_FOR_APPLICATIONS = { title: 'RBAC for Applications in Exchange Online', url: DOCS.rbacForApplications };
/** Each write of EwsAllowedAppIDs replaces the whole list, so every change to it is a read, a merge and a write. */
const READ_LIST = '`Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy | Format-List EwsAllowedAppIDs`';
const WRITE_LIST = '`Set-OrganizationConfig -EwsAllowedAppIDs`';

/** Every rule readiness.ts can name, deduction or cap; rows are data. */
export const READINESS_FIXES: Readonly<Record<string, ReadinessFix>> = {
  'ews-app-active': {
    step: `Move the app to Microsoft Graph, or ask its vendor for the Graph version; until then keep it in EwsAllowedAppIDs (read it with ${READ_LIST}, add the id, write the whole list back with ${WRITE_LIST}). EWS is switched off on 2027-04-01.`,
    docs: GRAPH_MAPPING,
  },
  'graph-mail-permission-missing': {
    step: 'In Entra admin center > App registrations > the app > API permissions, add a Microsoft Graph application permission for mail (Mail.Read, or Mail.ReadBasic.All) and grant admin consent; to limit it to some mailboxes, scope it with RBAC for Applications.',
    docs: { title: 'Microsoft Graph permissions reference', url: DOCS.graphPermissions },
  },
  'graph-mailbox-probe-failed': {
    step: "Check the mailbox is in the app's scope: `Test-ServicePrincipalAuthorization -Identity <app id> -Resource <mailbox>` (RBAC for Applications) or `Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <app id>`; a 404 means Graph finds no Exchange Online mailbox at that address.",
    docs: RBAC_FOR_APPLICATIONS,
  },
  'ews-enabled-unneeded': {
    step: 'No app needs EWS any more: finish with `Set-OrganizationConfig -EwsEnabled $false` in Exchange Online PowerShell.',
    docs: SET_ORGANIZATION_CONFIG,
  },
  'ews-disabled-while-needed': {
    step: 'Until the apps are on Graph, `Set-OrganizationConfig -EwsEnabled $true` with `-EwsAllowedAppIDs` naming each app still calling EWS (possible until 2027-04-01; re-enabling briefly interrupts EWS, and changes take up to 24 hours).',
    docs: EWS_ACCESS,
  },
  'ews-enabled-unset': {
    step: "Decide before Microsoft's rollout sets False: `Set-OrganizationConfig -EwsEnabled $true` with `-EwsAllowedAppIDs` listing the apps still calling EWS, or `-EwsEnabled $false` once none does.",
    docs: SET_ORGANIZATION_CONFIG,
  },
  'allow-list-empty': {
    step: 'Write the apps still calling EWS into the list: `Set-OrganizationConfig -EwsAllowedAppIDs "<app id>,<app id>"`; since 2026-10-01 EwsEnabled True with an empty list blocks all EWS. It takes up to 24 hours to apply.',
    docs: EWS_ACCESS,
  },
  'app-missing-from-allow-list': {
    step: `Add it with a read-merge-write: ${READ_LIST}, append the app id, write the whole list back with ${WRITE_LIST} (a write replaces the list; up to 24 hours to apply).`,
    docs: EWS_ACCESS,
  },
  'allow-list-extra-app': {
    step: `Remove it with a read-merge-write: ${READ_LIST}, drop this id, write the rest back with ${WRITE_LIST} (a write replaces the list).`,
    docs: SET_ORGANIZATION_CONFIG,
  },
  'mailbox-ews-disabled-while-needed': {
    step: 'While the app still reads this mailbox through EWS, `Set-CASMailbox -Identity <mailbox> -EwsEnabled $true` (a mailbox False blocks EWS whatever the organization says); or move the app to Graph first.',
    docs: { title: 'Set-CASMailbox', url: DOCS.setCasMailbox },
  },
  'dormant-full-access-grant': {
    step: 'Remove the grant: Entra admin center > Enterprise applications > the app > Permissions, revoke full_access_as_app on Office 365 Exchange Online (it opens every mailbox through EWS).',
    docs: { title: 'Authenticate an EWS application by using OAuth', url: DOCS.ewsOAuth },
  },
  'client-secret': {
    step: "Move the collector to a certificate (App registrations > the app > Certificates & secrets) or a federated credential from tenant-health's managed identity, then delete the secret (docs/onboarding.md).",
    docs: { title: 'Add credentials to an app', url: DOCS.appCredentials },
  },
  'application-access-policy': {
    step: 'Replace the Application Access Policy with RBAC for Applications: a management scope, `New-ServicePrincipal`, the scoped role assignment; then remove the Entra consent and the policy (`Get-ApplicationAccessPolicy` lists it).',
    docs: RBAC_FOR_APPLICATIONS,
  },
  'frontline-licence-target': {
    step: 'Since 2026-10-01 EWS answers 403 for mailboxes licensed only with Kiosk, F1 or F3: move the app to Graph for them, or assign a licence that includes EWS (Microsoft 365 admin center > Users > Licenses).',
    docs: { title: 'Assign licences to users', url: DOCS.assignLicenses },
  },
  'ews-blocked-for-needed-app': {
    step: `Unblock today: EwsEnabled $true and every app still calling EWS in EwsAllowedAppIDs (${READ_LIST}, merge, ${WRITE_LIST}; up to 24 hours), then move them to Graph.`,
    docs: EWS_ACCESS,
  },
  'ews-gone-while-needed': {
    step: "EWS in Exchange Online is off for good since 2027-04-01 and no setting brings it back: only the Graph version of the app (or its vendor's) fixes this.",
    docs: GRAPH_MAPPING,
  },
};
