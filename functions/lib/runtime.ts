// One set of clients per worker process, built on first use from the app settings; never throws at module load.
import { DefaultAzureCredential } from '@azure/identity';
import { triggerUrlSource } from '../../shared/service/alert-service';
import { AlertStore } from '../../shared/storage/alert-store';
import { ensureStorage, type ServiceDeps } from '../../shared/service/check-service';
import { sdkClientOptions } from '../../shared/clients/azure-sdk';
import { CheckQueue } from '../../shared/storage/check-queue';
import { KeyVaultSecretStore } from '../../shared/clients/key-vault';
import { createAgent } from '../../shared/clients/http';
import { TableResultStore } from '../../shared/storage/result-store';
import { readSettings, type Settings } from '../../shared/core/settings';
import { TokenProvider } from '../../shared/clients/tokens';

interface Runtime { deps: ServiceDeps | null; problems: string[]; ready?: Promise<void> }
let current: Runtime | undefined;

/** Settings as the registrations need them (schedule, queue); bad values fall back to defaults with a problem noted. */
export const settingsAtLoad = (): Settings => readSettings().settings;

/** The setting that names the storage connection, as the queue trigger's `connection` wants it. */
export const storageConnectionSetting = () => (process.env.TENANT_HEALTH_STORAGE ? 'TENANT_HEALTH_STORAGE' : 'AzureWebJobsStorage');

function build(): Runtime {
  const { settings, problems } = readSettings();
  if (!settings.storageConnection) return { deps: null, problems };
  try {
    // Module-level for the worker's life: MSAL's token cache and the HTTP connection pool are reused across invocations.
    const dispatcher = createAgent();
    const credential = new DefaultAzureCredential({ ...sdkClientOptions(), ...(settings.managedIdentityClientId ? { managedIdentityClientId: settings.managedIdentityClientId } : {}) });
    const secrets = settings.keyVaultUrl ? new KeyVaultSecretStore(settings.keyVaultUrl, credential) : undefined;
    const { trigger, policy, maxAttempts } = settings.alerts;
    return {
      deps: {
        ...(secrets ? { pipeline: { dispatcher, secrets, tokens: new TokenProvider(dispatcher) } } : {}),
        store: TableResultStore.fromConnectionString(settings.storageConnection, { retentionDays: settings.historyRetentionDays }),
        queue: CheckQueue.fromConnectionString(settings.storageConnection, settings.checkQueue),
        settings,
        ...(trigger ? {
          alerting: { store: AlertStore.fromConnectionString(settings.storageConnection), dispatcher, triggerUrl: triggerUrlSource(trigger, secrets), policy, maxAttempts },
        } : {}),
      },
      problems,
    };
  } catch (error) {
    return { deps: null, problems: [...problems, `the storage connection string cannot be used: ${error instanceof Error ? error.message : String(error)}`] };
  }
}

/** The worker's clients, with tables and queues created once; null with the problems when settings make that impossible. */
export async function runtime(): Promise<{ deps: ServiceDeps | null; problems: string[] }> {
  current ??= build();
  const { deps } = current;
  if (deps) {
    current.ready ??= ensureStorage(deps);
    try {
      await current.ready;
    } catch (error) {
      current.ready = undefined; // the next invocation tries again
      throw error;
    }
  }
  return current;
}

/** Tests and `demo --serve` supply their own clients (Azurite, the simulated cloud). */
export function useServiceDeps(deps: ServiceDeps | null): void {
  current = deps ? { deps, problems: [] } : undefined;
}
