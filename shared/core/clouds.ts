// Microsoft 365 national clouds: the hosts and resource identifiers that tokens and calls use in each.
export const CLOUD_NAMES = ['worldwide', 'gcchigh', 'dod', 'china'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CloudEndpoints {
  /** Entra ID authority host. */
  login: string;
  /** Microsoft Graph resource and host. */
  graph: string;
  /** Exchange Online resource and host (EWS at /EWS/Exchange.asmx, the admin API at /adminapi). */
  exchange: string;
  /** Key Vault token audience. */
  keyVault: string;
}

/** Sources: learn.microsoft.com/graph/deployments and the Connect-ExchangeOnline reference (learn.microsoft.com/powershell/module/exchangepowershell/connect-exchangeonline). */
export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = {
  worldwide: {
    login: 'https://login.microsoftonline.com',
    graph: 'https://graph.microsoft.com',
    exchange: 'https://outlook.office365.com',
    keyVault: 'https://vault.azure.net',
  },
  gcchigh: {
    login: 'https://login.microsoftonline.us',
    graph: 'https://graph.microsoft.us',
    exchange: 'https://outlook.office365.us',
    keyVault: 'https://vault.usgovcloudapi.net',
  },
  // Which EWS host DoD clients should use is unverified; outlook-dod.office365.us is what Microsoft's own scripts call.
  dod: {
    login: 'https://login.microsoftonline.us',
    graph: 'https://dod-graph.microsoft.us',
    exchange: 'https://outlook-dod.office365.us',
    keyVault: 'https://vault.usgovcloudapi.net',
  },
  china: {
    login: 'https://login.chinacloudapi.cn',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    exchange: 'https://partner.outlook.cn',
    keyVault: 'https://vault.azure.cn',
  },
};

/** Application IDs of Microsoft's first-party resources (the same in every tenant). */
export const FIRST_PARTY_APP_IDS = {
  exchange: '00000002-0000-0ff1-ce00-000000000000',
  graph: '00000003-0000-0000-c000-000000000000',
  keyVault: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093',
} as const;

/** The app role that grants app-only EWS on Office 365 Exchange Online. */
export const FULL_ACCESS_AS_APP = { value: 'full_access_as_app', id: 'dc890d15-9560-4a4c-9b7f-a736ec74ec40' } as const;
