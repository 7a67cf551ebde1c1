// The HTTP API over stored results, free of any host: the Functions adapt their requests to it.
import { createHash } from 'node:crypto';
import type { ServiceDeps } from './check-service';
import { NotConfiguredError } from './errors';
import type { Verdict } from '../diagnosis/engine';
import { isStale } from '../alerts/decisions';
import { parseJsonOrNull } from '../core/json';
import type { TenantResult } from './pipeline';
import { isTenantId } from '../core/tenant-id';

export interface ApiRequest {
  method: string;
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  header(name: string): string | null;
}

/** One route's handler: the request, the services, and where to log our own failures. */
export type StatusApi = (request: ApiRequest, deps: ServiceDeps, log: (error: unknown) => void) => Promise<ApiResponse>;

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  jsonBody?: unknown;
}

/** What a status page shows for a tenant: its verdict, or stale when its latest result is too old to stand for now. */
type State = Verdict | 'stale';
const ORDER: State[] = ['healthy', 'unknown', 'degraded', 'stale', 'failing'];
const worst = (states: State[]): State | 'empty' =>
  states.length ? states.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a)) : 'empty';
/** For ?failOn, stale counts as failing: a monitor must not read silence as health. */
const failRank = (state: State) => ORDER.indexOf(state === 'stale' ? 'failing' : state);
const BADGE_COLOURS: Record<string, string> = {
  healthy: 'brightgreen',
  degraded: 'yellow',
  failing: 'red',
  unknown: 'lightgrey',
  stale: 'orange',
};

const stateOf = (row: Record<string, unknown>, deps: ServiceDeps): State =>
  isStale(text(row.checkedAt), (deps.now ?? Date.now)(), deps.settings.staleAfterMinutes * 60_000)
    ? 'stale'
    : (text(row.verdict, 'unknown') as Verdict);

function json(request: ApiRequest, status: number, body: unknown, cacheControl: string): ApiResponse {
  const etag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl, etag };
  if (
    status === 200 &&
    request
      .header('if-none-match')
      ?.split(',')
      .some((t) => t.trim() === etag)
  )
    return { status: 304, headers };
  return { status, headers, jsonBody: body };
}

/** An RFC 9457 problem answer; a 503 says when to come back. */
export const problem = (status: number, title: string, detail: string): ApiResponse => ({
  status,
  headers: {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
    ...(status === 503 ? { 'retry-after': '30' } : {}),
  },
  jsonBody: { title, status, detail },
});

/** The tenant named in the route, or the answer that refuses it; nothing unchecked reaches storage. */
function tenantParam(request: ApiRequest): { ok: true; tenantId: string } | { ok: false; response: ApiResponse } {
  const value = request.params.tenant;
  if (!isTenantId(value))
    return {
      ok: false,
      response: problem(
        400,
        'Not a tenant id',
        'The tenant in the path must be a tenant GUID or a domain such as contoso.onmicrosoft.com.',
      ),
    };
  return { ok: true, tenantId: value.toLowerCase() };
}

/** Our storage failing is a 503 for the caller, with no internal detail; the caller's adapter logs the cause. */
async function guarded(work: () => Promise<ApiResponse>, log: (error: unknown) => void): Promise<ApiResponse> {
  try {
    return await work();
  } catch (error) {
    log(error);
    if (error instanceof NotConfiguredError) return problem(503, 'Not configured', error.message);
    return problem(503, 'Status unavailable', 'Stored results could not be read; try again shortly.');
  }
}

/** Runs work for the tenant in the route, guarded; a malformed tenant is refused before anything is read. */
function forTenant(
  request: ApiRequest,
  log: (error: unknown) => void,
  work: (tenantId: string) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const tenant = tenantParam(request);
  return tenant.ok ? guarded(() => work(tenant.tenantId), log) : Promise.resolve(tenant.response);
}

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

/** GET /api/status: overall and per-tenant state for status pages; ?failOn=failing|degraded answers 503 at or past that. */
export const statusSummary: StatusApi = (request, deps, log) => {
  return guarded(async () => {
    const failOn = request.query.get('failOn');
    if (failOn !== null && failOn !== 'failing' && failOn !== 'degraded')
      return problem(400, 'Bad failOn', 'failOn must be "failing" or "degraded".');
    const rows = await deps.store.allLatest(['tenantId', 'name', 'verdict', 'checkedAt']);
    const tenants = rows
      .map((row) => ({
        tenantId: text(row.tenantId, row.rowKey),
        name: text(row.name),
        status: stateOf(row, deps),
        checkedAt: text(row.checkedAt),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const overall = worst(tenants.map((t) => t.status));
    const count = (v: State) => tenants.filter((t) => t.status === v).length;
    const body = {
      status: overall,
      generatedAt: new Date((deps.now ?? Date.now)()).toISOString(),
      counts: {
        total: tenants.length,
        healthy: count('healthy'),
        degraded: count('degraded'),
        failing: count('failing'),
        unknown: count('unknown'),
        stale: count('stale'),
      },
      tenants,
    };
    const unhealthy = failOn !== null && overall !== 'empty' && failRank(overall) >= failRank(failOn);
    // generatedAt changes every call; the ETag is over what a status page shows.
    const response = json(
      request,
      200,
      { ...body, generatedAt: undefined },
      `public, max-age=${deps.settings.statusCacheSeconds}`,
    );
    if (response.status === 304 && !unhealthy) return response;
    return { ...response, status: unhealthy ? 503 : 200, jsonBody: body };
  }, log);
};

/** GET /api/status/{tenant}: findings with fixes, probe evidence, readiness and recent history (function key). */
export const statusDetail: StatusApi = (request, deps, log) => {
  return forTenant(request, log, async (tenantId) => {
    const row = await deps.store.latest(tenantId);
    if (!row) return problem(404, 'Tenant not found', 'No result is stored for this tenant; is it watched?');
    const history = await deps.store.historyOf(tenantId, 20);
    return json(
      request,
      200,
      {
        tenantId: row.tenantId ?? row.rowKey,
        name: row.name,
        cloud: row.cloud,
        verdict: row.verdict,
        stale: stateOf(row, deps) === 'stale',
        checkedAt: row.checkedAt,
        cycleId: row.cycleId,
        findings: parseJsonOrNull(row.findings),
        probes: parseJsonOrNull(row.probes),
        permissions: parseJsonOrNull(row.permissions),
        readiness: parseJsonOrNull(row.readiness),
        evidence: parseJsonOrNull(row.evidence),
        history: history.map((h) => ({
          checkedAt: h.checkedAt,
          cycleId: h.cycleId,
          verdict: h.verdict,
          topCause: h.topCause || null,
        })),
      },
      'private, no-store',
    );
  });
};

/** GET /api/status/{tenant}/badge: shields.io endpoint JSON; the state only, never a name or a cause. */
export const statusBadge: StatusApi = (request, deps, log) => {
  return forTenant(request, log, async (tenantId) => {
    const row = await deps.store.latest(tenantId);
    const state = row ? stateOf(row, deps) : 'not watched';
    const badge = {
      schemaVersion: 1,
      label: request.query.get('label')?.slice(0, 40) || 'mail access',
      message: state,
      color: BADGE_COLOURS[state] ?? 'lightgrey',
      cacheSeconds: Math.max(300, deps.settings.statusCacheSeconds),
    };
    return json(request, row ? 200 : 404, badge, `public, max-age=${deps.settings.statusCacheSeconds}`);
  });
};

/** POST /api/check/{tenant}: checks one watched tenant now (admin key) and answers with its result. */
export const checkTenantNow: StatusApi = (request, deps, log) => {
  return forTenant(request, log, async (requested) => {
    // The checking half loads on the first check, so that the status routes start with only what reading needs.
    const { checkNow } = await import('./check-service.js');
    const result: TenantResult | null = await checkNow(requested, deps);
    if (!result)
      return problem(404, 'Tenant not watched', 'Only watched tenants can be checked; add it to WatchedTenants first.');
    const { tenantId, name, verdict, checkedAt, findings, probes, readiness } = result;
    return json(request, 200, { tenantId, name, verdict, checkedAt, findings, probes, readiness }, 'no-store');
  });
};

/** One HTTP endpoint: the Functions register it, `demo --serve` routes to it, and the OpenAPI document describes it. */
export interface HttpRoute {
  name: string;
  method: 'GET' | 'POST';
  /** Below /api, with {tenant} as the only parameter. */
  route: string;
  authLevel: 'anonymous' | 'function' | 'admin';
  api: StatusApi;
}

export const HTTP_ROUTES = {
  statusSummary: { name: 'statusSummary', method: 'GET', route: 'status', authLevel: 'anonymous', api: statusSummary },
  statusDetail: {
    name: 'statusDetail',
    method: 'GET',
    route: 'status/{tenant}',
    authLevel: 'function',
    api: statusDetail,
  },
  statusBadge: {
    name: 'statusBadge',
    method: 'GET',
    route: 'status/{tenant}/badge',
    authLevel: 'anonymous',
    api: statusBadge,
  },
  checkTenantNow: {
    name: 'checkTenantNow',
    method: 'POST',
    route: 'check/{tenant}',
    authLevel: 'admin',
    api: checkTenantNow,
  },
} as const satisfies Record<string, HttpRoute>;
