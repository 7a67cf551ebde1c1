// The composition root: every client the app uses, built once from the settings. The Functions, the command line and
// the demo all build their services here; only where calls go (the simulated cloud, a laptop's login) is overridden.
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Dispatcher } from 'undici';
import { sdkClientOptions } from '../clients/azure-sdk';
import { createAgent, type HttpLimits } from '../clients/http';
import { KeyVaultSecretStore, type SecretStore } from '../clients/key-vault';
import { TokenProvider } from '../clients/tokens';
import type { Settings } from '../core/settings';
import { storageAccount } from '../storage/account';
import { AlertStore } from '../storage/alert-store';
import { CheckQueue } from '../storage/check-queue';
import { TableResultStore } from '../storage/result-store';
import { triggerUrlSource } from './alert-service';
import type { ServiceDeps } from './check-service';
import type { PipelineDeps } from './pipeline';

export interface ServiceOverrides {
  /** Where every call to Microsoft and the Logic App goes; a pooled agent by default. */
  dispatcher?: Dispatcher;
  /** tenant-health's own identity, for its vault (and federated app credentials); DefaultAzureCredential by default. */
  credential?: TokenCredential;
  /** The secret source instead of KEY_VAULT_URL (a laptop's local file). */
  secrets?: SecretStore;
  limits?: HttpLimits;
  now?: () => number;
}

/** The checking half: the dispatcher, the vault and the token clients. Absent when there is no secret source. */
export function createPipeline(
  settings: Pick<Settings, 'keyVaultUrl' | 'managedIdentityClientId'>,
  overrides: ServiceOverrides = {},
): PipelineDeps | undefined {
  const dispatcher = overrides.dispatcher ?? createAgent(overrides.limits);
  const secrets =
    overrides.secrets ??
    (settings.keyVaultUrl
      ? new KeyVaultSecretStore(settings.keyVaultUrl, overrides.credential ?? defaultCredential(settings))
      : undefined);
  if (!secrets) return undefined;
  return {
    dispatcher,
    secrets,
    tokens: new TokenProvider(dispatcher, overrides.limits),
    slowReads: new Map(),
    ...(overrides.limits ? { limits: overrides.limits } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
  };
}

/** Everything: the pipeline, the tables, the queue and alerting. Throws when the storage connection cannot be used. */
export function createServices(settings: Settings, overrides: ServiceOverrides = {}): ServiceDeps {
  if (!settings.storageConnection) throw new Error('no usable storage connection in the settings');
  const storage = storageAccount(settings.storageConnection);
  const dispatcher = overrides.dispatcher ?? createAgent(overrides.limits, settings.checkConcurrency);
  const pipeline = createPipeline(settings, { ...overrides, dispatcher });
  const { trigger, policy, maxAttempts } = settings.alerts;
  return {
    ...(pipeline ? { pipeline } : {}),
    store: TableResultStore.in(storage, {
      retentionDays: settings.historyRetentionDays,
    }),
    queue: CheckQueue.in(storage, settings.checkQueue),
    settings,
    ...(trigger
      ? {
          alerting: {
            store: AlertStore.in(storage),
            dispatcher,
            triggerUrl: triggerUrlSource(trigger, pipeline?.secrets, Date.now, settings.alerts.allowLoopback),
            policy,
            maxAttempts,
            ...(overrides.now ? { now: overrides.now } : {}),
          },
        }
      : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
  };
}

const defaultCredential = (settings: Pick<Settings, 'managedIdentityClientId'>) =>
  new DefaultAzureCredential({
    ...sdkClientOptions(),
    ...(settings.managedIdentityClientId ? { managedIdentityClientId: settings.managedIdentityClientId } : {}),
  });
