// The application permissions each check of tenant-health needs, by resource: Microsoft's name and id for each, the
// RBAC for Applications role that grants the same over a scope of mailboxes, and where Microsoft publishes it.
import { FIRST_PARTY_APP_IDS, FULL_ACCESS_AS_APP } from '../core/clouds';

export const ONBOARD_CHECKS = ['ews', 'graph', 'control-plane', 'inventory'] as const;
export type OnboardCheck = (typeof ONBOARD_CHECKS)[number];

export interface AppPermission {
  name: string;
  /** The app role's id on its resource's service principal. */
  id: string;
  resource: keyof typeof RESOURCES;
  check: OnboardCheck;
  /** What the check does with it. */
  why: string;
  /** Mailbox permissions can instead be granted over a scope with this Exchange role (RBAC for Applications). */
  rbacRole?: string;
  source: string;
}

export const RESOURCES = {
  exchange: { appId: FIRST_PARTY_APP_IDS.exchange, name: 'Office 365 Exchange Online' },
  graph: { appId: FIRST_PARTY_APP_IDS.graph, name: 'Microsoft Graph' },
} as const;

const GRAPH_REFERENCE = 'https://learn.microsoft.com/graph/permissions-reference';

export const APP_PERMISSIONS: readonly AppPermission[] = [
  {
    name: FULL_ACCESS_AS_APP.value,
    id: FULL_ACCESS_AS_APP.id,
    resource: 'exchange',
    check: 'ews',
    why: 'app-only EWS GetFolder on each canary, with impersonation',
    rbacRole: 'Application EWS.AccessAsApp',
    source:
      'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth',
  },
  {
    name: 'Mail.ReadBasic.All',
    id: '693c5e45-0940-467d-9b8a-1022fb9d42ef',
    resource: 'graph',
    check: 'graph',
    why: "reads each canary's Inbox folder (no message bodies)",
    rbacRole: 'Application Mail.ReadBasic',
    source: `${GRAPH_REFERENCE}#mailreadbasicall`,
  },
  {
    name: 'Organization.Read.All',
    id: '498476ce-e0fe-48b0-b801-37ba7e2685c6',
    resource: 'graph',
    check: 'graph',
    why: "reads the tenant's name and verified domains",
    source: `${GRAPH_REFERENCE}#organizationreadall`,
  },
  {
    name: 'Exchange.ManageAsApp',
    id: 'dc50a0fb-09a3-484d-be87-e023b12c6440',
    resource: 'exchange',
    check: 'control-plane',
    why: "reads EwsEnabled, EwsAllowedAppIDs and the mailboxes' EWS settings through the Exchange admin API",
    source: 'https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2',
  },
  {
    name: 'ServiceMessage.Read.All',
    id: '1b620472-6534-4fe6-9df2-4680e8aa28ec',
    resource: 'graph',
    check: 'inventory',
    why: 'reads the Message Center posts that list the apps still calling EWS',
    source: `${GRAPH_REFERENCE}#servicemessagereadall`,
  },
  {
    name: 'Application.Read.All',
    id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
    resource: 'graph',
    check: 'inventory',
    why: 'lists the service principals that hold full_access_as_app',
    source: `${GRAPH_REFERENCE}#applicationreadall`,
  },
];

/** The Entra directory role the control-plane check needs besides Exchange.ManageAsApp (read-only). */
export const CONTROL_PLANE_DIRECTORY_ROLE = {
  name: 'Global Reader',
  templateId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  source: 'https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference#global-reader',
} as const;
