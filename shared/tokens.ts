// App-only tokens per tenant and resource with @azure/msal-node; one client per tenant and app, reused while warm.
import { createHash } from 'node:crypto';
import { ManagedIdentityCredential } from '@azure/identity';
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import { CLOUDS } from './clouds';
import type { CredentialMaterial } from './credentials';
import { decodeClaims, type Evidence, type TokenClaims } from './evidence';
import { bodyExcerpt, evidenceHeaders } from './http';
import { UndiciNetworkClient, type NetworkObserver } from './msal-network-client';
import type { TenantDefinition } from './tenants';

export type TokenOutcome =
  | { ok: true; accessToken: string; claims: TokenClaims; fromCache: boolean; ms: number; evidence: Evidence }
  | { ok: false; ms: number; evidence: Evidence };

/** The audience a managed identity asks for when it vouches for an app through a federated credential. */
const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

/** The last token-endpoint exchange a client made, filled in by its network client. */
interface ExchangeSlot { last?: Parameters<NetworkObserver>[0] }
interface CachedClient { app: ConfidentialClientApplication; seen: ExchangeSlot }

export class TokenProvider {
  private readonly clients = new Map<string, CachedClient>();

  constructor(private readonly dispatcher: Dispatcher, private readonly timeoutMs = 15_000) {}

  /** A token for one resource scope; MSAL's cache answers repeat calls until the token nears expiry. */
  async acquire(tenant: TenantDefinition, material: CredentialMaterial, scope: string, observedAt: string): Promise<TokenOutcome> {
    const started = performance.now();
    const cached = this.client(tenant, material);
    const observed = watch(cached);
    const url = `${CLOUDS[tenant.cloud].login}/${tenant.tenantId}/oauth2/v2.0/token`;
    const request: Evidence['request'] = { method: 'POST', url, operation: `client_credentials ${scope}`, authMode: 'app-only' };
    try {
      const result = await cached.app.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result) throw new Error('MSAL returned no token');
      const claims = decodeClaims(result.accessToken) ?? {};
      const ms = Math.round(performance.now() - started);
      return {
        ok: true, accessToken: result.accessToken, claims, fromCache: result.fromCache, ms,
        // The success body holds the token itself, so only the status is kept.
        evidence: { endpoint: 'token', request, response: { status: result.fromCache ? null : 200, headers: {}, body: '' }, tokenClaims: claims, observedAt },
      };
    } catch (error) {
      const exchange = observed();
      const e = error as { name?: string; errorCode?: string; errorMessage?: string; message?: string };
      return {
        ok: false,
        ms: Math.round(performance.now() - started),
        evidence: {
          endpoint: 'token',
          request,
          ...(exchange ? { response: { status: exchange.status, headers: evidenceHeaders(exchange.headers), body: bodyExcerpt(typeof exchange.body === 'string' ? exchange.body : JSON.stringify(exchange.body)) } } : {}),
          error: { name: e.name ?? 'Error', message: e.errorMessage || e.message || String(error), ...(e.errorCode ? { code: e.errorCode } : {}) },
          observedAt,
        },
      };
    }
  }

  /** One client per cloud, tenant, app and credential: a rotated secret gets a fresh client and cache. */
  private client(tenant: TenantDefinition, material: CredentialMaterial): CachedClient {
    const fingerprint = createHash('sha256').update(JSON.stringify(material)).digest('hex');
    const key = `${tenant.cloud}|${tenant.tenantId.toLowerCase()}|${tenant.clientId.toLowerCase()}|${fingerprint}`;
    const existing = this.clients.get(key);
    if (existing) return existing;
    const seen: ExchangeSlot = {};
    const configuration: Configuration = {
      auth: { clientId: tenant.clientId, authority: `${CLOUDS[tenant.cloud].login}/${tenant.tenantId}`, ...msalCredential(material) },
      system: {
        networkClient: new UndiciNetworkClient(this.dispatcher, this.timeoutMs, (exchange) => { seen.last = exchange; }),
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
      },
    };
    const entry: CachedClient = { app: new ConfidentialClientApplication(configuration), seen };
    this.clients.set(key, entry);
    return entry;
  }
}

/** Forgets the client's last exchange and returns a reader for the next one (a tenant's tokens are fetched one at a time). */
function watch(client: CachedClient): () => ExchangeSlot['last'] {
  client.seen.last = undefined;
  return () => client.seen.last;
}

function msalCredential(material: CredentialMaterial): Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate' | 'clientAssertion'> {
  switch (material.kind) {
    case 'secret':
      return { clientSecret: material.secret };
    case 'certificate':
      return { clientCertificate: material.certificate };
    case 'federated': {
      const identity = new ManagedIdentityCredential(material.managedIdentityClientId ? { clientId: material.managedIdentityClientId } : {});
      return {
        clientAssertion: async () => {
          const token = await identity.getToken(TOKEN_EXCHANGE_SCOPE);
          return token.token;
        },
      };
    }
  }
}
