// Well-known app ids (Microsoft's first-party apps) and their names, each with where the id is published: an app seen
// in a tenant (calling EWS, holding full_access_as_app) gets a name even when the tenant's own data gives none.

export interface KnownApp {
  appId: string;
  name: string;
  publisher: string;
  /** A public page stating this id and name. */
  source: string;
}

const SOURCES = {
  powerPlatformAppsToAllow: 'https://learn.microsoft.com/en-us/power-platform/admin/apps-to-allow',
  firstPartyApps2024:
    'https://github.com/MicrosoftDocs/SupportArticles-docs/blob/0d3f7df548cd71a22db472afbe5edffb29319976/support/entra/entra-id/governance/verify-first-party-apps-sign-in.md',
  merillMicrosoftApps:
    'https://github.com/merill/microsoft-info/blob/43b8a5d9fb6648f3ef36ec051acd988fdd19558b/_info/MicrosoftApps.csv',
  firstPartyApps:
    'https://learn.microsoft.com/en-us/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in',
} as const;

export const KNOWN_APPS: readonly KnownApp[] = [
  {
    appId: '1b730954-1685-4b74-9bfd-dac224a7b894',
    name: 'Azure Active Directory PowerShell',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '7cd684f4-8a78-49b0-91ec-6a35d38739ba',
    name: 'Azure Logic Apps',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
    name: 'Azure Portal',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
    name: 'Azure Resource Manager',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '48af08dc-f6d2-435f-b2a7-069abd99c086',
    name: 'Connectors',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '00000007-0000-0000-c000-000000000000',
    name: 'Dataverse',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '497effe9-df71-4043-a8bb-14cf78c4b63b',
    name: 'Exchange Admin Center',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '6da466b6-1d13-4a2c-97bd-51a99e8d4d74',
    name: 'Exchange Office Graph Client for AAD - Interactive',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '765fe668-04e7-42ba-aec0-2c96f1d8b652',
    name: 'Exchange Office Graph Client for AAD - Noninteractive',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: 'f5eaa862-7f08-448c-9c4e-f4047d4d4521',
    name: 'FindTime',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: 'b669c6ea-1adf-453f-b8bc-6d526592b419',
    name: 'Focused Inbox',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: 'de8bc8b5-d9f9-48b1-a8ad-b748da725064',
    name: 'Graph Explorer',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps,
  },
  {
    appId: 'd9b8ec3a-1e4e-4e08-b3c2-5baf00c0fcb0',
    name: 'HxService',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: 'a0c73c16-a7e3-4564-9a95-2bdf47383716',
    name: 'Legacy Exchange Online',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '80ccca67-54bd-44ab-8625-4b79c4dc7775',
    name: 'Microsoft 365 Security and Compliance Center',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '29d9ed98-a469-4536-ade2-f981bc1d605e',
    name: 'Microsoft Authentication Broker',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    name: 'Microsoft Azure CLI',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '1950a258-227b-4e31-a9cf-717495945fc2',
    name: 'Microsoft Azure PowerShell',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '6326e366-9d6d-4c70-b22a-34c7ea72d73d',
    name: 'Microsoft Exchange Message Tracking Service',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '00000007-0000-0ff1-ce00-000000000000',
    name: 'Microsoft Exchange Online Protection',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: 'fb78d390-0c51-40cd-8e17-fdbfab77341b',
    name: 'Microsoft Exchange REST API Based Powershell',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '47629505-c2b6-4a80-adb1-9b3a3d233b7b',
    name: 'Microsoft Exchange Web Services',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '6204c1d1-4712-4c46-a7d9-3ed63d992682',
    name: 'Microsoft Flow Portal',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '7df0a125-d3be-4c96-aa54-591f83ff541c',
    name: 'Microsoft Flow Service',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '00000003-0000-0000-c000-000000000000',
    name: 'Microsoft Graph',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
    name: 'Microsoft Graph Command Line Tools',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps,
  },
  {
    appId: '0000000a-0000-0000-c000-000000000000',
    name: 'Microsoft Intune',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223',
    name: 'Microsoft Intune Company Portal',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: 'd4ebce55-015a-49b5-a083-c84d1797ae8c',
    name: 'Microsoft Intune Enrollment',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: 'fc0f3af4-6835-4174-b806-f7db311fd2f3',
    name: 'Microsoft Intune Windows Agent',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
    name: 'Microsoft Office',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '00000006-0000-0ff1-ce00-000000000000',
    name: 'Microsoft Office 365 Portal',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '5d661950-3475-41cd-a2c3-d671a3162bc1',
    name: 'Microsoft Outlook',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '9bc3ab49-b65d-410a-85ad-de819febfddc',
    name: 'Microsoft SharePoint Online Management Shell',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
    name: 'Microsoft Teams',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe',
    name: 'Microsoft Teams Services',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
    name: 'Microsoft Teams Web Client',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '4345a7b9-9a63-4910-a426-35363201d503',
    name: 'O365 Suite UX',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '00000002-0000-0ff1-ce00-000000000000',
    name: 'Office 365 Exchange Online',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '00b41c95-dab0-4487-9791-b9d2c32c80f2',
    name: 'Office 365 Management',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '00000003-0000-0ff1-ce00-000000000000',
    name: 'Office 365 SharePoint Online',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '93d53678-613d-4013-afc1-62e9e444a0a5',
    name: 'Office Online Add-in SSO',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: 'e03a13ee-9730-4cae-8525-47559c8cf18a',
    name: 'Office Online Service',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '4b233688-031c-404b-9a80-a4f3f2351f90',
    name: 'Office.com',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '89bee1f7-5e6e-4d8a-9f3d-ecd601259da7',
    name: 'Office365 Shell WCSS-Client',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '0f698dd4-f011-4d23-a33e-b36416dcb1e6',
    name: 'OfficeClientService',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '4765445b-32c6-49b0-83e6-1d93765276ca',
    name: 'OfficeHome',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: 'b26aadf8-566f-4478-926f-589f601d9c74',
    name: 'OneDrive',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: 'ab9b8c07-8f02-4f72-87fa-80105867a763',
    name: 'OneDrive SyncEngine',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '27922004-5251-4030-b22d-91ecd9a37ea4',
    name: 'Outlook Mobile',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: 'bc59ab01-8403-45c6-8796-ac3ef710b3e3',
    name: 'Outlook Online Add-in App',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '9199bf20-a13f-4107-85dc-02114787ef48',
    name: 'Outlook Web App Office 365',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '7ae974c5-1af7-4923-af3a-fb1fd14dcb7e',
    name: 'OutlookUserSettingsConsumer',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps,
  },
  {
    appId: 'd326c1ce-6cc6-4de2-bebc-4591e5e13ef0',
    name: 'SharePoint',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: 'c58637bb-e2e1-4312-8a00-04b5ffcd3403',
    name: 'SharePoint Online Client Extensibility',
    publisher: 'Microsoft',
    source: SOURCES.powerPlatformAppsToAllow,
  },
  {
    appId: '08e18876-6177-487e-b8b5-cf950c1e598c',
    name: 'SharePoint Online Web Client Extensibility',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: '00000004-0000-0ff1-ce00-000000000000',
    name: 'Skype for Business Online',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '00000005-0000-0ff1-ce00-000000000000',
    name: 'Viva Engage',
    publisher: 'Microsoft',
    source: SOURCES.merillMicrosoftApps,
  },
  {
    appId: 'fe93bfe1-7947-460a-a5e0-7a5906b51360',
    name: 'Viva Insights',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
  {
    appId: '00000002-0000-0000-c000-000000000000',
    name: 'Windows Azure Active Directory',
    publisher: 'Microsoft',
    source: SOURCES.firstPartyApps2024,
  },
];

const BY_ID = new Map(KNOWN_APPS.map((app) => [app.appId, app]));

export const knownApp = (appId: string): KnownApp | undefined => BY_ID.get(appId.toLowerCase());

/**
 * An app's name from the best source at hand: the name Entra put in the app's own token, the service principal's as
 * the tenant lists it, then this table; undefined when none knows it.
 */
export function appNameOf(
  appId: string,
  seen: { tokenName?: string | undefined; servicePrincipalName?: string | undefined } = {},
): string | undefined {
  return seen.tokenName?.trim() || seen.servicePrincipalName?.trim() || knownApp(appId)?.name;
}
