// Simulated Azure Key Vault secrets (tenant-health's own vault): the challenge 401, then GET/PUT with attributes.
// Shape: learn.microsoft.com/rest/api/keyvault/secrets/get-secret and the challenge of
// learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses: a first request without
// Authorization gets WWW-Authenticate with authorization and resource, as @azure/keyvault-secrets expects.
import { empty, header, json, newRequestId, type SimRequest, type SimResponse } from '../http-kit';
import { audienceResource, checkBearer } from '../tokens';
import type { SimWorld, VaultSecret } from '../world';

export function handleKeyVault(req: SimRequest, world: SimWorld): SimResponse {
  const match = /^\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-f]{32}))?\/?$/.exec(req.path);
  if (!match) return json(404, { error: { code: 'NotFound', message: `No vault operation at ${req.path}` } });
  const operator = world.scenario.operatorTenantId;
  const challenge = {
    'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${operator}", resource="https://vault.azure.net"`,
    'x-ms-request-id': newRequestId(),
  };
  const check = checkBearer(world, header(req, 'authorization'));
  if (!check.ok) {
    const message =
      check.reason === 'missing'
        ? 'AKV10000: Request is missing a Bearer or PoP token.'
        : `AKV10000: Request is missing a valid token (${check.reason}).`;
    return json(401, { error: { code: 'Unauthorized', message } }, challenge);
  }
  if (audienceResource(check.claims.aud) !== 'keyVault') {
    return json(
      401,
      {
        error: {
          code: 'Unauthorized',
          message: `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${check.claims.aud}.`,
        },
      },
      challenge,
    );
  }
  if (check.claims.tid !== operator) {
    return json(
      401,
      {
        error: {
          code: 'Unauthorized',
          message: `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${operator}/, found https://sts.windows.net/${check.claims.tid}/.`,
        },
      },
      challenge,
    );
  }
  const [, name, version] = match as unknown as [string, string, string | undefined];
  if (req.method === 'PUT') {
    let body: { value?: unknown; contentType?: unknown; attributes?: { exp?: unknown } };
    try {
      body = JSON.parse(req.body.toString('utf8')) as typeof body;
    } catch {
      return json(400, { error: { code: 'BadParameter', message: 'The request body is not valid JSON.' } });
    }
    if (typeof body.value !== 'string')
      return json(400, { error: { code: 'BadParameter', message: 'Property value is required.' } });
    const exp = typeof body.attributes?.exp === 'number' ? body.attributes.exp * 1000 : undefined;
    return json(
      200,
      bundle(
        req,
        world.putSecret(name, body.value, typeof body.contentType === 'string' ? body.contentType : undefined, exp),
      ),
    );
  }
  if (req.method !== 'GET') return empty(405);
  const secret = world.vault.get(name.toLowerCase());
  if (!secret || (version && version !== secret.version)) {
    return json(
      404,
      {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
        },
      },
      { 'x-ms-request-id': newRequestId() },
    );
  }
  return json(200, bundle(req, secret), {
    'x-ms-request-id': newRequestId(),
    'x-ms-keyvault-service-version': '1.9.2500.1',
  });
}

function bundle(req: SimRequest, secret: VaultSecret) {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return {
    value: secret.value,
    ...(secret.contentType ? { contentType: secret.contentType } : {}),
    id: `${req.baseUrl}/secrets/${secret.name}/${secret.version}`,
    attributes: {
      enabled: true,
      ...(secret.expiresAt !== undefined ? { exp: seconds(secret.expiresAt) } : {}),
      created: seconds(secret.created),
      updated: seconds(secret.created),
      recoverableDays: 90,
      recoveryLevel: 'Recoverable+Purgeable',
    },
    tags: {},
  };
}
