// `tenant-health check --config FILE`: one cycle against real tenants (credentials from Key Vault or a local file), or against their simulated twins.
import { stat } from 'node:fs/promises';
import { LocalSecretStore, type SecretStore } from '../shared/clients/key-vault';
import { createAgent } from '../shared/clients/http';
import { ALLOW_LOOPBACK_SETTING, proxyProblem } from '../shared/core/endpoints';
import { readSettings } from '../shared/core/settings';
import { reportOf } from '../shared/service/check-service';
import { runCycle, type PipelineDeps } from '../shared/service/pipeline';
import { createPipeline } from '../shared/service/services';
import { parseTenantsFile, TenantDefinitionError, type TenantsFile } from '../shared/core/tenants';
import { parseScenario } from '../sim/scenario';
import { storeTwinCredentials, twinScenario } from '../sim/twin-scenario';
import { parseCommand, readJsonFile, UsageError, type CommandSpec } from './args';
import type { Io } from './io';
import { cycleOutput, RUN_OUTPUT_OPTIONS, runAndPrint, type OnTenantDone } from './run-cycle';
import { startSimulatedWorld } from './simulated-world';

export const CHECK_COMMAND = {
  name: 'check',
  summary: 'check the tenants in a tenants file once, as the Function App does, and print the report',
  usage: [
    'check --config FILE [--secrets FILE] [--json | --wide] [--fail-on-unhealthy]',
    'check --config FILE --sim [--json]',
  ],
  options: {
    config: { type: 'string', value: 'FILE', help: 'the tenants file (README: "Checking your own tenants"); required' },
    secrets: {
      type: 'string',
      value: 'FILE',
      help: 'app credentials from a local JSON file instead of the Key Vault named by keyVaultUrl',
    },
    sim: {
      type: 'boolean',
      default: false,
      help: 'a dry run: check a simulated twin of each tenant (same ids, apps, credential kinds, secret names and canaries, set up as onboard says) on loopback',
    },
    ...RUN_OUTPUT_OPTIONS,
  },
  examples: [
    'tenant-health check --config tenants.json --sim',
    'tenant-health check --config tenants.json',
    'tenant-health check --config tenants.json --secrets secrets.local.json --json > run.json',
  ],
} satisfies CommandSpec;

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(CHECK_COMMAND, args);
  if (!values.config) throw new UsageError('--config FILE is required (the tenants to check; see README)');
  const tenantsFile = await loadTenantsFile(values.config, (line) => io.stderr(`check: ${line}`));
  const { settings } = readSettings({ TENANT_DEADLINE_SECONDS: process.env.TENANT_DEADLINE_SECONDS });
  const problem = proxyProblem();
  if (problem) throw new UsageError(problem);
  const output = cycleOutput(values);
  const cycle = (pipeline: PipelineDeps) => async (onTenantDone: OnTenantDone) =>
    reportOf(
      await runCycle(tenantsFile.tenants, pipeline, {
        tenantDeadlineMs: settings.tenantDeadlineSeconds * 1000,
        onTenantDone,
      }),
      [],
    );

  if (values.sim) {
    if (values.secrets)
      throw new UsageError(
        "--secrets and --sim cannot be combined: the twins' credentials live in the simulated vault",
      );
    io.stderr(`check --sim: starting simulated twins of the ${tenantsFile.tenants.length} entries in ${values.config}`);
    const world = await startSimulatedWorld(parseScenario(twinScenario(tenantsFile.tenants)), { proxied: true });
    try {
      storeTwinCredentials(world.sim.world, tenantsFile.tenants);
      io.stderr(
        `check --sim: checking them at ${world.sim.baseUrl}, each a healthy tenant set up as onboard says (nothing reaches Microsoft; keyVaultUrl is not read)`,
      );
      return (await runAndPrint(cycle(world.pipeline), output, io)).code;
    } finally {
      await world.close();
    }
  }

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
    io.stderr(`check: checking the ${tenantsFile.tenants.length} entries in ${values.config}`);
    return (await runAndPrint(cycle(pipeline), output, io)).code;
  } finally {
    await agent.close();
  }
}

const LARGE_FILE_BYTES = 1_048_576;

/** Reads and validates a tenants file; every problem is a usage error naming the file, the tenant and the field. */
export async function loadTenantsFile(path: string, say?: (line: string) => void): Promise<TenantsFile> {
  const started = Date.now();
  // A fleet's file (thousands of entries) takes seconds to read and validate: say so before, and after.
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (say && size > LARGE_FILE_BYTES) say(`reading ${path} (${(size / 1_048_576).toFixed(1)} MiB)...`);
  const file = await readJsonFile(path, '--config');
  try {
    const parsed = parseTenantsFile(file, { allowLoopback: process.env[ALLOW_LOOPBACK_SETTING] === 'true' });
    if (say && size > LARGE_FILE_BYTES)
      say(`${parsed.tenants.length} entries read and valid in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return parsed;
  } catch (error) {
    if (error instanceof TenantDefinitionError) throw new UsageError(`--config ${path}: ${error.message}`);
    throw error;
  }
}
