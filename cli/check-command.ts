// `tenant-health check --config FILE`: one cycle against real tenants, credentials from Key Vault or a local file.
import { LocalSecretStore, type SecretStore } from '../shared/clients/key-vault';
import { createAgent } from '../shared/clients/http';
import { readSettings } from '../shared/core/settings';
import { reportOf } from '../shared/service/check-service';
import { runCycle } from '../shared/service/pipeline';
import { createPipeline } from '../shared/service/services';
import { parseTenantsFile, TenantDefinitionError, type TenantsFile } from '../shared/core/tenants';
import { parseCommand, readJsonFile, UsageError, type CommandSpec } from './args';
import type { Io } from './io';
import { runAndPrint, type OnTenantDone } from './run-cycle';

export const CHECK_COMMAND = {
  name: 'check',
  summary: 'check the tenants in a tenants file once, as the Function App does, and print the report',
  usage: ['check --config FILE [--secrets FILE] [--json] [--fail-on-unhealthy]'],
  options: {
    config: { type: 'string', value: 'FILE', help: 'the tenants file (README: "Checking your own tenants"); required' },
    secrets: {
      type: 'string',
      value: 'FILE',
      help: 'app credentials from a local JSON file instead of the Key Vault named by keyVaultUrl',
    },
    json: {
      type: 'boolean',
      default: false,
      help: 'print the run object as JSON on stdout (progress stays on stderr)',
    },
    'fail-on-unhealthy': { type: 'boolean', default: false, help: 'exit 1 when any tenant is not healthy' },
  },
  examples: [
    'tenant-health check --config tenants.json',
    'tenant-health check --config tenants.json --secrets secrets.local.json --json > run.json',
  ],
} satisfies CommandSpec;

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(CHECK_COMMAND, args);
  if (!values.config) throw new UsageError('--config FILE is required (the tenants to check; see README)');
  const tenantsFile = await loadTenantsFile(values.config);
  const { settings } = readSettings({ TENANT_DEADLINE_SECONDS: process.env.TENANT_DEADLINE_SECONDS });
  let secrets: SecretStore | undefined;
  if (values.secrets) {
    try {
      secrets = await LocalSecretStore.load(values.secrets);
    } catch (error) {
      throw new UsageError(`--secrets: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (!tenantsFile.keyVaultUrl) {
    throw new UsageError(
      `--config ${values.config} has no keyVaultUrl; give it one, or pass --secrets FILE for a laptop run`,
    );
  }
  const agent = createAgent();
  try {
    // With a vault URL, secrets are read as whoever is signed in (DefaultAzureCredential: az login, or a managed identity).
    const pipeline = createPipeline(
      { ...(tenantsFile.keyVaultUrl ? { keyVaultUrl: tenantsFile.keyVaultUrl } : {}) },
      { dispatcher: agent, ...(secrets ? { secrets } : {}) },
    )!;
    const cycle = async (onTenantDone: OnTenantDone) =>
      reportOf(
        await runCycle(tenantsFile.tenants, pipeline, {
          tenantDeadlineMs: settings.tenantDeadlineSeconds * 1000,
          onTenantDone,
        }),
        [],
      );
    const { code } = await runAndPrint(cycle, { json: values.json, failOnUnhealthy: values['fail-on-unhealthy'] }, io);
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
