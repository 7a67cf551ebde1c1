// App settings, read once and validated; problems name the setting and never throw, so a bad value cannot stop the host.
export interface Settings {
  /** Connection string of the storage account holding the tables and the check queue. */
  storageConnection: string;
  keyVaultUrl?: string;
  managedIdentityClientId?: string;
  checkSchedule: string;
  checkQueue: string;
  historyRetentionDays: number;
  statusCacheSeconds: number;
  tenantDeadlineSeconds: number;
  /** Deliveries of a queue message before it is given up as poison (host.json extensions.queues.maxDequeueCount). */
  maxDequeueCount: number;
}

/** Every setting the code reads, with where it comes from; local.settings.sample.json lists the same. */
export const SETTINGS = [
  { name: 'AzureWebJobsStorage', source: 'The Function App\'s storage account (the host needs it too). In Azure, an identity-based connection or a Key Vault reference: @Microsoft.KeyVault(SecretUri=...).' },
  { name: 'TENANT_HEALTH_STORAGE', source: 'Optional: another storage account for the tables and the check queue; defaults to AzureWebJobsStorage. Use a Key Vault reference for its connection string.' },
  { name: 'KEY_VAULT_URL', source: 'The vault holding each tenant\'s app credential, e.g. https://tenant-health-kv.vault.azure.net; read as the Function App\'s managed identity (Key Vault Secrets User).' },
  { name: 'AZURE_CLIENT_ID', source: 'Optional: the client id of a user-assigned managed identity to use instead of the system-assigned one.' },
  { name: 'CHECK_SCHEDULE', source: 'NCRONTAB schedule (six fields) of the check cycle; default every 15 minutes: 0 */15 * * * *.' },
  { name: 'CHECK_QUEUE', source: 'Name of the Storage queue that fans the cycle out, one message per tenant; default tenant-checks.' },
  { name: 'HISTORY_RETENTION_DAYS', source: 'Days of per-cycle history kept per tenant; default 90.' },
  { name: 'STATUS_CACHE_SECONDS', source: 'max-age of the public status summary and badges; default 60.' },
  { name: 'TENANT_DEADLINE_SECONDS', source: 'How long one tenant\'s checks may take; default 60.' },
  { name: 'MAX_DEQUEUE_COUNT', source: 'Keep equal to host.json extensions.queues.maxDequeueCount (default 5): on the last delivery a failing check is sent to the poison queue with its reason.' },
] as const;

const NCRONTAB = /^\S+ \S+ \S+ \S+ \S+ \S+$/;
const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function readSettings(env: Record<string, string | undefined> = process.env): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"; using ${fallback}`);
    return fallback;
  };
  const storageConnection = value('TENANT_HEALTH_STORAGE') ?? value('AzureWebJobsStorage') ?? '';
  if (!storageConnection) problems.push('AzureWebJobsStorage (or TENANT_HEALTH_STORAGE) is not set: results cannot be stored');
  const keyVaultUrl = value('KEY_VAULT_URL');
  if (keyVaultUrl !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(keyVaultUrl)) problems.push(`KEY_VAULT_URL must be a vault URL such as https://name.vault.azure.net, got "${keyVaultUrl}"`);
  let checkSchedule = value('CHECK_SCHEDULE') ?? '0 */15 * * * *';
  if (!NCRONTAB.test(checkSchedule)) {
    problems.push(`CHECK_SCHEDULE must be an NCRONTAB expression with six fields (e.g. 0 */15 * * * *), got "${checkSchedule}"; using every 15 minutes`);
    checkSchedule = '0 */15 * * * *';
  }
  let checkQueue = value('CHECK_QUEUE') ?? 'tenant-checks';
  if (!QUEUE_NAME.test(checkQueue)) {
    problems.push(`CHECK_QUEUE must be a Storage queue name (3-63 lower-case letters, digits and single dashes), got "${checkQueue}"; using tenant-checks`);
    checkQueue = 'tenant-checks';
  }
  const managedIdentityClientId = value('AZURE_CLIENT_ID');
  return {
    settings: {
      storageConnection,
      ...(keyVaultUrl && !problems.some((p) => p.startsWith('KEY_VAULT_URL')) ? { keyVaultUrl } : {}),
      ...(managedIdentityClientId ? { managedIdentityClientId } : {}),
      checkSchedule,
      checkQueue,
      historyRetentionDays: integer('HISTORY_RETENTION_DAYS', 90, 1, 3650),
      statusCacheSeconds: integer('STATUS_CACHE_SECONDS', 60, 0, 86_400),
      tenantDeadlineSeconds: integer('TENANT_DEADLINE_SECONDS', 60, 5, 600),
      maxDequeueCount: integer('MAX_DEQUEUE_COUNT', 5, 1, 100),
    },
    problems,
  };
}
