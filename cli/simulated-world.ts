// The simulated cloud with tenant-health wired to it as in Azure: its Key Vault read as the managed identity, every call on loopback.
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Dispatcher } from 'undici';
import { sdkClientOptions } from '../shared/clients/azure-sdk';
import { createPipeline } from '../shared/service/services';
import { createAgent } from '../shared/clients/http';
import type { PipelineDeps } from '../shared/service/pipeline';
import type { TenantDefinition } from '../shared/core/tenants';
import { tenantDefinitionsFor } from '../sim/demo-tenants';
import { routeToSimulatedCloud } from '../sim/route-to-sim';
import type { Scenario } from '../sim/scenario';
import { startSimulatedCloud, type SimulatedCloud } from '../sim/server';

/** The simulated cloud, and where tenant-health's calls go to reach it: the dispatcher and the managed identity. */
export interface SimulatedWorld {
  sim: SimulatedCloud;
  tenants: TenantDefinition[];
  dispatcher: Dispatcher;
  credential: TokenCredential;
  pipeline: PipelineDeps;
  close(): Promise<void>;
}

/**
 * Starts the simulated cloud and wires tenant-health to it. Its calls stay on loopback and skip any proxy, unless
 * `proxied` (check --sim, a dry run of check): then they take the proxy settings check would take.
 */
export async function startSimulatedWorld(
  scenario?: Scenario,
  options: { proxied?: boolean } = {},
): Promise<SimulatedWorld> {
  const sim = await startSimulatedCloud(scenario ? { scenario } : {});
  const agent = createAgent(undefined, undefined, options.proxied ? process.env : {});
  // tenant-health reads app credentials from its Key Vault as its managed identity, here the simulated one.
  process.env.IDENTITY_ENDPOINT = sim.endpoints.identity;
  process.env.IDENTITY_HEADER = sim.endpoints.identityHeader;
  const dispatcher = routeToSimulatedCloud(sim.baseUrl, agent);
  const credential = new ManagedIdentityCredential(sdkClientOptions());
  return {
    sim,
    tenants: tenantDefinitionsFor(sim.scenarios()),
    dispatcher,
    credential,
    pipeline: createPipeline({ keyVaultUrl: sim.endpoints.keyvault }, { dispatcher, credential })!,
    close: async () => {
      await agent.close();
      await sim.close();
    },
  };
}
