// `tenant-health demo`: the simulated cloud on loopback and one cycle over every simulated tenant, as the Functions run it.
import { ManagedIdentityCredential } from '@azure/identity';
import { KeyVaultSecretStore } from '../shared/credentials';
import { TableResultStore } from '../shared/result-store';
import { createAgent } from '../shared/http';
import { tenantDefinitionsFor } from '../sim/demo-tenants';
import { routeToSimulatedCloud } from '../sim/route-to-sim';
import { startSimulatedCloud } from '../sim/server';
import { parseOptions } from './args';
import { startAzurite } from './azurite';
import type { Io } from './io';
import { runAndPrint } from './run-cycle';
import { loadScenarioFile } from './sim-command';

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, {
    json: { type: 'boolean', default: false }, 'fail-on-unhealthy': { type: 'boolean', default: false }, scenarios: { type: 'string' },
  });
  const scenario = values.scenarios ? await loadScenarioFile(values.scenarios) : undefined;
  const [sim, azurite] = await Promise.all([startSimulatedCloud(scenario ? { scenario } : {}), startAzurite()]);
  const agent = createAgent();
  try {
    io.stderr(`demo: simulated Microsoft 365 cloud with ${sim.world.tenants.length} tenants at ${sim.baseUrl}; Table storage (Azurite, in memory) at ${azurite.tableEndpoint}`);
    const store = TableResultStore.fromConnectionString(azurite.connectionString);
    await store.ensureTables();
    // tenant-health reads app credentials from its Key Vault as its managed identity, here the simulated one.
    process.env.IDENTITY_ENDPOINT = sim.endpoints.identity;
    process.env.IDENTITY_HEADER = sim.endpoints.identityHeader;
    const secrets = new KeyVaultSecretStore(sim.endpoints.keyvault, new ManagedIdentityCredential());
    const tenants = tenantDefinitionsFor(sim.scenarios());
    await store.watch(tenants);
    const { code, run } = await runAndPrint(tenants, routeToSimulatedCloud(sim.baseUrl, agent), secrets,
      { json: values.json, failOnUnhealthy: values['fail-on-unhealthy'] }, io);
    await store.saveCycle(run.tenants, { id: run.runId, at: run.startedAt });
    io.stderr(`demo: ${run.tenants.length} tenant results written to Table storage (tables WatchedTenants, TenantStatus and TenantHistory)`);
    return code;
  } finally {
    await agent.close();
    await Promise.all([sim.close(), azurite.close()]);
  }
}
