// The storage account the tables and the queue live in, and how the app signs in to it: a connection string, or an
// identity (the Function App's managed identity, a developer's login) with no key anywhere.
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';
import { queueClientOptions, sdkClientOptions } from '../clients/azure-sdk';
import type { StorageConnection } from '../core/settings';
import type { ServiceClock } from './tables';

export interface StorageAccount {
  /** A table of the account, bounded like every call of ours, its answers' Date headers fed to the clock. */
  table(name: string, clock?: ServiceClock): TableClient;
  queue(name: string): QueueClient;
}

/** The identity-based connection's sign-in, as the Functions host reads the same settings. */
function storageCredential(connection: Extract<StorageConnection, { kind: 'identity' }>): TokenCredential {
  return connection.credential === 'managedidentity'
    ? new ManagedIdentityCredential({
        ...sdkClientOptions(),
        ...(connection.clientId ? { clientId: connection.clientId } : {}),
      })
    : new DefaultAzureCredential({
        ...sdkClientOptions(),
        ...(connection.clientId ? { managedIdentityClientId: connection.clientId } : {}),
      });
}

/** Where a store's clients come from: an account already open, a connection as the settings give it, or a string. */
export type StorageSource = StorageAccount | StorageConnection | string;

/** Opens the account; a connection string may be given as it is (the command line, tests against Azurite). */
export function storageAccount(connection: StorageSource): StorageAccount {
  if (typeof connection === 'object' && 'table' in connection) return connection;
  const given: StorageConnection =
    typeof connection === 'string' ? { kind: 'connection-string', connectionString: connection } : connection;
  const tableOptions = (clock?: ServiceClock) => {
    const options = sdkClientOptions();
    return {
      ...options,
      additionalPolicies: [
        ...options.additionalPolicies,
        ...(clock ? [{ policy: clock.policy, position: 'perRetry' as const }] : []),
      ],
    };
  };
  if (given.kind === 'connection-string') {
    const { connectionString } = given;
    // Azurite and other local emulators speak plain HTTP.
    const allowInsecureConnection = /UseDevelopmentStorage=true|http:\/\//i.test(connectionString);
    return {
      table: (name, clock) =>
        TableClient.fromConnectionString(connectionString, name, { ...tableOptions(clock), allowInsecureConnection }),
      queue: (name) => new QueueClient(connectionString, name, queueClientOptions()),
    };
  }
  // One credential for every client of the account: one token, refreshed once, for all of them.
  const credential = storageCredential(given);
  return {
    table: (name, clock) => new TableClient(given.tableServiceUri, name, credential, tableOptions(clock)),
    queue: (name) => new QueueClient(`${given.queueServiceUri}/${name}`, credential, queueClientOptions()),
  };
}
