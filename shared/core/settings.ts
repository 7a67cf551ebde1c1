// App settings, read once and validated; problems name the setting and never throw, so a bad value cannot stop the host.
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from '../alerts/decisions';
import { redact } from './redact';
import { ALLOW_LOOPBACK_SETTING, proxyProblem, vaultUrlProblem, webhookHostProblem } from './endpoints';
import { GUID_PATTERN } from './tenant-id';

export interface Settings {
  /** The storage account holding the tables and the check queue; null when the settings give none that can be used. */
  storageConnection: StorageConnection | null;
  keyVaultUrl?: string;
  managedIdentityClientId?: string;
  checkSchedule: string;
  checkQueue: string;
  historyRetentionDays: number;
  statusCacheSeconds: number;
  /** Whether anonymous readers of the summary see tenant names and ids; otherwise aliases. */
  statusPublicNames: boolean;
  tenantDeadlineSeconds: number;
  /** Tenants one process checks at once (a cycle on the command line; the pool of connections it keeps). */
  checkConcurrency: number;
  /** A tenant whose latest result is older than this is stale (default: twice the schedule's interval). */
  staleAfterMinutes: number;
  /** Deliveries of a queue message before it is given up as poison (host.json extensions.queues.maxDequeueCount). */
  maxDequeueCount: number;
  alerts: AlertSettings;
}

export interface AlertSettings {
  /** Where the Logic App trigger URL comes from; alerting is off without one. */
  trigger: { url: string } | { keyVaultSecret: string } | null;
  policy: AlertPolicy;
  /** TENANT_HEALTH_ALLOW_LOOPBACK: a trigger URL read from the vault may be http on loopback (tests, the demo). */
  allowLoopback: boolean;
  maxAttempts: number;
  deliverySchedule: string;
}

/**
 * Every setting the code reads, with where it comes from; local.settings.sample.json lists the same, and
 * infra/azuredeploy.json sets every one that is not `optional` (which says what stands in for it).
 */
export const SETTINGS: readonly { name: string; source: string; optional?: string }[] = [
  {
    name: 'AzureWebJobsStorage',
    source:
      "The Function App's storage account as a connection string (the host needs it too); locally UseDevelopmentStorage=true. In Azure, prefer the identity-based settings below, which hold no key.",
    optional: 'the identity-based AzureWebJobsStorage__* settings',
  },
  {
    name: 'AzureWebJobsStorage__accountName',
    source:
      'Identity-based storage: the account name, for its public endpoints (https://NAME.table.core.windows.net, https://NAME.queue.core.windows.net).',
    optional: 'AzureWebJobsStorage__tableServiceUri and __queueServiceUri',
  },
  {
    name: 'AzureWebJobsStorage__tableServiceUri',
    source: 'Identity-based storage: the Table service URI, e.g. https://NAME.table.core.windows.net.',
    optional: 'AzureWebJobsStorage__accountName, or a connection string',
  },
  {
    name: 'AzureWebJobsStorage__queueServiceUri',
    source: 'Identity-based storage: the Queue service URI, e.g. https://NAME.queue.core.windows.net.',
    optional: 'AzureWebJobsStorage__accountName, or a connection string',
  },
  {
    name: 'AzureWebJobsStorage__credential',
    source:
      "Identity-based storage: managedidentity signs in as the Function App's managed identity (Storage Table Data Contributor and Storage Queue Data Contributor); unset, the developer's login (az login) is used.",
    optional: "the developer's login on a laptop, or a connection string",
  },
  {
    name: 'AzureWebJobsStorage__clientId',
    source: 'Identity-based storage: the client id of the user-assigned managed identity to sign in as.',
    optional: 'the system-assigned identity',
  },
  {
    name: 'TENANT_HEALTH_STORAGE',
    source:
      'Optional: another storage account for the tables and the check queue; defaults to AzureWebJobsStorage. A connection string (as a Key Vault reference), or identity-based settings under TENANT_HEALTH_STORAGE__ (accountName, tableServiceUri, queueServiceUri, credential, clientId) as for AzureWebJobsStorage.',
    optional: 'AzureWebJobsStorage',
  },
  {
    name: 'KEY_VAULT_URL',
    source:
      "The vault holding each tenant's app credential, e.g. https://tenant-health-kv.vault.azure.net; read as the Function App's managed identity (Key Vault Secrets User).",
  },
  {
    name: 'AZURE_CLIENT_ID',
    source: 'Optional: the client id of a user-assigned managed identity to use instead of the system-assigned one.',
  },
  {
    name: 'CHECK_SCHEDULE',
    source: 'NCRONTAB schedule (six fields) of the check cycle; default every 15 minutes: 0 */15 * * * *.',
  },
  {
    name: 'CHECK_QUEUE',
    source: 'Name of the Storage queue that fans the cycle out, one message per tenant; default tenant-checks.',
  },
  { name: 'HISTORY_RETENTION_DAYS', source: 'Days of per-cycle history kept per tenant; default 90.' },
  { name: 'STATUS_CACHE_SECONDS', source: 'max-age of the public status summary and badges; default 60.' },
  {
    name: 'STATUS_PUBLIC_NAMES',
    source:
      'true shows tenant names, tenant ids and app ids on the anonymous status summary; default false, which shows a stable alias per tenant instead (the detail routes, behind a key, always name them).',
  },
  { name: 'TENANT_DEADLINE_SECONDS', source: "How long one tenant's checks may take; default 60." },
  {
    name: 'CHECK_CONCURRENCY',
    source:
      'Tenants one process checks at once, and the connection pool sized for them (about eight connections each); default 16, as host.json extensions.queues.batchSize.',
  },
  {
    name: 'STALE_AFTER_MINUTES',
    source:
      "A tenant whose latest result is older than this shows stale on the status routes and badge, and the operator is alerted when every tenant is; default twice CHECK_SCHEDULE's interval (30 for every 15 minutes).",
    optional: "twice CHECK_SCHEDULE's interval",
  },
  {
    name: 'MAX_DEQUEUE_COUNT',
    source:
      'Keep equal to host.json extensions.queues.maxDequeueCount (default 5): on the last delivery a failing check is sent to the poison queue with its reason.',
  },
  {
    name: 'ALERT_LOGIC_APP_URL',
    source:
      "The Logic App HTTP trigger URL alerts are posted to. It carries the trigger's key (sig): give it as a Key Vault reference, @Microsoft.KeyVault(SecretUri=...). Leave empty (and ALERT_LOGIC_APP_URL_SECRET too) to turn alerting off.",
    optional: 'ALERT_LOGIC_APP_URL_SECRET',
  },
  {
    name: 'ALERT_LOGIC_APP_URL_SECRET',
    source:
      'Instead of ALERT_LOGIC_APP_URL: the name of the secret in KEY_VAULT_URL that holds the trigger URL, read as the managed identity.',
  },
  {
    name: ALLOW_LOOPBACK_SETTING,
    source:
      "Tests and the demo only: true lets KEY_VAULT_URL, a tenants file's keyVaultUrl and the alert trigger URL be http on 127.0.0.1; default false, which takes only https Key Vaults of Microsoft's clouds and https trigger hosts.",
    optional: 'off',
  },
  {
    name: 'ALERT_FAILURE_THRESHOLD',
    source:
      'Cycles a problem must be seen before its alert opens (a clean streak shorter than ALERT_SUCCESS_THRESHOLD does not reset the count, so a flapping check still alerts once); default 2.',
  },
  { name: 'ALERT_SUCCESS_THRESHOLD', source: 'Clean cycles in a row before an open alert is resolved; default 2.' },
  {
    name: 'ALERT_REMINDER_HOURS',
    source: 'An open alert is repeated after this many hours without a notice; 0 never reminds; default 24.',
  },
  {
    name: 'ALERT_MAX_ATTEMPTS',
    source:
      'Delivery attempts before a notice becomes a dead letter, kept with its reason; default 12 (about 5 hours of backoff).',
  },
  {
    name: 'ALERT_DELIVERY_SCHEDULE',
    source:
      'NCRONTAB schedule of the sweep that retries notices not yet delivered; default every 2 minutes: 0 */2 * * * *.',
  },
];

const NCRONTAB = /^\S+ \S+ \S+ \S+ \S+ \S+$/;
const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * How the app reaches its storage account: a connection string, or (the Functions identity-based form, no key
 * anywhere) service URIs signed in with a managed identity or the developer's login.
 */
export type StorageConnection =
  | { kind: 'connection-string'; connectionString: string }
  | {
      kind: 'identity';
      tableServiceUri: string;
      queueServiceUri: string;
      /** `managedidentity` signs in as the Function App's managed identity; absent, as DefaultAzureCredential does. */
      credential?: 'managedidentity';
      /** A user-assigned managed identity's client id. */
      clientId?: string;
    };

type StorageSetting = 'TENANT_HEALTH_STORAGE' | 'AzureWebJobsStorage';

const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

/** The identity-based settings under one prefix (learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity). */
function identityConnection(
  setting: StorageSetting,
  value: (name: string) => string | undefined,
): { connection: StorageConnection | null; problems: string[] } | null {
  const names = [
    'accountName',
    'tableServiceUri',
    'queueServiceUri',
    'blobServiceUri',
    'serviceUri',
    'credential',
    'clientId',
  ];
  if (!names.some((n) => value(`${setting}__${n}`))) return null;
  const problems: string[] = [];
  const accountName = value(`${setting}__accountName`);
  if (accountName !== undefined && !ACCOUNT_NAME.test(accountName))
    problems.push(
      `${setting}__accountName must be a storage account name (3-24 lower-case letters and digits), got "${accountName}"`,
    );
  const uri = (service: 'table' | 'queue') => {
    const name = `${setting}__${service}ServiceUri`;
    const given = value(name);
    if (given === undefined)
      return accountName && ACCOUNT_NAME.test(accountName)
        ? `https://${accountName}.${service}.core.windows.net`
        : undefined;
    let parsed: URL | undefined;
    try {
      parsed = new URL(given);
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol !== 'https:' || parsed.search || parsed.hash) {
      problems.push(
        `${name} must be an https URI such as https://account.${service}.core.windows.net, got "${redact(given)}"`,
      );
      return undefined;
    }
    return given.replace(/\/+$/, '');
  };
  const tableServiceUri = uri('table');
  const queueServiceUri = uri('queue');
  if ((!tableServiceUri || !queueServiceUri) && problems.length === 0)
    problems.push(
      `${setting} has identity-based settings but no way to reach the tables and the queue: set ${setting}__accountName, or both ${setting}__tableServiceUri and ${setting}__queueServiceUri`,
    );
  const credential = value(`${setting}__credential`);
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity')
    problems.push(
      `${setting}__credential must be managedidentity (or unset for the developer's login), got "${credential}"`,
    );
  const clientId = value(`${setting}__clientId`);
  if (clientId !== undefined && !GUID_PATTERN.test(clientId))
    problems.push(
      `${setting}__clientId must be the client id (a GUID) of a user-assigned managed identity, got "${clientId}"`,
    );
  if (problems.length || !tableServiceUri || !queueServiceUri) return { connection: null, problems };
  return {
    connection: {
      kind: 'identity',
      tableServiceUri,
      queueServiceUri,
      ...(credential ? { credential: 'managedidentity' as const } : {}),
      ...(clientId ? { clientId } : {}),
    },
    problems,
  };
}

/**
 * The one rule for which storage the app uses: TENANT_HEALTH_STORAGE when set (as a connection string or with
 * identity-based settings under that prefix), else AzureWebJobsStorage (the host's). Returns the setting's name too,
 * for the queue trigger's `connection` and for messages that must not echo a connection string.
 */
export function storageConnectionOf(env: Record<string, string | undefined> = process.env): {
  setting: StorageSetting;
  connection: StorageConnection | null;
  problems: string[];
} {
  const value = (name: string) => env[name]?.trim() || undefined;
  for (const setting of ['TENANT_HEALTH_STORAGE', 'AzureWebJobsStorage'] as const) {
    const connectionString = value(setting);
    if (connectionString) return { setting, connection: { kind: 'connection-string', connectionString }, problems: [] };
    const identity = identityConnection(setting, value);
    if (identity) return { setting, ...identity };
  }
  return {
    setting: 'AzureWebJobsStorage',
    connection: null,
    problems: [
      'AzureWebJobsStorage (or TENANT_HEALTH_STORAGE) is not set, as a connection string or as identity-based settings (AzureWebJobsStorage__accountName, __credential, __clientId): results cannot be stored',
    ],
  };
}

export function readSettings(env: Record<string, string | undefined> = process.env): {
  settings: Settings;
  problems: string[];
} {
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
  const flag = (name: string, fallback: boolean) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
    problems.push(`${name} must be true or false, got "${raw}"; using ${String(fallback)}`);
    return fallback;
  };
  const storage = storageConnectionOf(env);
  problems.push(...storage.problems);
  const allowLoopback = flag(ALLOW_LOOPBACK_SETTING, false);
  const proxy = proxyProblem(env);
  if (proxy) problems.push(`${proxy}; calls go direct, not through a proxy, until it is fixed`);
  const keyVaultUrl = value('KEY_VAULT_URL');
  const vaultProblem = keyVaultUrl === undefined ? null : vaultUrlProblem(keyVaultUrl, allowLoopback);
  if (vaultProblem) problems.push(`KEY_VAULT_URL ${vaultProblem}`);
  let checkSchedule = value('CHECK_SCHEDULE') ?? '0 */15 * * * *';
  if (!NCRONTAB.test(checkSchedule)) {
    problems.push(
      `CHECK_SCHEDULE must be an NCRONTAB expression with six fields (e.g. 0 */15 * * * *), got "${checkSchedule}"; using every 15 minutes`,
    );
    checkSchedule = '0 */15 * * * *';
  }
  let checkQueue = value('CHECK_QUEUE') ?? 'tenant-checks';
  if (!QUEUE_NAME.test(checkQueue)) {
    problems.push(
      `CHECK_QUEUE must be a Storage queue name (3-63 lower-case letters, digits and single dashes), got "${checkQueue}"; using tenant-checks`,
    );
    checkQueue = 'tenant-checks';
  }
  const managedIdentityClientId = value('AZURE_CLIENT_ID');
  const alertUrl = value('ALERT_LOGIC_APP_URL');
  const alertSecret = value('ALERT_LOGIC_APP_URL_SECRET');
  let trigger: AlertSettings['trigger'] = null;
  if (alertUrl && alertSecret)
    problems.push(
      'ALERT_LOGIC_APP_URL and ALERT_LOGIC_APP_URL_SECRET are both set: set one; using ALERT_LOGIC_APP_URL',
    );
  if (alertUrl) {
    const problem = triggerUrlProblem(alertUrl, allowLoopback);
    if (problem)
      problems.push(`ALERT_LOGIC_APP_URL ${problem}; alerts are recorded but not delivered until it is fixed`);
    trigger = { url: alertUrl };
  } else if (alertSecret) {
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(alertSecret))
      problems.push(
        `ALERT_LOGIC_APP_URL_SECRET must be a Key Vault secret name (1-127 letters, digits and dashes), got "${alertSecret}"`,
      );
    else if (!keyVaultUrl)
      problems.push(
        'ALERT_LOGIC_APP_URL_SECRET is set but KEY_VAULT_URL is not, so the trigger URL cannot be read; alerts are recorded but not delivered',
      );
    trigger = { keyVaultSecret: alertSecret };
  }
  let deliverySchedule = value('ALERT_DELIVERY_SCHEDULE') ?? '0 */2 * * * *';
  if (!NCRONTAB.test(deliverySchedule)) {
    problems.push(
      `ALERT_DELIVERY_SCHEDULE must be an NCRONTAB expression with six fields (e.g. 0 */2 * * * *), got "${deliverySchedule}"; using every 2 minutes`,
    );
    deliverySchedule = '0 */2 * * * *';
  }
  return {
    settings: {
      storageConnection: storage.connection,
      ...(keyVaultUrl && !problems.some((p) => p.startsWith('KEY_VAULT_URL')) ? { keyVaultUrl } : {}),
      ...(managedIdentityClientId ? { managedIdentityClientId } : {}),
      checkSchedule,
      checkQueue,
      historyRetentionDays: integer('HISTORY_RETENTION_DAYS', 90, 1, 3650),
      statusCacheSeconds: integer('STATUS_CACHE_SECONDS', 60, 0, 86_400),
      statusPublicNames: flag('STATUS_PUBLIC_NAMES', false),
      tenantDeadlineSeconds: integer('TENANT_DEADLINE_SECONDS', 60, 5, 600),
      checkConcurrency: integer('CHECK_CONCURRENCY', 16, 1, 256),
      staleAfterMinutes: integer('STALE_AFTER_MINUTES', 2 * scheduleIntervalMinutes(checkSchedule), 1, 7 * 24 * 60),
      maxDequeueCount: integer('MAX_DEQUEUE_COUNT', 5, 1, 100),
      alerts: {
        trigger,
        policy: {
          failureThreshold: integer('ALERT_FAILURE_THRESHOLD', DEFAULT_ALERT_POLICY.failureThreshold, 1, 100),
          successThreshold: integer('ALERT_SUCCESS_THRESHOLD', DEFAULT_ALERT_POLICY.successThreshold, 1, 100),
          reminderMs:
            integer('ALERT_REMINDER_HOURS', DEFAULT_ALERT_POLICY.reminderMs / 3_600_000, 0, 24 * 90) * 3_600_000,
        },
        allowLoopback,
        maxAttempts: integer('ALERT_MAX_ATTEMPTS', 12, 1, 100),
        deliverySchedule,
      },
    },
    problems,
  };
}

/**
 * Minutes between runs of a six-field NCRONTAB schedule, for the common shapes (every N minutes, hourly, every N
 * hours, daily). Any other shape (weekdays only, lists, ranges) gets three days, which covers a weekend: results are
 * called stale late rather than falsely, and STALE_AFTER_MINUTES says exactly when.
 */
export function scheduleIntervalMinutes(schedule: string): number {
  const [, minute, hour, day, month, weekday] = schedule.trim().split(/\s+/);
  const every = (field: string | undefined) => Number(/^\*\/(\d+)$/.exec(field ?? '')?.[1] ?? Number.NaN);
  const fixed = (field: string | undefined) => /^\d+$/.test(field ?? '');
  if (day !== '*' || month !== '*' || weekday !== '*') return 3 * 24 * 60;
  if (hour === '*' && Number.isFinite(every(minute))) return every(minute);
  if (hour === '*' && fixed(minute)) return 60;
  if (fixed(minute) && Number.isFinite(every(hour))) return 60 * every(hour);
  if (fixed(minute) && fixed(hour)) return 24 * 60;
  return 3 * 24 * 60;
}

/** What is wrong with a trigger URL, in words that never repeat its key; null when it will do. */
export function triggerUrlProblem(url: string, allowLoopback: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL (it starts "${redact(url).slice(0, 30)}")`;
  }
  const hostProblem = webhookHostProblem(parsed, allowLoopback);
  if (hostProblem) return hostProblem;
  if (!parsed.searchParams.get('sig'))
    return `has no sig parameter: copy the whole HTTP POST URL from the trigger (${parsed.host})`;
  return null;
}
