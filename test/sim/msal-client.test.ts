// @azure/msal-node, unmodified, gets tokens from the simulated Entra ID with a secret and with a certificate.
import { X509Certificate } from 'node:crypto';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { Agent } from 'undici';
import { UndiciNetworkClient } from '../../shared/clients/msal-network-client';
import { TokenProvider } from '../../shared/clients/tokens';
import { tenantDefinitionsFor } from '../../sim/demo-tenants';
import { routeToSimulatedCloud } from '../../sim/route-to-sim';
import type { SimulatedCloud } from '../../sim/server';
import { startSim, tenantNamed } from '../helpers/sim';

let sim: SimulatedCloud;
let agent: Agent;
beforeAll(async () => {
  sim = await startSim(undefined, { realClock: true });
  agent = new Agent();
});
afterAll(async () => {
  await agent.close();
  await sim.close();
});

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

type MsalCredential =
  | { clientSecret: string }
  | { clientCertificate: { thumbprintSha256: string; privateKey: string } }
  | { clientAssertion: () => Promise<string> };

function msalFor(tenantId: string, clientId: string, credential: MsalCredential) {
  return new ConfidentialClientApplication({
    auth: { clientId, authority: `https://login.microsoftonline.com/${tenantId}`, ...credential },
    system: { networkClient: new UndiciNetworkClient(routeToSimulatedCloud(sim.baseUrl, agent)) },
  });
}

test('a client secret gets an app-only Exchange token with the app role, and the second call is served from the cache', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const app = msalFor(contoso.tenantId, contoso.clientId, { clientSecret: contoso.clientSecret! });
  const first = await app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] });
  const claims = decode(first!.accessToken);
  expect(claims).toMatchObject({
    aud: 'https://outlook.office365.com',
    tid: contoso.tenantId,
    appid: contoso.clientId,
    appidacr: '1',
    idtyp: 'app',
    ver: '1.0',
  });
  expect(claims.roles).toContain('full_access_as_app');
  const second = await app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] });
  expect(second!.fromCache).toBe(true);
});

test('a certificate assertion signed by MSAL is verified against the registered certificate', async () => {
  const fabrikam = tenantNamed(sim, 'Fabrikam');
  const cert = new X509Certificate(fabrikam.certificatePem!);
  const app = msalFor(fabrikam.tenantId, fabrikam.clientId, {
    clientCertificate: {
      thumbprintSha256: cert.fingerprint256.replace(/:/g, ''),
      privateKey: fabrikam.certificatePem!,
    },
  });
  const result = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  expect(decode(result!.accessToken)).toMatchObject({
    aud: 'https://graph.microsoft.com',
    appidacr: '2',
    roles: ['Mail.Read', 'Organization.Read.All'],
  });
});

test.each([
  [
    'a wrong secret',
    'Contoso',
    { clientSecret: 'not-the-secret-value' },
    'ServerError',
    'invalid_client',
    'AADSTS7000215',
  ],
  ['an expired secret', 'Fourth Coffee', undefined, 'ServerError', 'invalid_client', 'AADSTS7000222'],
  [
    'an app not registered in the tenant',
    'Wide World Importers',
    undefined,
    'ServerError',
    'unauthorized_client',
    'AADSTS700016',
  ],
  [
    'a tenant that does not exist',
    'Consolidated Messenger',
    undefined,
    'ServerError',
    'invalid_request',
    'AADSTS90002',
  ],
  [
    'a Conditional Access block',
    'Graphic Design Institute',
    undefined,
    'InteractionRequiredAuthError',
    'invalid_grant',
    'AADSTS53003',
  ],
])('%s is refused the way Entra refuses it', async (_what, name, credential, errorName, errorCode, aadsts) => {
  const tenant = tenantNamed(sim, name);
  const app = msalFor(tenant.tenantId, tenant.clientId, credential ?? { clientSecret: tenant.clientSecret! });
  await expect(
    app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] }),
  ).rejects.toMatchObject({ name: errorName, errorCode, errorMessage: expect.stringContaining(aadsts) });
});

test('a certificate that is not registered on the app is refused with AADSTS700027', async () => {
  const blueYonder = tenantNamed(sim, 'Blue Yonder Airlines');
  const cert = new X509Certificate(blueYonder.certificatePem!);
  const app = msalFor(blueYonder.tenantId, blueYonder.clientId, {
    clientCertificate: {
      thumbprintSha256: cert.fingerprint256.replace(/:/g, ''),
      privateKey: blueYonder.certificatePem!,
    },
  });
  await expect(
    app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] }),
  ).rejects.toMatchObject({
    errorCode: 'invalid_client',
    errorMessage: expect.stringMatching(
      /AADSTS700027: The certificate with identifier used to sign the client assertion is not registered/,
    ),
  });
});

test('asking for Exchange in a tenant without Exchange Online is AADSTS500011', async () => {
  const school = tenantNamed(sim, 'School of Fine Art');
  const app = msalFor(school.tenantId, school.clientId, { clientSecret: school.clientSecret! });
  await expect(
    app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] }),
  ).rejects.toMatchObject({
    errorCode: 'invalid_resource',
    errorMessage: expect.stringContaining(
      'AADSTS500011: The resource principal named https://outlook.office365.com was not found',
    ),
  });
  await expect(
    app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }),
  ).resolves.toBeTruthy();
});

/** What tenant-health's managed identity presents for a federated credential: its token for api://AzureADTokenExchange. */
const managedIdentityAssertion = async () => {
  const url = `${sim.endpoints.identity}?api-version=2019-08-01&resource=api://AzureADTokenExchange`;
  const response = await fetch(url, { headers: { 'x-identity-header': sim.endpoints.identityHeader } });
  return ((await response.json()) as { access_token: string }).access_token;
};

test("a managed identity token named by the app's federated credential is accepted as its client assertion", async () => {
  const tailwind = tenantNamed(sim, 'Tailwind Traders');
  expect(tailwind.keyVaultSecretName).toBeUndefined();
  const app = msalFor(tailwind.tenantId, tailwind.clientId, { clientAssertion: managedIdentityAssertion });
  const result = await app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] });
  expect(decode(result!.accessToken)).toMatchObject({
    appid: tailwind.clientId,
    appidacr: '2',
    roles: ['full_access_as_app'],
  });
});

test('the same assertion for an app without that federated credential is AADSTS70021', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const app = msalFor(contoso.tenantId, contoso.clientId, { clientAssertion: managedIdentityAssertion });
  await expect(
    app.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] }),
  ).rejects.toMatchObject({
    errorCode: 'invalid_request',
    errorMessage: expect.stringMatching(
      /AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: 'https:\/\/sts\.windows\.net\//,
    ),
  });
});

test('the token client asks for two scopes at once and tells their answers apart; a rotated secret replaces its MSAL client', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const provider = new TokenProvider(routeToSimulatedCloud(sim.baseUrl, agent));
  const [definition] = tenantDefinitionsFor([contoso]);
  const right = { kind: 'secret' as const, secret: contoso.clientSecret! };
  const wrong = { kind: 'secret' as const, secret: 'not-the-secret' };
  const at = new Date().toISOString();
  const [exchange, graph] = await Promise.all([
    provider.acquire(definition!, wrong, 'https://outlook.office365.com/.default', at),
    provider.acquire(definition!, wrong, 'https://graph.microsoft.com/.default', at),
  ]);
  // Each failure keeps its own answer: the scope asked for is in each one's request, the AADSTS line in each body.
  for (const outcome of [exchange, graph]) {
    expect(outcome.ok).toBe(false);
    expect(outcome.evidence.response?.body).toMatch(/AADSTS7000215/);
  }
  expect(exchange.evidence.request?.operation).toMatch(/outlook\.office365\.com/);
  expect(graph.evidence.request?.operation).toMatch(/graph\.microsoft\.com/);
  // One granted and one refused at the same moment: the refusal keeps its own answer, not the other's success.
  const [granted, unknownResource] = await Promise.all([
    provider.acquire(definition!, right, 'https://graph.microsoft.com/.default', at),
    provider.acquire(definition!, right, 'https://unknown-resource.example.com/.default', at),
  ]);
  expect(granted.ok).toBe(true);
  expect(unknownResource.evidence.response?.body).toMatch(/AADSTS500011/);
  const clients = (provider as unknown as { clients: Map<string, unknown> }).clients;
  for (const material of [right, { kind: 'secret' as const, secret: 'rotated-1' }, right])
    await provider.acquire(definition!, material, 'https://outlook.office365.com/.default', at);
  expect(clients.size).toBe(1);
  expect((await provider.acquire(definition!, right, 'https://outlook.office365.com/.default', at)).ok).toBe(true);
});
