// A simulated twin of each tenant in a tenants file, for `check --sim`: the same ids, apps, credential kinds, secret names and canaries, set up as onboarding asks.
import type { TenantDefinition } from '../shared/core/tenants';
import { GUID_PATTERN } from '../shared/core/tenant-id';
import type { ScenarioInput } from './scenario';
import { stableGuid, type SimWorld } from './world';

type TenantInput = ScenarioInput['tenants'][number];
type AppInput = NonNullable<TenantInput['apps']>[number];

const SOURCES = [
  'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth',
];

/** The domain a twin answers to: the tenant's own when it is named by one, else its first canary's. */
const domainOf = (definition: TenantDefinition) =>
  (GUID_PATTERN.test(definition.tenantId) ? definition.canaries[0]!.split('@')[1]! : definition.tenantId).toLowerCase();

function appOf(definition: TenantDefinition): AppInput {
  const { credential } = definition;
  return {
    clientId: definition.clientId,
    displayName: `${definition.name} app`,
    applicationPermissions: {
      exchange: ['full_access_as_app', 'Exchange.ManageAsApp'],
      graph: ['Mail.Read', 'Organization.Read.All'],
    },
    adminRoles: ['Global Reader'],
    ...(credential.type === 'secret'
      ? { secrets: [{ value: stableGuid('twin secret', definition.clientId), expires: '+365d' }] }
      : {}),
    ...(credential.type === 'certificate'
      ? { certificates: [{ subject: `CN=${definition.name}`, expires: '+365d' }] }
      : {}),
    // The simulated cloud's managed identity is the one tenant-health runs as.
    ...(credential.type === 'federated'
      ? { federatedCredentials: [{ subject: 'b7e4d2c1-9a8f-4e3d-8c2b-1a0f9e8d7c6b' }] }
      : {}),
  };
}

/**
 * One healthy simulated tenant per tenant in the file, with every app it is watched with: a check against the twins
 * shows what the file makes tenant-health do (which probes, which mailboxes, which secrets) before any real tenant
 * sees it. Entries of one tenant share a twin.
 */
export function twinScenario(definitions: TenantDefinition[]): ScenarioInput {
  const byTenant = new Map<string, TenantDefinition[]>();
  for (const definition of definitions) {
    const key = definition.tenantId.toLowerCase();
    byTenant.set(key, [...(byTenant.get(key) ?? []), definition]);
  }
  // Domains tenants are named by are theirs; a tenant named by GUID borrows its canaries' domain only if it is free.
  const domains = new Set(
    definitions.filter((d) => !GUID_PATTERN.test(d.tenantId)).map((d) => d.tenantId.toLowerCase()),
  );
  const tenants = [...byTenant.values()].map((entries): TenantInput => {
    const first = entries[0]!;
    const named = !GUID_PATTERN.test(first.tenantId);
    let domain = domainOf(first);
    // Two tenants with canaries in one domain still need a domain each to be told apart.
    for (let n = 2; !named && domains.has(domain); n++) domain = `twin${n}.${domainOf(first)}`;
    domains.add(domain);
    const tenantId = GUID_PATTERN.test(first.tenantId)
      ? first.tenantId.toLowerCase()
      : stableGuid('twin tenant', domain);
    const canaries = [...new Set(entries.flatMap((e) => e.canaries.map((c) => c.toLowerCase())))];
    return {
      tenantId,
      domain,
      name: first.name,
      cloud: first.cloud,
      expectedCause: 'healthy',
      sources: SOURCES,
      exchange: { ewsEnabled: true, ewsAllowedAppIds: entries.map((e) => e.clientId) },
      apps: entries.map(appOf),
      mailboxes: canaries.map((address) => ({ address })),
      probe: {
        clientId: first.clientId,
        credential: first.credential.type,
        canaries: first.canaries,
        ...(first.credential.type === 'federated' ? {} : { keyVaultSecretName: first.credential.keyVaultSecretName }),
        client: {
          ews: first.checks.ews.enabled,
          impersonation: first.checks.ews.impersonation,
          auth: first.checks.ews.auth,
        },
      },
    };
  });
  return { tenants };
}

/** Puts each entry's credential in the simulated vault under the secret name its definition reads. */
export function storeTwinCredentials(world: SimWorld, definitions: TenantDefinition[]): void {
  for (const definition of definitions) {
    if (definition.credential.type === 'federated') continue;
    const tenant = world.tenants.find(
      (t) =>
        t.spec.tenantId === definition.tenantId.toLowerCase() || t.spec.domain === definition.tenantId.toLowerCase(),
    );
    const app = tenant?.apps.get(definition.clientId.toLowerCase());
    if (!app) continue;
    const name = definition.credential.keyVaultSecretName;
    if (definition.credential.type === 'certificate') {
      const certificate = app.certificates[0]!;
      world.putSecret(name, certificate.pem, 'application/x-pem-file', certificate.notAfter);
    } else {
      const secret = app.secrets[0]!;
      world.putSecret(name, secret.value, 'text/plain', secret.expiresAt);
    }
  }
}
