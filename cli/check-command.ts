// `tenant-health check --config FILE`: one cycle against real tenants, credentials from Key Vault or a local file.
import { DefaultAzureCredential } from '@azure/identity';
import { sdkClientOptions } from '../shared/clients/azure-sdk';
import { KeyVaultSecretStore, LocalSecretStore, type SecretStore } from '../shared/clients/key-vault';
import { createAgent } from '../shared/clients/http';
import { parseTenantsFile, TenantDefinitionError, type TenantsFile } from '../shared/core/tenants';
import { TokenProvider } from '../shared/clients/tokens';
import { parseOptions, readJsonFile, UsageError } from './args';
import type { Io } from './io';
import { runAndPrint } from './run-cycle';

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, {
    config: { type: 'string' }, secrets: { type: 'string' },
    json: { type: 'boolean', default: false }, 'fail-on-unhealthy': { type: 'boolean', default: false },
  });
  if (!values.config) throw new UsageError('--config FILE is required (the tenants to check; see README)');
  const tenantsFile = await loadTenantsFile(values.config);
  let secrets: SecretStore;
  if (values.secrets) {
    try {
      secrets = await LocalSecretStore.load(values.secrets);
    } catch (error) {
      throw new UsageError(`--secrets: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (tenantsFile.keyVaultUrl) {
    secrets = new KeyVaultSecretStore(tenantsFile.keyVaultUrl, new DefaultAzureCredential(sdkClientOptions()));
  } else {
    throw new UsageError(`--config ${values.config} has no keyVaultUrl; give it one, or pass --secrets FILE for a laptop run`);
  }
  const agent = createAgent();
  try {
    const { code } = await runAndPrint(tenantsFile.tenants, { dispatcher: agent, secrets, tokens: new TokenProvider(agent) }, { json: values.json, failOnUnhealthy: values['fail-on-unhealthy'] }, io);
    return code;
  } finally {
    await agent.close();
  }
}


/** Reads and validates a tenants file; every problem is a usage error naming the file, the tenant and the field. */
export async function loadTenantsFile(path: string): Promise<TenantsFile> {
  const file = await readJsonFile(path, '--config');
  try {
    return parseTenantsFile(file);
  } catch (error) {
    if (error instanceof TenantDefinitionError) throw new UsageError(`--config ${path}: ${error.message}`);
    throw error;
  }
}
