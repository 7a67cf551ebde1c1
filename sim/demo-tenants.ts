// Tenant definitions for the simulated tenants, written as an operator would write them for real ones.
import type { TenantDefinition } from '../shared/core/tenants';
import type { ScenarioListing } from './server';

export function tenantDefinitionsFor(listings: ScenarioListing[]): TenantDefinition[] {
  return listings.map((s) => ({
    tenantId: s.tenantId,
    name: s.name,
    cloud: s.cloud as TenantDefinition['cloud'],
    clientId: s.clientId,
    credential:
      s.credential === 'federated'
        ? { type: 'federated' }
        : { type: s.credential, keyVaultSecretName: s.keyVaultSecretName! },
    canaries: s.mailboxes,
    // The checks mirror how each tenant's app calls the services, misconfigurations included.
    checks: {
      ews: {
        enabled: s.client.ews,
        impersonation: s.client.impersonation,
        auth: s.client.auth,
        ...(s.client.ewsScope ? { scope: s.client.ewsScope } : {}),
      },
      graph: { enabled: true },
      controlPlane: 'auto',
    },
    ...(s.client.userAgent ? { userAgent: s.client.userAgent } : {}),
  }));
}
