// The fleet EWS view for people: a text report for the terminal and a self-contained HTML page.
import type { FleetApp, FleetReport, FleetTenant } from '../shared/core/fleet';
import { BAND_COLOURS, escapeHtml, htmlPage } from '../shared/core/html';

type ReportTenant = FleetReport['tenants'][number];

/** Each state's colour (white text on it at least 4.5:1) and what it means, in the order things break. */
export const FLEET_STATE_LEGEND: Record<FleetApp['state'], { colour: string; meaning: string }> = {
  broken: { colour: '#b3261e', meaning: 'calling EWS and refused now: not in the allow list, or EWS is off' },
  unknown: { colour: '#5f6368', meaning: 'calling EWS; the tenant settings could not be read to tell' },
  allowed: { colour: '#8a5300', meaning: 'calling EWS and allowed, until EWS shuts down on 2027-04-01' },
  stale: { colour: '#0b5cad', meaning: 'in EwsAllowedAppIDs but not seen calling: a candidate to remove' },
  dormant: { colour: '#1b6e2a', meaning: 'holds full_access_as_app (or called long ago) but not calling now' },
};

const settingsLine = (t: FleetTenant) =>
  t.ewsEnabled === undefined
    ? 'EwsEnabled and EwsAllowedAppIDs not read'
    : `EwsEnabled ${t.ewsEnabled === null ? 'not set' : t.ewsEnabled ? 'True' : 'False'}, ${t.allowList ? `${t.allowList.length} in EwsAllowedAppIDs` : 'EwsAllowedAppIDs not set'}`;

const callsText = (a: FleetApp) =>
  a.calls === null ? '' : `${a.calls.toLocaleString('en-US')} calls${a.lastActivity ? `, last ${a.lastActivity}` : ''}`;

const countsLine = (report: FleetReport) =>
  `${(['broken', 'unknown', 'allowed', 'stale', 'dormant'] as const).map((s) => `${report.counts[s]} ${s}`).join(', ')}`;

export function renderFleetText(report: FleetReport, scriptsWritten?: Map<string, string>): string {
  const out = [
    `EWS across ${report.counts.tenants} tenants on ${report.at.slice(0, 10)}, ${report.daysToShutdown} days before the shutdown: ${countsLine(report)}; ${report.counts.tenantsWithDrift} allow lists drift.`,
  ];
  for (const t of report.tenants) {
    out.push('', `${t.name} (${t.tenantId}) · readiness ${t.band} · ${settingsLine(t)}`);
    if (t.apps.length === 0) out.push('  no app seen calling EWS or holding full_access_as_app');
    for (const a of t.apps)
      out.push(
        `  ${a.state.padEnd(8)} ${(a.name ?? '(unnamed)').slice(0, 30).padEnd(30)} ${a.appId}  ${[callsText(a), a.because].filter(Boolean).join('; ')}`,
      );
    if (t.mergeScript)
      out.push(
        scriptsWritten?.has(t.tenantId)
          ? `  merge script (adds ${t.drift.missing.length}): ${scriptsWritten.get(t.tenantId)}`
          : `  the allow list lacks ${t.drift.missing.length} calling app(s): fleet --scripts DIR writes the merge script`,
      );
  }
  return out.join('\n');
}

const chip = (label: string, colour: string) =>
  `<span class="chip" style="background:${colour}">${escapeHtml(label)}</span>`;

function tenantSection(t: ReportTenant, index: number): string {
  const rows = t.apps
    .map(
      (a) =>
        `<tr><td data-label="State">${chip(a.state, FLEET_STATE_LEGEND[a.state].colour)}</td>` +
        `<td data-label="App">${a.name ? `${escapeHtml(a.name)}<br>` : ''}<code>${escapeHtml(a.appId)}</code></td>` +
        `<td data-label="Calls">${escapeHtml(callsText(a) || 'none reported')}</td>` +
        `<td data-label="Allow list">${a.onAllowList === null ? 'not known' : a.onAllowList ? 'listed' : 'not listed'}${a.holdsFullAccess ? '<br>holds full_access_as_app' : ''}</td>` +
        `<td data-label="Why">${escapeHtml(a.because)}</td>` +
        `<td data-label="Days left">${a.daysLeft}</td></tr>`,
    )
    .join('');
  const heading = `t${index}`;
  return (
    `<section aria-labelledby="${heading}"><h2 id="${heading}">${escapeHtml(t.name)} <span class="muted">${escapeHtml(t.tenantId)}</span></h2>` +
    `<p>Readiness ${chip(t.band, BAND_COLOURS[t.band] ?? '#5f6368')} · ${escapeHtml(settingsLine(t))} · checked ${escapeHtml(t.checkedAt.slice(0, 16).replace('T', ' '))} UTC</p>` +
    (t.apps.length
      ? `<table class="cards"><caption>Apps of ${escapeHtml(t.name)}, what breaks first at the top</caption><thead><tr><th scope="col">State</th><th scope="col">App</th><th scope="col">Calls</th><th scope="col">Allow list</th><th scope="col">Why</th><th scope="col">Days left</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<p>No app seen calling EWS or holding full_access_as_app.</p>') +
    (t.mergeScript
      ? `<h3>Merge script</h3><p>Adds the ${t.drift.missing.length} calling app(s) the list lacks and keeps every id already listed. Review it, then run it in Exchange Online PowerShell; tenant-health never runs it.</p><pre aria-label="PowerShell merge script for ${escapeHtml(t.name)}">${escapeHtml(t.mergeScript)}</pre>`
      : '') +
    `</section>`
  );
}

export function renderFleetHtml(report: FleetReport): string {
  const legend = Object.entries(FLEET_STATE_LEGEND)
    .map(([state, { colour, meaning }]) => `<li>${chip(state, colour)} ${escapeHtml(meaning)}</li>`)
    .join('');
  const body =
    `<h1>EWS across the fleet</h1>` +
    `<p>${report.counts.tenants} tenants, ${report.counts.apps} apps on ${escapeHtml(report.at.slice(0, 10))}: ${escapeHtml(countsLine(report))}. ${report.counts.tenantsWithDrift} allow lists drift. EWS in Exchange Online shuts down on 2027-04-01: ${report.daysToShutdown} days left.</p>` +
    `<h2>What the states mean</h2><ul>${legend}</ul>` +
    report.tenants.map(tenantSection).join('');
  return htmlPage('EWS across the fleet', 'section { margin-top: 2rem; } h3 { font-size: 1rem; }', body);
}
