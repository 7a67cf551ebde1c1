// Simulated Entra ID v2 endpoint: client credentials with a secret or a certificate assertion, and Entra's error JSON.
// Error codes and texts: learn.microsoft.com/entra/identity-platform/reference-error-codes and publicly posted responses
// (AADSTS7000215/7000222/700016/90002/500011/700027/53003), e.g. github.com/Azure/azure-sdk-for-go issues quoting them.
import { X509Certificate } from 'node:crypto';
import { entraTimestamp, header, json, newRequestId, type SimRequest, type SimResponse } from '../http-kit';
import { decodeJwt, verifyJwtSignature } from '../jwt';
import { issueAccessToken, resolveResource, TOKEN_EXCHANGE_AUDIENCE, TOKEN_LIFETIME_SECONDS } from '../tokens';
import type { AppRuntime, SimWorld, TenantRuntime } from '../world';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function handleEntra(req: SimRequest, world: SimWorld): SimResponse {
  const match =
    /^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(
      req.path,
    );
  if (!match) return json(404, { error: 'not_found', error_description: `No Entra endpoint at ${req.path}` });
  const [, tenantSegment, endpoint] = match as unknown as [string, string, string];
  const tenant = world.tenant(tenantSegment);
  const known = tenant?.spec.exists ? tenant : undefined;
  if (endpoint === 'discovery/v2.0/keys') return jwks(world);
  if (endpoint.endsWith('openid-configuration')) {
    if (!known) return entraError(req, world, 400, 'invalid_tenant', 90002, tenantNotFound(tenantSegment));
    return openIdConfiguration(req, known);
  }
  if (req.method !== 'POST')
    return json(405, { error: 'invalid_request', error_description: 'The token endpoint accepts POST only.' });
  return token(req, world, tenantSegment, known);
}

function token(
  req: SimRequest,
  world: SimWorld,
  tenantSegment: string,
  tenant: TenantRuntime | undefined,
): SimResponse {
  const form = new URLSearchParams(req.body.toString('utf8'));
  if (!tenant) return entraError(req, world, 400, 'invalid_request', 90002, tenantNotFound(tenantSegment));
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    return entraError(
      req,
      world,
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`,
    );
  }
  const clientId = form.get('client_id');
  if (!clientId) return missingParameter(req, world, 'client_id');
  const app = tenant.apps.get(clientId.toLowerCase());
  if (!app?.spec.registered) {
    return entraError(
      req,
      world,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.spec.name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const scope = form.get('scope');
  if (!scope) return missingParameter(req, world, 'scope');
  const scopes = scope.split(/\s+/).filter(Boolean);
  const notDefault = scopes.find((s) => !s.endsWith('/.default'));
  if (notDefault) {
    return entraError(
      req,
      world,
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${notDefault} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (scopes.length > 1) {
    return entraError(
      req,
      world,
      400,
      'invalid_scope',
      28000,
      'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ' +
        scope +
        ' is not valid.',
    );
  }
  const credential = authenticateClient(req, world, form, app);
  if ('status' in credential) return credential;
  const resourceId = scopes[0]!.slice(0, -'/.default'.length);
  const resource = resolveResource(resourceId, tenant.spec.cloud);
  const present = resource && (resource.name === 'keyVault' || tenant.spec.resources.includes(resource.name));
  if (!resource || !present) {
    return entraError(
      req,
      world,
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resourceId} was not found in the tenant named ${tenant.spec.name}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  if (tenant.spec.conditionalAccess?.blockedAppIds.some((id) => id.toLowerCase() === clientId.toLowerCase())) {
    return entraError(
      req,
      world,
      400,
      'invalid_grant',
      53003,
      'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
      {
        suberror: 'message_only',
        claims: JSON.stringify({
          access_token: { capolids: { essential: true, values: [tenant.spec.tenantId.replace(/^.{8}/, 'ca000000')] } },
        }),
      },
    );
  }
  return json(
    200,
    {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: issueAccessToken(world, tenant, app, resource, credential.kind),
    },
    entraHeaders(req),
  );
}

type Authenticated = { kind: 'secret' | 'certificate' };

function authenticateClient(
  req: SimRequest,
  world: SimWorld,
  form: URLSearchParams,
  app: AppRuntime,
): Authenticated | SimResponse {
  const clientId = app.spec.clientId;
  const secret = form.get('client_secret');
  if (secret !== null) {
    const matching = app.secrets.find((s) => s.value === secret);
    if (!matching) {
      return entraError(
        req,
        world,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    if (matching.expiresAt <= world.now()) {
      return entraError(
        req,
        world,
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      );
    }
    return { kind: 'secret' };
  }
  const assertion = form.get('client_assertion');
  if (assertion === null) {
    return entraError(
      req,
      world,
      400,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
    return missingParameter(req, world, 'client_assertion_type');
  }
  const jwt = decodeJwt(assertion);
  if (!jwt) return entraError(req, world, 401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  // A certificate assertion is issued by the client itself; a federated one by an identity provider.
  if (jwt.claims.iss !== clientId && typeof jwt.claims.iss === 'string' && jwt.claims.iss.startsWith('https://'))
    return federated(req, world, app, jwt);
  const sha256 =
    typeof jwt.header['x5t#S256'] === 'string'
      ? Buffer.from(jwt.header['x5t#S256'], 'base64url').toString('hex').toUpperCase()
      : undefined;
  const sha1 =
    typeof jwt.header.x5t === 'string'
      ? Buffer.from(jwt.header.x5t, 'base64url').toString('hex').toUpperCase()
      : undefined;
  const used = sha256 ?? sha1 ?? '';
  const cert = app.certificates.find(
    (c) => c.registered && (c.thumbprintSha256 === sha256 || c.thumbprintSha1 === sha1),
  );
  const portalHint = `Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${app.applicationObjectId}'`;
  if (!cert) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${used}', ${portalHint}]`,
    );
  }
  if (!verifyJwtSignature(jwt, new X509Certificate(cert.certificatePem).publicKey)) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${used}', ${portalHint}]`,
    );
  }
  if (cert.notAfter <= world.now()) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${used}', Found key 'Start=${new Date(world.startedAt - 86_400_000).toISOString()}, End=${new Date(cert.notAfter).toISOString()}', ${portalHint}]`,
    );
  }
  const claims = jwt.claims;
  const now = world.now() / 1000;
  if (claims.iss !== clientId || claims.sub !== clientId) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700023,
      'Client assertion audience claim does not match Realm issuer.',
    );
  }
  if (
    typeof claims.exp !== 'number' ||
    claims.exp < now - 300 ||
    (typeof claims.nbf === 'number' && claims.nbf > now + 300)
  ) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700024,
      'Client assertion is not within its valid time range.',
    );
  }
  if (typeof claims.aud !== 'string' || !/\/oauth2\/(v2\.0\/)?token$/.test(claims.aud)) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700212,
      `No matching federated identity record found for presented assertion audience '${String(claims.aud)}'.`,
    );
  }
  return { kind: 'certificate' };
}

/**
 * A federated credential: the assertion is a managed identity's token for api://AzureADTokenExchange, accepted when
 * one of the app's federated identity credentials names its issuer and subject (AADSTS70021 otherwise).
 */
function federated(
  req: SimRequest,
  world: SimWorld,
  app: AppRuntime,
  jwt: NonNullable<ReturnType<typeof decodeJwt>>,
): Authenticated | SimResponse {
  const { iss, sub, aud, exp } = jwt.claims;
  const issuer = `https://sts.windows.net/${world.scenario.operatorTenantId}/`;
  if (!verifyJwtSignature(jwt, world.signingKey.publicKey)) {
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700027,
      'Client assertion failed signature validation. [Reason - The key was not found.]',
    );
  }
  if (typeof exp !== 'number' || exp < world.now() / 1000 - 300)
    return entraError(
      req,
      world,
      401,
      'invalid_client',
      700024,
      'Client assertion is not within its valid time range.',
    );
  const matches =
    iss === issuer &&
    aud === TOKEN_EXCHANGE_AUDIENCE &&
    app.spec.federatedCredentials.some((f) => f.subject.toLowerCase() === String(sub).toLowerCase());
  if (!matches) {
    return entraError(
      req,
      world,
      400,
      'invalid_request',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(iss)}'. Assertion Subject: '${String(sub)}'. Assertion Audience: '${String(aud)}'.`,
    );
  }
  return { kind: 'certificate' };
}

function entraHeaders(req: SimRequest): Record<string, string> {
  return {
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
    'x-ms-request-id': newRequestId(),
    'x-ms-ests-server': '2.1.19999.0 - SIM ProdSlices',
    'client-request-id': req.query.get('client-request-id') ?? header(req, 'client-request-id') ?? newRequestId(),
  };
}

/** Entra's error JSON: error, error_description with trace lines, error_codes, timestamp, trace and correlation ids. */
/** AADSTS900144, as Entra words it for a form field the request lacks. */
const missingParameter = (req: SimRequest, world: SimWorld, name: string): SimResponse =>
  entraError(
    req,
    world,
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${name}'.`,
  );

function entraError(
  req: SimRequest,
  world: SimWorld,
  status: number,
  error: string,
  code: number,
  description: string,
  extra: Record<string, unknown> = {},
): SimResponse {
  const traceId = newRequestId();
  const correlationId = req.query.get('client-request-id') ?? header(req, 'client-request-id') ?? newRequestId();
  const timestamp = entraTimestamp(world.now());
  return json(
    status,
    {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      ...extra,
    },
    entraHeaders(req),
  );
}

const tenantNotFound = (tenant: string) =>
  `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;

function openIdConfiguration(req: SimRequest, tenant: TenantRuntime): SimResponse {
  const base = `${req.baseUrl}/login/${tenant.spec.tenantId}`;
  return json(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${req.baseUrl}/login/${tenant.spec.tenantId}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `https://login.microsoftonline.com/${tenant.spec.tenantId}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
  });
}

function jwks(world: SimWorld): SimResponse {
  const jwk = world.signingKey.publicKey.export({ format: 'jwk' });
  return json(200, {
    keys: [{ kty: 'RSA', use: 'sig', kid: world.signingKey.kid, x5t: world.signingKey.kid, n: jwk.n, e: jwk.e }],
  });
}
