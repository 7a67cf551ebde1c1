// Simulated App Service managed identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER), for tenant-health's own Key Vault
// and its identity-based storage.
// Shape: learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference (api-version 2019-08-01).
import { header, json, type SimRequest, type SimResponse } from '../http-kit';
import { audienceResource, issueManagedIdentityToken, STORAGE_AUDIENCE, TOKEN_EXCHANGE_AUDIENCE } from '../tokens';
import type { SimWorld } from '../world';

export function handleIdentity(req: SimRequest, world: SimWorld, identityHeader: string): SimResponse {
  if (header(req, 'x-identity-header') !== identityHeader) {
    return json(401, {
      statusCode: 401,
      message: 'Unauthorized request: the X-IDENTITY-HEADER header is missing or wrong.',
    });
  }
  const resource = (req.query.get('resource') ?? '').replace(/\/\.default$/, '');
  if (!resource || (!audienceResource(resource) && ![TOKEN_EXCHANGE_AUDIENCE, STORAGE_AUDIENCE].includes(resource))) {
    return json(400, {
      statusCode: 400,
      message: `Unable to get token for resource '${resource}'.`,
      correlationId: crypto.randomUUID(),
    });
  }
  const { token, expiresOn } = issueManagedIdentityToken(world, resource);
  return json(200, {
    access_token: token,
    expires_on: String(expiresOn),
    resource,
    token_type: 'Bearer',
    client_id: world.scenario.managedIdentity.clientId,
  });
}
