// GET /api/status/page: the status of every watched entry as an HTML page for people, with no scripts and no external assets.
import { isStale } from '../alerts/decisions';
import { daysToShutdown } from '../core/ews-timeline';
import { BAND_COLOURS, escapeHtml, htmlPage, STATE_COLOURS } from '../core/html';
import { parseJsonOrNull } from '../core/json';
import { splitEntryKey } from '../core/entry';
import { knownApp } from '../core/known-apps';
import type { ServiceDeps } from './check-service';

/** One row of the page: an app of a tenant, as an anonymous reader may see it. */
export interface StatusPageLine {
  tenant: string;
  app: string;
  state: string;
  verdict: string;
  checkedAt: string;
  band: string;
  usesEws: boolean;
  /** Its latest checks, oldest first. */
  trend: { checkedAt: string; verdict: string }[];
}

export interface StatusPageModel {
  generatedAt: string;
  named: boolean;
  staleAfterMinutes: number;
  refreshSeconds: number;
  lines: StatusPageLine[];
}

const STATE_ORDER = ['failing', 'stale', 'degraded', 'unknown', 'healthy'];
const TREND_MARK: Record<string, string> = { healthy: '●', degraded: '◐', failing: '✕', unknown: '?' };

function ago(iso: string, now: number): string {
  const minutes = Math.round((now - Date.parse(iso)) / 60_000);
  if (Number.isNaN(minutes)) return 'never';
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

const chip = (label: string, colour: string | undefined) =>
  `<span class="chip" style="background:${colour ?? '#5f6368'}">${escapeHtml(label)}</span>`;

function trendCell(trend: StatusPageLine['trend']): string {
  if (trend.length === 0) return '<span class="muted">no earlier checks</span>';
  const label = `Last ${trend.length} checks, oldest first: ${trend.map((t) => t.verdict).join(', ')}`;
  return `<span class="trend" role="img" aria-label="${escapeHtml(label)}">${trend
    .map(
      (t) =>
        `<span style="color:${STATE_COLOURS[t.verdict] ?? STATE_COLOURS.unknown}" title="${escapeHtml(`${t.checkedAt}: ${t.verdict}`)}">${TREND_MARK[t.verdict] ?? '?'}</span>`,
    )
    .join('')}</span>`;
}

/** The page itself, pure over its model. */
export function renderStatusPage(model: StatusPageModel): string {
  const now = Date.parse(model.generatedAt);
  const days = Math.max(0, daysToShutdown(now));
  const count = (state: string) => model.lines.filter((l) => l.state === state).length;
  const overall = STATE_ORDER.find((s) => count(s) > 0) ?? 'empty';
  const rows = model.lines
    .map(
      (l) =>
        `<tr><td data-label="Tenant">${escapeHtml(l.tenant)}</td><td data-label="App">${escapeHtml(l.app)}</td>` +
        `<td data-label="State">${chip(l.state, STATE_COLOURS[l.state])}${l.state === 'stale' ? ` <span class="muted">(last result: ${escapeHtml(l.verdict)})</span>` : ''}</td>` +
        `<td data-label="Last check"><time datetime="${escapeHtml(l.checkedAt)}">${escapeHtml(ago(l.checkedAt, now))}</time><br><span class="muted">${escapeHtml(l.checkedAt.slice(0, 16).replace('T', ' '))} UTC</span></td>` +
        `<td data-label="Trend">${trendCell(l.trend)}</td>` +
        `<td data-label="EWS readiness">${chip(l.band, BAND_COLOURS[l.band])}</td>` +
        `<td data-label="Days left">${l.usesEws ? `${days} days` : '<span class="muted">does not use EWS</span>'}</td></tr>`,
    )
    .join('');
  const summary = STATE_ORDER.filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${s}`)
    .join(', ');
  const body =
    `<h1>Mail access status</h1>` +
    `<p>${chip(overall === 'empty' ? 'nothing watched' : overall, STATE_COLOURS[overall])} ${escapeHtml(summary || 'No results are stored yet.')}</p>` +
    `<p class="muted">Updated ${escapeHtml(model.generatedAt.slice(0, 16).replace('T', ' '))} UTC. A result older than ${model.staleAfterMinutes} minutes is shown as stale. EWS in Exchange Online shuts down on 2027-04-01: ${days} days left.${model.named ? '' : ' Tenants are shown by alias.'}</p>` +
    (model.lines.length
      ? `<table class="cards"><caption>Each watched app, worst first</caption><thead><tr><th scope="col">Tenant</th><th scope="col">App</th><th scope="col">State</th><th scope="col">Last check</th><th scope="col">Trend</th><th scope="col">EWS readiness</th><th scope="col">Days left</th></tr></thead><tbody>${rows}</tbody></table>`
      : '') +
    `<h2>What the states mean</h2><ul>` +
    `<li>${chip('healthy', STATE_COLOURS.healthy)} every enabled check proved access works.</li>` +
    `<li>${chip('degraded', STATE_COLOURS.degraded)} access works in part, or a problem is coming (an expiring credential, throttling).</li>` +
    `<li>${chip('failing', STATE_COLOURS.failing)} the app cannot reach mail the way it needs to.</li>` +
    `<li>${chip('unknown', STATE_COLOURS.unknown)} the check could not tell, often because our own systems could not finish it.</li>` +
    `<li>${chip('stale', STATE_COLOURS.stale)} no recent result: silence is not health.</li></ul>` +
    `<p class="muted">Trend marks: ● healthy, ◐ degraded, ✕ failing, ? unknown.</p>`;
  // A wall display reloads itself without a script.
  return htmlPage(
    'Mail access status',
    PAGE_CSS,
    body,
    `<meta http-equiv="refresh" content="${model.refreshSeconds}">`,
  );
}

const PAGE_CSS = '.trend { letter-spacing: 0.15rem; font-size: 1.1rem; white-space: nowrap; }';

/** The page's model from stored status rows: an anonymous reader sees aliases unless STATUS_PUBLIC_NAMES is on. */
export function statusPageModel(
  rows: Record<string, unknown>[],
  deps: Pick<ServiceDeps, 'settings' | 'now'>,
  aliasOf: (tenantId: string) => string,
): StatusPageModel {
  const now = (deps.now ?? Date.now)();
  const named = deps.settings.statusPublicNames;
  const text = (value: unknown, fallback = '') => (typeof value === 'string' ? value : fallback);
  const idsOf = (row: Record<string, unknown>) => ({
    tenantId: text(row.tenantId, splitEntryKey(text(row.rowKey)).tenantId).toLowerCase(),
    clientId: (text(row.clientId) || splitEntryKey(text(row.rowKey)).clientId || '').toLowerCase(),
  });
  // Anonymous readers tell a tenant's apps apart by number: even an app id says whose app it is.
  const appsOfTenant = new Map<string, string[]>();
  for (const { tenantId, clientId } of rows.map(idsOf))
    appsOfTenant.set(tenantId, [...(appsOfTenant.get(tenantId) ?? []), clientId].sort());
  const lines = rows.map((row): StatusPageLine => {
    const { tenantId, clientId } = idsOf(row);
    const verdict = text(row.verdict, 'unknown');
    const checkedAt = text(row.checkedAt);
    const trend = parseJsonOrNull(row.trend);
    return {
      tenant: named ? text(row.name) || tenantId : aliasOf(tenantId),
      // An app's own name can name its customer; anonymous readers get Microsoft's well-known names only.
      app: named
        ? text(row.appName) || clientId
        : (knownApp(clientId)?.name ?? `app ${appsOfTenant.get(tenantId)!.indexOf(clientId) + 1}`),
      state: isStale(checkedAt, now, deps.settings.staleAfterMinutes * 60_000) ? 'stale' : verdict,
      verdict,
      checkedAt,
      band: text(row.readinessBand, 'unknown'),
      usesEws: row.appEws !== 'off',
      trend: Array.isArray(trend)
        ? trend
            .filter(
              (p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string',
            )
            .map(([at, v]) => ({ checkedAt: at, verdict: v }))
        : [],
    };
  });
  lines.sort(
    (a, b) =>
      STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) ||
      a.tenant.localeCompare(b.tenant) ||
      a.app.localeCompare(b.app),
  );
  return {
    generatedAt: new Date(now).toISOString(),
    named,
    staleAfterMinutes: deps.settings.staleAfterMinutes,
    refreshSeconds: Math.max(60, deps.settings.statusCacheSeconds),
    lines,
  };
}
