// @azure/keyvault-secrets, unmodified, reads tenant-health's secrets from the simulated vault, through the challenge,
// with a token from @azure/identity's managed identity credential against the simulated App Service endpoint.
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { SimulatedCloud } from '../../sim/server';
import { startSim, tenantNamed, useSimulatedManagedIdentity } from '../helpers/sim';

let sim: SimulatedCloud;
let restoreEnvironment: () => void;
beforeAll(async () => {
  sim = await startSim(undefined, { realClock: true });
  restoreEnvironment = useSimulatedManagedIdentity(sim);
});
afterAll(async () => {
  restoreEnvironment();
  await sim.close();
});

const client = () =>
  new SecretClient(sim.endpoints.keyvault, new ManagedIdentityCredential(), {
    allowInsecureConnection: true,
    disableChallengeResourceVerification: true,
  });

test('reads a tenant credential with its expiry after answering the challenge', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const secret = await client().getSecret(contoso.keyVaultSecretName!);
  expect(secret.value).toBe(contoso.clientSecret);
  expect(secret.name).toBe(contoso.keyVaultSecretName);
  expect(secret.properties.contentType).toBe('text/plain');
  // The catalogue registers Contoso's secret for 300 days from the start of the clock.
  const days = (secret.properties.expiresOn!.getTime() - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(299);
  expect(days).toBeLessThan(301);
});

test('a certificate credential is stored as PEM with certificate and private key', async () => {
  const fabrikam = tenantNamed(sim, 'Fabrikam');
  const secret = await client().getSecret(fabrikam.keyVaultSecretName!);
  expect(secret.properties.contentType).toBe('application/x-pem-file');
  expect(secret.value).toContain('-----BEGIN CERTIFICATE-----');
  expect(secret.value).toContain('-----BEGIN PRIVATE KEY-----');
});

test('a missing secret is a RestError 404 SecretNotFound', async () => {
  await expect(client().getSecret('no-such-tenant-credential')).rejects.toMatchObject({
    name: 'RestError',
    statusCode: 404,
    code: 'SecretNotFound',
  });
});

test('without a token the vault answers the documented challenge', async () => {
  const response = await fetch(`${sim.endpoints.keyvault}/secrets/anything?api-version=7.5`);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(
    `Bearer authorization="https://login.microsoftonline.com/${sim.world.scenario.operatorTenantId}", resource="https://vault.azure.net"`,
  );
});

test('a token issued to a customer tenant is refused by the operator vault', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: contoso.clientId,
    client_secret: contoso.clientSecret!,
    scope: 'https://vault.azure.net/.default',
  });
  const token = (
    (await (
      await fetch(`${sim.endpoints.login}/${contoso.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: form })
    ).json()) as { access_token: string }
  ).access_token;
  const response = await fetch(`${sim.endpoints.keyvault}/secrets/${contoso.keyVaultSecretName}?api-version=7.5`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(401);
  expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
    /^AKV10032: Invalid issuer/,
  );
});
