// App-only tokens per tenant and resource with @azure/msal-node; one client per tenant and app, reused while warm.
import { createHash } from 'node:crypto';
import { ManagedIdentityCredential } from '@azure/identity';
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import { CLOUDS } from '../core/clouds';
import type { CredentialMaterial } from './key-vault';
import { retryAfterMs } from '../core/retry-after';
import { decodeClaims, type Evidence, type TokenClaims } from '../core/evidence';
import { sdkClientOptions } from './azure-sdk';
import { bodyExcerpt, deadlineError, DEFAULT_LIMITS, evidenceHeaders, untilDeadline, type HttpLimits } from './http';
import { UndiciNetworkClient, type NetworkObserver } from './msal-network-client';
import type { TenantDefinition } from '../core/tenants';

export type TokenOutcome =
  | { ok: true; accessToken: string; claims: TokenClaims; fromCache: boolean; ms: number; evidence: Evidence }
  | { ok: false; ms: number; evidence: Evidence };

/** Entra's answer that the app's secret or certificate is wrong, expired or unknown (not a throttle or an outage). */
export const refusesCredential = (outcome: TokenOutcome): boolean =>
  !outcome.ok &&
  /invalid_client|AADSTS(?:7000215|7000222|700027|70002|50012)\b/.test(
    `${outcome.evidence.response?.body ?? ''} ${outcome.evidence.error?.code ?? ''} ${outcome.evidence.error?.message ?? ''}`,
  );

/** The audience a managed identity asks for when it vouches for an app through a federated credential. */
const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

/**
 * The last token-endpoint exchange a client made for each scope, filled in by its network client (a tenant's tokens
 * are asked for in parallel), and the deadline the check runs under.
 */
interface ExchangeSlot {
  byScope: Map<string, Parameters<NetworkObserver>[0]>;
  deadline?: AbortSignal;
}
/** An answer that makes MSAL hold back its next requests for the scope (429, 5xx, or Retry-After on a failure). */
interface Throttle {
  until: number;
  evidence: Evidence;
}
interface CachedClient {
  app: ConfidentialClientApplication;
  /** The last token per scope, handed out again without asking MSAL while it has more than a few minutes left. */
  tokens: Map<string, { accessToken: string; claims: TokenClaims; expiresOn: number }>;
  /** Which credential the client was built with: a rotated one replaces the client and its cache. */
  fingerprint: string;
  seen: ExchangeSlot;
  throttles: Map<string, Throttle>;
}

/** MSAL's own bounds on how long it throttles a scope (msal-common ThrottlingUtils): 60 s by default, an hour at most. */
const THROTTLE_DEFAULT_S = 60;
const THROTTLE_MAX_S = 3600;

export class TokenProvider {
  private readonly clients = new Map<string, CachedClient>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly limits: HttpLimits = DEFAULT_LIMITS,
  ) {}

  /** A token for one resource scope; MSAL's cache answers repeat calls until the token nears expiry. */
  async acquire(
    tenant: TenantDefinition,
    material: CredentialMaterial,
    scope: string,
    observedAt: string,
    deadline?: AbortSignal,
  ): Promise<TokenOutcome> {
    const started = performance.now();
    const cached = this.client(tenant, material);
    const kept = cached.tokens.get(scope);
    if (kept && kept.expiresOn - Date.now() > TOKEN_REFRESH_MARGIN_MS)
      return fromMemory(kept, scope, tenant, observedAt);
    const observed = watch(cached, scope, deadline);
    const request = tokenRequest(tenant, scope);
    try {
      const result = await untilDeadline(cached.app.acquireTokenByClientCredential({ scopes: [scope] }), deadline);
      if (!result) throw new Error('MSAL returned no token');
      const claims = decodeClaims(result.accessToken) ?? {};
      if (result.expiresOn)
        cached.tokens.set(scope, { accessToken: result.accessToken, claims, expiresOn: result.expiresOn.getTime() });
      const ms = Math.round(performance.now() - started);
      return {
        ok: true,
        accessToken: result.accessToken,
        claims,
        fromCache: result.fromCache,
        ms,
        // The success body holds the token itself, so only the status is kept.
        evidence: {
          endpoint: 'token',
          request,
          response: { status: result.fromCache ? null : 200, headers: {}, body: '' },
          tokenClaims: claims,
          observedAt,
        },
      };
    } catch (error) {
      const exchange = observed();
      const ms = Math.round(performance.now() - started);
      const e = error as { name?: string; errorCode?: string; errorMessage?: string; message?: string; code?: unknown };
      if (!exchange) {
        const held = cached.throttles.get(scope);
        if (held && Date.now() < held.until) return { ok: false, ms, evidence: notRetried(held) };
      }
      const evidence: Evidence = {
        endpoint: 'token',
        request,
        ...(exchange
          ? {
              response: {
                status: exchange.status,
                headers: evidenceHeaders(exchange.headers),
                body: bodyExcerpt(typeof exchange.body === 'string' ? exchange.body : JSON.stringify(exchange.body)),
              },
            }
          : {}),
        error:
          deadline?.aborted && !exchange
            ? deadlineError('cut off')
            : {
                name: e.name ?? 'Error',
                message: e.errorMessage || e.message || String(error),
                ...(e.errorCode ? { code: e.errorCode } : typeof e.code === 'string' ? { code: e.code } : {}),
              },
        observedAt,
      };
      const throttle = exchange && throttleSeconds(exchange);
      if (throttle) cached.throttles.set(scope, { until: Date.now() + throttle * 1000, evidence });
      return { ok: false, ms, evidence };
    }
  }

  /** One client per cloud, tenant and app, for its current credential: a rotated one replaces it, cache and all. */
  private client(tenant: TenantDefinition, material: CredentialMaterial): CachedClient {
    const fingerprint = createHash('sha256').update(JSON.stringify(material)).digest('hex');
    const key = `${tenant.cloud}|${tenant.tenantId.toLowerCase()}|${tenant.clientId.toLowerCase()}`;
    const existing = this.clients.get(key);
    if (existing?.fingerprint === fingerprint) return existing;
    const seen: ExchangeSlot = { byScope: new Map() };
    const configuration: Configuration = {
      auth: {
        clientId: tenant.clientId,
        authority: `${CLOUDS[tenant.cloud].login}/${tenant.tenantId}`,
        ...msalCredential(material),
      },
      system: {
        networkClient: new UndiciNetworkClient(
          this.dispatcher,
          this.limits,
          (exchange) => {
            for (const scope of exchange.scope?.split(' ') ?? []) seen.byScope.set(scope, exchange);
          },
          () => seen.deadline,
        ),
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
      },
    };
    const entry: CachedClient = {
      app: new ConfidentialClientApplication(configuration),
      tokens: new Map(),
      fingerprint,
      seen,
      throttles: new Map(),
    };
    this.clients.set(key, entry);
    return entry;
  }
}

/** Forgets the client's last exchange for a scope and returns a reader for the next one. */
function watch(
  client: CachedClient,
  scope: string,
  deadline: AbortSignal | undefined,
): () => Parameters<NetworkObserver>[0] | undefined {
  client.seen.byScope.delete(scope);
  client.seen.deadline = deadline;
  return () => client.seen.byScope.get(scope);
}

/** MSAL refreshes a cached token five minutes before it expires; the memory in front of it does the same. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** The token request as evidence records it. */
const tokenRequest = (tenant: TenantDefinition, scope: string): Evidence['request'] => ({
  method: 'POST',
  url: `${CLOUDS[tenant.cloud].login}/${tenant.tenantId}/oauth2/v2.0/token`,
  operation: `client_credentials ${scope}`,
  authMode: 'app-only',
});

/** A token handed out again from memory, with the same evidence as one from MSAL's cache (no exchange). */
function fromMemory(
  kept: { accessToken: string; claims: TokenClaims },
  scope: string,
  tenant: TenantDefinition,
  observedAt: string,
): TokenOutcome {
  return {
    ok: true,
    accessToken: kept.accessToken,
    claims: kept.claims,
    fromCache: true,
    ms: 0,
    evidence: {
      endpoint: 'token',
      request: tokenRequest(tenant, scope),
      response: { status: null, headers: {}, body: '' },
      tokenClaims: kept.claims,
      observedAt,
    },
  };
}

/** How long MSAL will now refuse to ask again, in seconds, when the answer makes it throttle; null when it does not. */
function throttleSeconds(exchange: Parameters<NetworkObserver>[0]): number | null {
  const failed = exchange.status < 200 || exchange.status >= 300;
  const retryAfter = exchange.headers['retry-after'];
  if (!(
    exchange.status === 429 ||
    (exchange.status >= 500 && exchange.status < 600) ||
    (failed && retryAfter !== undefined)
  ))
    return null;
  const seconds = Math.ceil((retryAfterMs(retryAfter, Date.now()) ?? 0) / 1000);
  return Math.min(seconds > 0 ? seconds : THROTTLE_DEFAULT_S, THROTTLE_MAX_S);
}

/** The answer that throttled the scope, as it was seen then, saying that no new request was made and until when. */
function notRetried(held: Throttle): Evidence {
  const until = new Date(held.until).toISOString();
  return {
    ...held.evidence,
    error: {
      ...(held.evidence.error ?? { name: 'ServerError' }),
      message:
        `not retried: Entra asked us to wait until ${until}; this is its answer of ${held.evidence.observedAt ?? 'earlier'}: ${held.evidence.error?.message ?? ''}`.trim(),
    },
    retry: { waitMs: Math.max(0, held.until - Date.now()), honoured: true },
  };
}

function msalCredential(
  material: CredentialMaterial,
): Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate' | 'clientAssertion'> {
  switch (material.kind) {
    case 'secret':
      return { clientSecret: material.secret };
    case 'certificate':
      return { clientCertificate: material.certificate };
    case 'federated': {
      const identity = new ManagedIdentityCredential({
        ...sdkClientOptions(),
        ...(material.managedIdentityClientId ? { clientId: material.managedIdentityClientId } : {}),
      });
      return {
        clientAssertion: async () => {
          const token = await identity.getToken(TOKEN_EXCHANGE_SCOPE);
          return token.token;
        },
      };
    }
  }
}
