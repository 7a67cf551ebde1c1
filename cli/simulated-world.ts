// The simulated cloud with tenant-health wired to it as in Azure: its Key Vault read as the managed identity, every call on loopback.
import { ManagedIdentityCredential } from '@azure/identity';
import { sdkClientOptions } from '../shared/clients/azure-sdk';
import { KeyVaultSecretStore } from '../shared/clients/key-vault';
import { createAgent } from '../shared/clients/http';
import type { PipelineDeps } from '../shared/service/pipeline';
import type { TenantDefinition } from '../shared/core/tenants';
import { TokenProvider } from '../shared/clients/tokens';
import { tenantDefinitionsFor } from '../sim/demo-tenants';
import { routeToSimulatedCloud } from '../sim/route-to-sim';
import type { Scenario } from '../sim/scenario';
import { startSimulatedCloud, type SimulatedCloud } from '../sim/server';

export interface SimulatedWorld { sim: SimulatedCloud; tenants: TenantDefinition[]; pipeline: PipelineDeps; close(): Promise<void> }

export async function startSimulatedWorld(scenario?: Scenario): Promise<SimulatedWorld> {
  const sim = await startSimulatedCloud(scenario ? { scenario } : {});
  const agent = createAgent();
  // tenant-health reads app credentials from its Key Vault as its managed identity, here the simulated one.
  process.env.IDENTITY_ENDPOINT = sim.endpoints.identity;
  process.env.IDENTITY_HEADER = sim.endpoints.identityHeader;
  const dispatcher = routeToSimulatedCloud(sim.baseUrl, agent);
  return {
    sim,
    tenants: tenantDefinitionsFor(sim.scenarios()),
    pipeline: { dispatcher, secrets: new KeyVaultSecretStore(sim.endpoints.keyvault, new ManagedIdentityCredential(sdkClientOptions())), tokens: new TokenProvider(dispatcher) },
    close: async () => {
      await agent.close();
      await sim.close();
    },
  };
}
