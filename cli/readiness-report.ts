// The readiness report over all tenants, most urgent first: a terminal table, and a self-contained HTML page with charts.
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN } from '../shared/core/ews-timeline';
import type { Readiness } from '../shared/core/readiness';

export interface ReadinessRow {
  tenantId: string;
  name: string;
  verdict: string;
  readiness: Readiness;
}

/** Most urgent first: highest priority, then lowest score, then name. */
export const byPriority = (a: ReadinessRow, b: ReadinessRow) =>
  b.readiness.priority - a.readiness.priority ||
  (a.readiness.score ?? -1) - (b.readiness.score ?? -1) ||
  a.name.localeCompare(b.name);

const shorten = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** What to fix first: a cap, else the biggest deduction, else why there is no score. */
export function biggestGap(readiness: Readiness): string {
  if (readiness.score === null) return readiness.reason ?? 'no score';
  if (readiness.caps[0]) return `capped at ${readiness.caps[0].limit}: ${readiness.caps[0].reason}`;
  const worst = [...readiness.deductions].sort((a, b) => a.points - b.points)[0];
  return worst ? `${worst.points} ${worst.component}: ${worst.reason}` : 'nothing left to do';
}

const countdown = (days: number) =>
  days > 0
    ? `${days} days until EWS in Exchange Online is switched off (2027-04-01)`
    : `EWS in Exchange Online was switched off ${-days} days ago (2027-04-01)`;

export function headline(rows: ReadinessRow[], at: string): string {
  const first = rows[0]?.readiness;
  const bands = ['ready', 'on track', 'at risk', 'critical', 'unknown'].map(
    (b) => `${rows.filter((r) => r.readiness.band === b).length} ${b}`,
  );
  return `EWS readiness on ${at.slice(0, 10)}: ${first ? `${countdown(first.daysToShutdown)}; urgency ${first.urgency.band} (×${first.urgency.factor}). ` : ''}${rows.length} tenants: ${bands.join(', ')}.`;
}

export function renderReadinessText(rows: ReadinessRow[], at: string): string {
  const header = ['Priority', 'Tenant', 'Score', 'Band', 'Confidence', 'EWS apps left', 'Fix first'];
  const cells = rows.map(({ name, readiness: r }) => [
    String(r.priority),
    shorten(name, 26),
    r.score === null ? '-' : String(r.score),
    r.band,
    r.confidence,
    r.ewsApps === null ? '?' : String(r.ewsApps.length),
    shorten(biggestGap(r), 110),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : i === 0 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ');
  return [
    headline(rows, at),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    '',
    'Priority = (100 − score) × urgency; a tenant without a score counts as 0. Every deduction: --json or --html.',
  ].join('\n');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLOURS: Record<string, string> = {
  ready: '#2e7d32',
  'on track': '#689f38',
  'at risk': '#f9a825',
  critical: '#c62828',
  unknown: '#9e9e9e',
};

function scoreChart(rows: ReadinessRow[]): string {
  const rowHeight = 22;
  const label = 200;
  const width = 720;
  const bars = rows
    .map(({ name, readiness: r }, i) => {
      const y = i * rowHeight;
      const length = ((width - label - 60) * (r.score ?? 0)) / 100;
      const text = r.score === null ? 'no score' : `${r.score}`;
      return (
        `<g transform="translate(0 ${y})"><title>${escapeHtml(`${name}: ${text} (${r.band}, ${r.confidence} confidence)`)}</title>` +
        `<text x="${label - 8}" y="15" text-anchor="end">${escapeHtml(shorten(name, 28))}</text>` +
        `<rect x="${label}" y="3" width="${Math.max(length, 2)}" height="16" fill="${COLOURS[r.band] ?? '#9e9e9e'}"/>` +
        `<text x="${label + Math.max(length, 2) + 6}" y="15">${escapeHtml(text)}</text></g>`
      );
    })
    .join('');
  const height = rows.length * rowHeight + 24;
  const ticks = [0, 40, 70, 90, 100]
    .map((t) => {
      const x = label + ((width - label - 60) * t) / 100;
      return `<line x1="${x}" y1="0" x2="${x}" y2="${height - 20}" stroke="#ddd"/><text x="${x}" y="${height - 6}" text-anchor="middle" class="axis">${t}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="Readiness score per tenant" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${ticks}${bars}</svg>`;
}

function timeline(at: string): string {
  const start = EWS_ENFORCEMENT_START - 61 * 86_400_000;
  const end = EWS_SHUTDOWN + 30 * 86_400_000;
  const width = 720;
  const x = (ms: number) =>
    Math.round(((Math.min(Math.max(ms, start), end) - start) / (end - start)) * (width - 40)) + 20;
  const now = Date.parse(at);
  const marks = [
    [EWS_ENFORCEMENT_START, '2026-10-01 blocked by default'],
    [Date.parse('2027-03-01T00:00:00Z'), '2027-03-01 target'],
    [EWS_SHUTDOWN, '2027-04-01 switched off'],
  ] as const;
  return (
    `<svg role="img" aria-label="Days left until EWS is switched off" viewBox="0 0 ${width} 70" width="${width}" height="70">` +
    `<rect x="20" y="30" width="${width - 40}" height="8" fill="#eee"/><rect x="20" y="30" width="${x(now) - 20}" height="8" fill="#90caf9"/>` +
    marks
      .map(
        ([ms, text], i) =>
          `<line x1="${x(ms)}" y1="24" x2="${x(ms)}" y2="44" stroke="#555"/><text x="${x(ms)}" y="${i % 2 ? 60 : 18}" text-anchor="middle" class="axis">${text}</text>`,
      )
      .join('') +
    `<circle cx="${x(now)}" cy="34" r="6" fill="#1565c0"><title>${escapeHtml(at.slice(0, 10))}</title></circle></svg>`
  );
}

function details(row: ReadinessRow): string {
  const r = row.readiness;
  const list = (items: string[]) =>
    items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '<p>none</p>';
  return (
    `<details><summary>${escapeHtml(row.name)}: ${escapeHtml(r.score === null ? 'no score' : String(r.score))}, ${escapeHtml(r.band)}, ${escapeHtml(r.confidence)} confidence</summary>` +
    `<table><tr><th>Component</th><th>Points</th><th>Weight</th></tr>${r.components.map((c) => `<tr><td>${c.id} ${escapeHtml(c.name)}</td><td>${c.points ?? 'not judged'}</td><td>${c.weight}</td></tr>`).join('')}</table>` +
    `<h4>Caps</h4>${list(r.caps.map((c) => `${c.limit}: ${c.reason} (${c.rule})`))}` +
    `<h4>Deductions</h4>${list(r.deductions.map((d) => `${d.points} ${d.component} ${d.rule}: ${d.reason}`))}` +
    `<h4>Not collected</h4>${list(r.unavailable)}` +
    `${r.burnDown ? `<p>Burn-down: ${r.burnDown.remainingApps} apps still call EWS; ${r.burnDown.requiredPerWeek ?? '—'} per week to retire by 2027-03-01 (${r.burnDown.weeksToTarget} weeks).</p>` : ''}</details>`
  );
}

export function renderReadinessHtml(rows: ReadinessRow[], at: string): string {
  const tableRows = rows
    .map(
      ({ name, tenantId, readiness: r }) =>
        `<tr><td class="n">${r.priority}</td><td>${escapeHtml(name)}<br><small>${escapeHtml(tenantId)}</small></td>` +
        `<td class="n">${r.score ?? '–'}</td><td><span class="band" style="background:${COLOURS[r.band] ?? '#9e9e9e'}">${escapeHtml(r.band)}</span></td>` +
        `<td>${escapeHtml(r.confidence)}</td><td class="n">${r.ewsApps === null ? '?' : r.ewsApps.length}</td><td>${escapeHtml(biggestGap(r))}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>EWS retirement readiness, ${escapeHtml(at.slice(0, 10))}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.4rem}svg text{font-size:12px;fill:#222}svg .axis{font-size:11px;fill:#555}
table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right}.band{color:#fff;padding:1px 6px;border-radius:3px;white-space:nowrap}small{color:#666}details{margin:.4rem 0}
</style></head><body>
<h1>EWS retirement readiness</h1>
<p>${escapeHtml(headline(rows, at))}</p>
${timeline(at)}
<h2>Scores, most urgent first</h2>
${scoreChart(rows)}
<table><thead><tr><th>Priority</th><th>Tenant</th><th>Score</th><th>Band</th><th>Confidence</th><th>EWS apps left</th><th>Fix first</th></tr></thead><tbody>${tableRows}</tbody></table>
<h2>Every point explained</h2>
${rows.map(details).join('\n')}
<p><small>Method: docs/readiness.md. Priority = (100 − score) × urgency. Generated by tenant-health.</small></p>
</body></html>
`;
}
