// Access tokens as Entra issues them for app-only callers (v1 claims), and how the simulated resources validate them.
import { randomBytes } from 'node:crypto';
import { CLOUDS, FIRST_PARTY_APP_IDS } from '../shared/core/clouds';
import { decodeJwt, signJwt, verifyJwtSignature, type JwtClaims } from './jwt';
import type { Cloud } from './scenario';
import type { AppRuntime, SimWorld, TenantRuntime } from './world';

export type ResourceName = 'exchange' | 'graph' | 'keyVault';
export interface ResolvedResource {
  name: ResourceName;
  audience: string;
}

export const TOKEN_LIFETIME_SECONDS = 3599;

const RESOURCE_IDS: Record<ResourceName, (cloud: Cloud) => string[]> = {
  exchange: (cloud) => [
    CLOUDS[cloud].exchange,
    ...(cloud === 'worldwide' ? ['https://outlook.office.com', 'https://ps.outlook.com'] : []),
    FIRST_PARTY_APP_IDS.exchange,
  ],
  graph: (cloud) => [CLOUDS[cloud].graph, FIRST_PARTY_APP_IDS.graph],
  keyVault: (cloud) => [CLOUDS[cloud].keyVault, FIRST_PARTY_APP_IDS.keyVault],
};

/** Finds the first-party resource a `.default` scope names, in the tenant's cloud. */
export function resolveResource(resourceId: string, cloud: Cloud): ResolvedResource | null {
  const wanted = resourceId.replace(/\/+$/, '').toLowerCase();
  for (const name of Object.keys(RESOURCE_IDS) as ResourceName[]) {
    const match = RESOURCE_IDS[name](cloud).find((id) => id.toLowerCase() === wanted);
    if (match) return { name, audience: match };
  }
  return null;
}

export function issueAccessToken(
  world: SimWorld,
  tenant: TenantRuntime,
  app: AppRuntime,
  resource: ResolvedResource,
  credential: 'secret' | 'certificate',
): string {
  const iat = Math.floor(world.now() / 1000);
  const tid = tenant.spec.tenantId;
  const roles =
    resource.name === 'keyVault' || !app.spec.adminConsent ? [] : app.spec.applicationPermissions[resource.name];
  const claims: JwtClaims = {
    aud: resource.audience,
    iss: `https://sts.windows.net/${tid}/`,
    iat,
    nbf: iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    aio: randomBytes(24).toString('base64'),
    app_displayname: app.spec.displayName,
    appid: app.spec.clientId,
    appidacr: credential === 'certificate' ? '2' : '1',
    idp: `https://sts.windows.net/${tid}/`,
    idtyp: 'app',
    oid: app.servicePrincipalId,
    rh: `0.${randomBytes(30).toString('base64url')}.`,
    ...(roles.length > 0 ? { roles } : {}),
    sub: app.servicePrincipalId,
    tid,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
  };
  return signJwt({ x5t: world.signingKey.kid, kid: world.signingKey.kid }, claims, world.signingKey.privateKey);
}

/** The audience of the token a managed identity presents as a federated client assertion. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** The audience of Azure Storage tokens (Table, Queue, Blob data access with an identity). */
export const STORAGE_AUDIENCE = 'https://storage.azure.com';

/** Tokens for tenant-health's own managed identity (Key Vault reads, federated assertions), issued in the operator's tenant. */
export function issueManagedIdentityToken(world: SimWorld, audience: string): { token: string; expiresOn: number } {
  const iat = Math.floor(world.now() / 1000);
  const tid = world.scenario.operatorTenantId;
  const { clientId, objectId } = world.scenario.managedIdentity;
  const claims: JwtClaims = {
    aud: audience,
    iss: `https://sts.windows.net/${tid}/`,
    iat,
    nbf: iat,
    exp: iat + 86_399,
    appid: clientId,
    appidacr: '2',
    idp: `https://sts.windows.net/${tid}/`,
    idtyp: 'app',
    oid: objectId,
    sub: objectId,
    tid,
    ver: '1.0',
    xms_mirid: '/subscriptions/sim/resourcegroups/tenant-health/providers/Microsoft.Web/sites/tenant-health',
  };
  return {
    token: signJwt({ x5t: world.signingKey.kid, kid: world.signingKey.kid }, claims, world.signingKey.privateKey),
    expiresOn: iat + 86_399,
  };
}

export type TokenCheck =
  | { ok: true; claims: AccessClaims; tenant: TenantRuntime | undefined }
  | { ok: false; reason: 'missing' | 'malformed' | 'signature' | 'expired' | 'not-yet-valid' | 'unknown-tenant' };

export interface AccessClaims {
  aud: string;
  tid: string;
  appid: string;
  roles: string[];
  scp?: string;
  exp: number;
  nbf: number;
}

/** What every simulated resource checks first: a well-formed JWT signed by the simulated Entra and within its lifetime. */
export function checkBearer(world: SimWorld, authorization: string | undefined, clockAheadSeconds = 0): TokenCheck {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return { ok: false, reason: 'missing' };
  const jwt = decodeJwt(match[1]!);
  if (!jwt) return { ok: false, reason: 'malformed' };
  if (!verifyJwtSignature(jwt, world.signingKey.publicKey)) return { ok: false, reason: 'signature' };
  const claims = jwt.claims as Partial<AccessClaims> & { roles?: unknown };
  if (typeof claims.aud !== 'string' || typeof claims.tid !== 'string' || typeof claims.exp !== 'number')
    return { ok: false, reason: 'malformed' };
  const tenant = world.tenant(claims.tid);
  const now = world.now() / 1000 + clockAheadSeconds + (tenant?.spec.resourceClockAheadSeconds ?? 0);
  // Microsoft's validators allow five minutes of clock skew.
  if (now > claims.exp + 300) return { ok: false, reason: 'expired' };
  if (typeof claims.nbf === 'number' && now < claims.nbf - 300) return { ok: false, reason: 'not-yet-valid' };
  if (!tenant && claims.tid !== world.scenario.operatorTenantId) return { ok: false, reason: 'unknown-tenant' };
  return {
    ok: true,
    tenant,
    claims: {
      aud: claims.aud,
      tid: claims.tid,
      appid: String(claims.appid ?? ''),
      exp: claims.exp,
      nbf: claims.nbf ?? 0,
      roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
      ...(typeof claims.scp === 'string' ? { scp: claims.scp } : {}),
    },
  };
}

/** Which first-party resource a token's audience names, in any cloud (resources accept their own identifiers only). */
export function audienceResource(aud: string): ResourceName | null {
  for (const cloud of Object.keys(CLOUDS) as Cloud[]) {
    const resolved = resolveResource(aud, cloud);
    if (resolved) return resolved.name;
  }
  return null;
}
