// The HTTP API over stored results, free of any host: the Functions adapt their requests to it.
import { createHash } from 'node:crypto';
import type { ServiceDeps } from './check-service';
import { NotConfiguredError } from './errors';
import type { Verdict } from '../diagnosis/engine';
import { isStale } from '../alerts/decisions';
import { parseJsonOrNull } from '../core/json';
import type { TenantResult } from './pipeline';
import { isTenantId } from '../core/tenant-id';
import { parseTagFilter, withTag } from '../core/tags';
import { isClientId, splitEntryKey, type EntryRef } from '../core/entry';
import { fleetReport, type FleetEntry } from '../core/fleet';
import type { Readiness, ReadinessBand } from '../core/readiness';
import { observedBurnDown, readPoints } from '../core/burn-down';
import { renderStatusPage, statusPageModel } from './status-page';

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
  /** A page's HTML, for the one route that answers people rather than programs. */
  body?: string;
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

/** The tenant (and app, on the routes that name one) in the route, or the answer that refuses them; nothing unchecked reaches storage. */
function entryParams(
  request: ApiRequest,
): { ok: true; tenantId: string; clientId?: string } | { ok: false; response: ApiResponse } {
  const { tenant, app } = request.params;
  if (!isTenantId(tenant))
    return {
      ok: false,
      response: problem(
        400,
        'Not a tenant id',
        'The tenant in the path must be a tenant GUID or a domain such as contoso.onmicrosoft.com.',
      ),
    };
  if ('app' in request.params && !isClientId(app))
    return {
      ok: false,
      response: problem(400, 'Not an app id', "The app in the path must be the app's client id (a GUID)."),
    };
  return { ok: true, tenantId: tenant.toLowerCase(), ...(app ? { clientId: app.toLowerCase() } : {}) };
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

/**
 * Runs work for the tenant (and app) in the route, guarded; malformed ids are refused before anything is read. A
 * tenant named otherwise than it is watched (its GUID for one watched by domain, another verified domain) is found by
 * its names when the first answer is a 404, so the common case costs no extra read.
 */
function forTenant(
  request: ApiRequest,
  deps: ServiceDeps,
  log: (error: unknown) => void,
  work: (tenantId: string, clientId: string | undefined) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const params = entryParams(request);
  if (!params.ok) return Promise.resolve(params.response);
  return guarded(async () => {
    const answer = await work(params.tenantId, params.clientId);
    if (answer.status !== 404) return answer;
    const watchedAs = await deps.store.resolveTenant(params.tenantId);
    return watchedAs && watchedAs !== params.tenantId ? work(watchedAs, params.clientId) : answer;
  }, log);
}

/** The app a status row is for; a row from before entries names none in its key, but its results carry it. */
const clientIdOf = (row: Record<string, unknown>): string =>
  text(row.clientId) || splitEntryKey(text(row.rowKey)).clientId || '';

/**
 * A tenant's name for anonymous readers: stable across cycles (a status page can follow it) and telling nothing of the
 * tenant; its detail route, behind a key, names it.
 */
export const aliasOf = (tenantId: string) =>
  `tenant-${createHash('sha256').update(`tenant-health alias|${tenantId.toLowerCase()}`).digest('hex').slice(0, 10)}`;

/** The tags stored with a status row; a row that has none (or unreadable ones) has none. */
const tagsOf = (row: Record<string, unknown>): Record<string, string> => {
  const parsed = parseJsonOrNull(row.tags);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, string>)
    : {};
};

const sortKey = (line: { name: string } | { alias: string }) => ('name' in line ? line.name : line.alias);

/** One app's line in a tenant's roll-up: its state, and where its detail and badge are. */
function appLine(row: Record<string, unknown>, deps: ServiceDeps) {
  const clientId = clientIdOf(row);
  const tenantId = text(row.tenantId).toLowerCase();
  return {
    clientId,
    appName: text(row.appName) || null,
    status: stateOf(row, deps),
    verdict: text(row.verdict, 'unknown'),
    topCause: text(row.topCause) || null,
    checkedAt: text(row.checkedAt),
    detail: `/api/status/${tenantId}/apps/${clientId}`,
    badge: `/api/status/${tenantId}/apps/${clientId}/badge`,
  };
}

/** Everything stored about one app in one tenant: findings with fixes, probe evidence, readiness, recent history. */
async function entryDetail(row: Record<string, unknown>, deps: ServiceDeps) {
  const entry: EntryRef = { tenantId: text(row.tenantId, text(row.rowKey)), clientId: clientIdOf(row) };
  const history = await deps.store.historyOf(entry, 20);
  const readiness = parseJsonOrNull(row.readiness) as Readiness | null;
  return {
    tenantId: row.tenantId ?? row.rowKey,
    clientId: entry.clientId,
    appName: text(row.appName) || null,
    name: row.name,
    tags: tagsOf(row),
    cloud: row.cloud,
    verdict: row.verdict,
    stale: stateOf(row, deps) === 'stale',
    checkedAt: row.checkedAt,
    cycleId: row.cycleId,
    findings: parseJsonOrNull(row.findings),
    probes: parseJsonOrNull(row.probes),
    permissions: parseJsonOrNull(row.permissions),
    readiness,
    burnDown: observedBurnDown(readPoints(parseJsonOrNull(row.burnDown)), readiness?.burnDown ?? null),
    evidence: parseJsonOrNull(row.evidence),
    history: history.map((h) => ({
      checkedAt: h.checkedAt,
      cycleId: h.cycleId,
      verdict: h.verdict,
      topCause: h.topCause || null,
    })),
  };
}

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

/** The ?tag=name:value a listing is filtered by (null when there is none), or the refusal of a malformed one. */
function tagFilter(
  request: ApiRequest,
): { ok: true; tag: { name: string; value: string } | null } | { ok: false; response: ApiResponse } {
  const tag = request.query.get('tag');
  if (tag === null) return { ok: true, tag: null };
  const parsed = parseTagFilter(tag);
  return parsed
    ? { ok: true, tag: parsed }
    : {
        ok: false,
        response: problem(
          400,
          'Bad tag',
          'tag must be name:value, such as tier:gold (names are lower-case letters and digits).',
        ),
      };
}

/** A stored status row as the fleet view reads it. */
function fleetEntryOf(row: Record<string, unknown>): FleetEntry {
  const score = typeof row.readinessScore === 'number' && row.readinessScore >= 0 ? row.readinessScore : null;
  const lookup = parseJsonOrNull(row.lookup);
  const plane = parseJsonOrNull(row.controlPlane) as FleetEntry['controlPlane'] | null;
  const inventory = parseJsonOrNull(row.ewsInventory) as FleetEntry['ewsInventory'] | null;
  return {
    tenantId: text(row.tenantId, splitEntryKey(text(row.rowKey)).tenantId),
    name: text(row.name),
    tags: tagsOf(row),
    app: {
      clientId: clientIdOf(row),
      ...(text(row.appName) ? { name: text(row.appName) } : {}),
      ews: (['oauth', 'basic', 'off'] as const).find((e) => e === row.appEws) ?? 'off',
    },
    checkedAt: text(row.checkedAt),
    readiness: { band: text(row.readinessBand, 'unknown') as ReadinessBand, score },
    ...(plane && typeof plane === 'object' && 'mailboxEwsEnabled' in plane ? { controlPlane: plane } : {}),
    ...(inventory && typeof inventory === 'object' && 'usage' in inventory ? { ewsInventory: inventory } : {}),
    directoryId: Array.isArray(lookup) ? ((lookup.find((n) => isClientId(n)) as string | undefined) ?? null) : null,
  };
}

/** GET /api/status: overall and per-tenant state for status pages; ?failOn=failing|degraded answers 503 at or past that. */
export const statusSummary: StatusApi = (request, deps, log) => {
  return guarded(async () => {
    const failOn = request.query.get('failOn');
    if (failOn !== null && failOn !== 'failing' && failOn !== 'degraded')
      return problem(400, 'Bad failOn', 'failOn must be "failing" or "degraded".');
    const filter = tagFilter(request);
    if (!filter.ok) return filter.response;
    const wanted = filter.tag;
    if (wanted && !deps.settings.statusPublicNames)
      return problem(
        400,
        'Tags are not public',
        'Filtering by tag needs STATUS_PUBLIC_NAMES=true: tags name customers.',
      );
    const rows = await deps.store.allLatest([
      'tenantId',
      'clientId',
      'appName',
      'name',
      'tags',
      'verdict',
      'checkedAt',
    ]);
    const byTenant = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const tenantId = text(row.tenantId, splitEntryKey(text(row.rowKey)).tenantId).toLowerCase();
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), row]);
    }
    const named = deps.settings.statusPublicNames;
    // A tag picks tenants: any of whose apps carries it brings the whole tenant, its other apps included.
    const tenants = [...byTenant.entries()]
      .filter(([, apps]) => !wanted || apps.some((row) => tagsOf(row)[wanted.name] === wanted.value))
      .map(([tenantId, apps]) => {
        const states = apps.map((row) => stateOf(row, deps));
        const line = {
          status: worst(states) as State,
          // The oldest of its apps' checks: a roll-up is only as fresh as its stalest part.
          checkedAt: apps.map((row) => text(row.checkedAt)).sort()[0]!,
        };
        // Anonymous readers learn nothing about who the customers are unless the operator says they may.
        if (!named) return { alias: aliasOf(tenantId), ...line, apps: states.map((status) => ({ status })) };
        const tags = Object.assign({}, ...apps.map(tagsOf)) as Record<string, string>;
        return {
          tenantId: text(apps[0]!.tenantId),
          name: text(apps[0]!.name),
          ...(Object.keys(tags).length ? { tags } : {}),
          ...line,
          apps: apps.map((row, i) => ({
            clientId: clientIdOf(row),
            appName: text(row.appName) || null,
            status: states[i]!,
          })),
        };
      })
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const overall = worst(tenants.map((t) => t.status));
    const count = (v: State) => tenants.filter((t) => t.status === v).length;
    const body = {
      status: overall,
      generatedAt: new Date((deps.now ?? Date.now)()).toISOString(),
      counts: {
        total: tenants.length,
        apps: tenants.reduce((n, t) => n + t.apps.length, 0),
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

/**
 * GET /api/status/page: the summary as a page for people (anonymous, like the summary, and under the same rule for
 * names). It loads nothing else: the policy forbids scripts, fonts and images from anywhere.
 */
export const statusPage: StatusApi = (request, deps, log) => {
  return guarded(async () => {
    const rows = await deps.store.allLatest(STATUS_PAGE_COLUMNS);
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': `public, max-age=${deps.settings.statusCacheSeconds}`,
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
        'x-content-type-options': 'nosniff',
      },
      body: renderStatusPage(statusPageModel(rows, deps, aliasOf)),
    };
  }, log);
};

const STATUS_PAGE_COLUMNS = [
  'tenantId',
  'clientId',
  'appName',
  'appEws',
  'name',
  'verdict',
  'checkedAt',
  'readinessBand',
  'trend',
] as const;

/**
 * GET /api/fleet: every app seen calling EWS or holding full_access_as_app, tenant by tenant, against each tenant's EWS
 * settings, with the merge script for each tenant whose allow list lacks apps that call (function key: it names
 * customers). ?tag=name:value keeps the tenants any of whose apps carries the tag.
 */
export const fleet: StatusApi = (request, deps, log) => {
  return guarded(async () => {
    const filter = tagFilter(request);
    if (!filter.ok) return filter.response;
    const wanted = filter.tag;
    const rows = await deps.store.allLatest(FLEET_COLUMNS);
    const entries = rows.map(fleetEntryOf);
    const kept = wanted ? withTag(entries, wanted) : entries;
    return json(request, 200, fleetReport(kept, (deps.now ?? Date.now)()), 'private, no-store');
  }, log);
};

/** What the fleet view reads of each status row: its EWS facts and labels, not the evidence. */
const FLEET_COLUMNS = [
  'tenantId',
  'clientId',
  'appName',
  'appEws',
  'name',
  'tags',
  'checkedAt',
  'readinessBand',
  'readinessScore',
  'controlPlane',
  'ewsInventory',
  'lookup',
] as const;

/**
 * GET /api/status/{tenant}: the tenant's apps rolled up (function key). With one app watched, that app's detail is
 * there too, as it was before a tenant could have several.
 */
export const statusTenant: StatusApi = (request, deps, log) => {
  return forTenant(request, deps, log, async (tenantId) => {
    const rows = await deps.store.latestOfTenant(tenantId);
    if (rows.length === 0)
      return problem(404, 'Tenant not found', 'No result is stored for this tenant; is it watched?');
    const apps = rows.map((row) => appLine(row, deps));
    const rollUp = {
      tenantId: text(rows[0]!.tenantId, tenantId),
      name: text(rows[0]!.name),
      status: worst(apps.map((a) => a.status)),
      apps,
    };
    const body = rows.length === 1 ? { ...(await entryDetail(rows[0]!, deps)), ...rollUp } : rollUp;
    return json(request, 200, body, 'private, no-store');
  });
};

/** GET /api/status/{tenant}/apps/{app}: one app's findings with fixes, probe evidence, readiness and history (function key). */
export const statusDetail: StatusApi = (request, deps, log) => {
  return forTenant(request, deps, log, async (tenantId, clientId) => {
    if (!clientId) return problem(400, 'Not an app id', "The path must name the app's client id.");
    const row = await deps.store.latest({ tenantId, clientId });
    if (!row || clientIdOf(row) !== clientId)
      return problem(404, 'App not found', 'No result is stored for this app in this tenant; is it watched?');
    return json(request, 200, await entryDetail(row, deps), 'private, no-store');
  });
};

/**
 * GET /api/status/{tenant}/badge and /api/status/{tenant}/apps/{app}/badge: shields.io endpoint JSON, for the tenant's
 * apps rolled up or for one; the state only, never a name or a cause.
 */
export const statusBadge: StatusApi = (request, deps, log) => {
  return forTenant(request, deps, log, async (tenantId, clientId) => {
    const rows = clientId
      ? [await deps.store.latest({ tenantId, clientId })].filter(
          (row): row is NonNullable<typeof row> => row !== null && clientIdOf(row) === clientId,
        )
      : await deps.store.latestOfTenant(tenantId);
    const state = rows.length ? worst(rows.map((row) => stateOf(row, deps))) : 'not watched';
    const badge = {
      schemaVersion: 1,
      label: request.query.get('label')?.slice(0, 40) || 'mail access',
      message: state,
      color: BADGE_COLOURS[state] ?? 'lightgrey',
      cacheSeconds: Math.max(300, deps.settings.statusCacheSeconds),
    };
    return json(request, rows.length ? 200 : 404, badge, `public, max-age=${deps.settings.statusCacheSeconds}`);
  });
};

/**
 * POST /api/check/{tenant} and /api/check/{tenant}/apps/{app}: checks a watched tenant's apps (or one) now (admin key).
 * One result answers as itself; several as the tenant with its apps' results.
 */
export const checkTenantNow: StatusApi = (request, deps, log) => {
  return forTenant(request, deps, log, async (requested, clientId) => {
    // The checking half loads on the first check, so that the status routes start with only what reading needs.
    const { checkNow } = await import('./check-service.js');
    const results: TenantResult[] = await checkNow(requested, deps, clientId);
    if (results.length === 0)
      return problem(
        404,
        'Not watched',
        'Only watched tenants and apps can be checked; add them to WatchedTenants first.',
      );
    const lines = results.map(({ tenantId, app, name, verdict, checkedAt, findings, probes, readiness }) => ({
      tenantId,
      clientId: app.clientId,
      appName: app.name ?? null,
      name,
      verdict,
      checkedAt,
      findings,
      probes,
      readiness,
    }));
    const body = lines.length === 1 ? lines[0] : { tenantId: lines[0]!.tenantId, name: lines[0]!.name, apps: lines };
    return json(request, 200, body, 'no-store');
  });
};

/** One HTTP endpoint: the Functions register it, `demo --serve` routes to it, and the OpenAPI document describes it. */
export interface HttpRoute {
  name: string;
  method: 'GET' | 'POST';
  /** Below /api, with {tenant} and, where one app is meant, {app} as parameters. */
  route: string;
  authLevel: 'anonymous' | 'function' | 'admin';
  api: StatusApi;
}

export const HTTP_ROUTES = {
  statusSummary: { name: 'statusSummary', method: 'GET', route: 'status', authLevel: 'anonymous', api: statusSummary },
  statusPage: {
    name: 'statusPage',
    method: 'GET',
    route: 'status/page',
    authLevel: 'anonymous',
    api: statusPage,
  },
  statusTenant: {
    name: 'statusTenant',
    method: 'GET',
    route: 'status/{tenant}',
    authLevel: 'function',
    api: statusTenant,
  },
  statusDetail: {
    name: 'statusDetail',
    method: 'GET',
    route: 'status/{tenant}/apps/{app}',
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
  statusAppBadge: {
    name: 'statusAppBadge',
    method: 'GET',
    route: 'status/{tenant}/apps/{app}/badge',
    authLevel: 'anonymous',
    api: statusBadge,
  },
  fleet: { name: 'fleet', method: 'GET', route: 'fleet', authLevel: 'function', api: fleet },
  checkTenantNow: {
    name: 'checkTenantNow',
    method: 'POST',
    route: 'check/{tenant}',
    authLevel: 'admin',
    api: checkTenantNow,
  },
  checkAppNow: {
    name: 'checkAppNow',
    method: 'POST',
    route: 'check/{tenant}/apps/{app}',
    authLevel: 'admin',
    api: checkTenantNow,
  },
} as const satisfies Record<string, HttpRoute>;
