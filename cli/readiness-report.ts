// The readiness report over all tenants, most urgent first: a terminal table, and a self-contained HTML page with charts.
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN, daysToShutdown } from '../shared/core/ews-timeline';
import { appNameOf } from '../shared/core/known-apps';
import {
  BURN_DOWN_TARGET,
  READINESS_BANDS,
  URGENCY_BANDS,
  urgencyOf,
  type Readiness,
  type ReadinessBand,
  type UrgencyBand,
} from '../shared/core/readiness';
import { READINESS_FIXES } from '../shared/core/readiness-fixes';
import { escapeHtml } from '../shared/core/html';
import type { ObservedBurnDown } from '../shared/core/burn-down';

export interface ReadinessRow {
  tenantId: string;
  name: string;
  verdict: string;
  readiness: Readiness;
  /** The tenant's own names for its apps, by lower-case app id; the well-known table fills in the rest. */
  appNames?: Record<string, string>;
  /** The pace the tenant's checks show, one point a week, when several runs were given. */
  observed?: ObservedBurnDown;
}

/** The observed pace beside the required one, in words; null until there are two weeks to compare. */
export function observedText(observed: ObservedBurnDown | undefined): string | null {
  if (!observed || observed.observedPerWeek === null) return null;
  const [first, last] = [observed.points[0]!, observed.points[observed.points.length - 1]!];
  const pace =
    observed.observedPerWeek > 0
      ? `${observed.observedPerWeek} apps off EWS a week`
      : observed.observedPerWeek < 0
        ? `${-observed.observedPerWeek} more apps on EWS a week`
        : 'no change';
  const verdict =
    observed.onPace === true
      ? observed.remainingApps === 0
        ? 'done'
        : `on pace: done by ${observed.projectedDoneAt}`
      : `behind: at this pace ${observed.projectedDoneAt ? `done by ${observed.projectedDoneAt}` : 'never done'}, after the target ${new Date(BURN_DOWN_TARGET).toISOString().slice(0, 10)}`;
  return `${first.apps} → ${last.apps} apps from ${first.week} to ${last.week}: ${pace} observed, ${observed.requiredPerWeek ?? '—'} required; ${verdict}`;
}

/** Most urgent first: highest priority, then lowest score, then name. */
export const byPriority = (a: ReadinessRow, b: ReadinessRow) =>
  b.readiness.priority - a.readiness.priority ||
  (a.readiness.score ?? -1) - (b.readiness.score ?? -1) ||
  a.name.localeCompare(b.name);

const shorten = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** What to fix first: a cap, else the biggest deduction, else why there is no score; with its rule when one applies. */
export function biggestGap(readiness: Readiness): { text: string; rule: string | null } {
  if (readiness.score === null) return { text: readiness.reason ?? 'no score', rule: null };
  const cap = readiness.caps[0];
  if (cap) return { text: `capped at ${cap.limit}: ${cap.reason}`, rule: cap.rule };
  const worst = [...readiness.deductions].sort((a, b) => a.points - b.points)[0];
  return worst
    ? { text: `${worst.points} ${worst.component}: ${worst.reason}`, rule: worst.rule }
    : { text: 'nothing left to do', rule: null };
}

const countdown = (days: number) =>
  days > 0
    ? `${days} days until EWS in Exchange Online is switched off (2027-04-01)`
    : `EWS in Exchange Online was switched off ${-days} days ago (2027-04-01)`;

const BAND_NAMES: ReadinessBand[] = [...READINESS_BANDS.map((b) => b.band), 'unknown'];

export function headline(rows: ReadinessRow[], at: string): string {
  const first = rows[0]?.readiness;
  const bands = BAND_NAMES.map((b) => `${rows.filter((r) => r.readiness.band === b).length} ${b}`);
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
    shorten(biggestGap(r).text, 110),
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
    ...burnDownLines(rows),
  ].join('\n');
}

/** The observed burn-down of every tenant that has one (several runs were given). */
function burnDownLines(rows: ReadinessRow[]): string[] {
  const lines = rows.flatMap((r) => {
    const text = observedText(r.observed);
    return text ? [`  ${shorten(r.name, 26)}: ${text}`] : [];
  });
  return lines.length ? ['', 'Observed burn-down (one point a week from the runs given):', ...lines] : [];
}

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Said once in the legend; the band's colour is never the only sign of it. */
const BAND_MEANING: Record<ReadinessBand, string> = {
  ready: 'off EWS, or nearly: what is left is tidying up',
  'on track': 'most of the way: a few apps or settings left to move',
  'at risk': 'apps still depend on EWS, or are blocked from it: real work before 2027-04-01',
  critical: 'workloads break, or will, without urgent work',
  unknown: 'not enough evidence to score: the tenant’s details say what could not be read',
};
const URGENCY_MEANING: Record<UrgencyBand, string> = {
  planning: 'time to plan the move to Graph',
  'active bridge': 'the allow list bridges the apps still on EWS while they move',
  'final quarter': 'the last three months: every app should be moving',
  'cut-over': 'the last month: allow-list changes take up to 24 hours to apply',
  'post-shutdown': 'EWS is gone: whatever still calls it is broken',
};

/** The urgency bands as spans of dates, from URGENCY_BANDS: a band starts on the day the days left reach its top. */
function urgencySpans(): { band: UrgencyBand; factor: number; days: string; from: number; to: number }[] {
  return URGENCY_BANDS.map((u, i) => {
    const above = URGENCY_BANDS[i - 1]?.minDays;
    const from = above === undefined ? -Infinity : EWS_SHUTDOWN - (above - 1) * DAY;
    const to = u.minDays === -Infinity ? Infinity : EWS_SHUTDOWN - (u.minDays - 1) * DAY;
    const days =
      above === undefined
        ? `${u.minDays} or more`
        : u.minDays === -Infinity
          ? `${above - 1} or fewer`
          : `${u.minDays}–${above - 1}`;
    return { band: u.band, factor: u.factor, days, from, to };
  });
}

const spanDates = ({ from, to }: { from: number; to: number }) =>
  from === -Infinity
    ? `until ${day(to - DAY)}`
    : to === Infinity
      ? `from ${day(from)}`
      : `${day(from)} to ${day(to - DAY)}`;

const urgencyClass = (band: string) => `urgency-${band.replace(/\s+/g, '-')}`;
const bandClass = (band: string) => `band-${band.replace(/\s+/g, '-')}`;
const badge = (band: string) => `<span class="band ${bandClass(band)}">${escapeHtml(band)}</span>`;

const APP_ID = /\bapp ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/gi;

const nameOf = (row: ReadinessRow, appId: string) => row.appNames?.[appId.toLowerCase()] ?? appNameOf(appId);

const appLabel = (row: ReadinessRow, appId: string) => {
  const name = nameOf(row, appId);
  return name ? `${escapeHtml(name)} <span class="id">(app ${escapeHtml(appId)})</span>` : escapeHtml(`app ${appId}`);
};

/** Text from the score, escaped, with every `app <id>` given its name first; an id without a name, or named already, stays. */
function withAppNames(row: ReadinessRow, text: string): string {
  let html = '';
  let done = 0;
  for (const match of text.matchAll(APP_ID)) {
    const name = nameOf(row, match[1]!);
    if (!name || text.slice(0, match.index).endsWith(`${name} (`)) continue;
    html += escapeHtml(text.slice(done, match.index)) + appLabel(row, match[1]!);
    done = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(done));
}

/** A fix step, escaped, its `quoted` commands set as code. */
const stepHtml = (step: string) => escapeHtml(step).replace(/`([^`]+)`/g, '<code>$1</code>');

const fixHtml = (rule: string) => {
  const fix = READINESS_FIXES[rule];
  return fix
    ? `${stepHtml(fix.step)} <a href="${escapeHtml(fix.docs.url)}">${escapeHtml(fix.docs.title)}</a>`
    : 'no fix step written for this rule yet';
};

/** A cell that can stand as a card row on a phone: its column's name as a label, its content in one box beside it. */
const cell = (label: string, html: string, className?: string) =>
  `<td data-label="${escapeHtml(label)}"${className ? ` class="${className}"` : ''}><div>${html}</div></td>`;

function timeline(at: string): string {
  const now = Date.parse(at);
  const span = EWS_SHUTDOWN - EWS_ENFORCEMENT_START;
  const percent = (ms: number) =>
    Math.round((Math.min(Math.max(ms, EWS_ENFORCEMENT_START), EWS_SHUTDOWN) - EWS_ENFORCEMENT_START) / (span / 1000)) /
    10;
  const days = daysToShutdown(now);
  const urgency = urgencyOf(days);
  const segments = urgencySpans()
    .filter((u) => u.to > EWS_ENFORCEMENT_START && u.from < EWS_SHUTDOWN)
    .map(
      (u) =>
        `<span class="segment ${urgencyClass(u.band)}" style="left:${percent(u.from)}%;width:${Math.round((percent(u.to) - percent(u.from)) * 10) / 10}%"></span>`,
    )
    .join('');
  const marks = [EWS_ENFORCEMENT_START, BURN_DOWN_TARGET, EWS_SHUTDOWN]
    .map((ms) => `<span class="tick" style="left:${percent(ms)}%"></span>`)
    .join('');
  const where = percent(now);
  // The label hangs off the side of the marker that has room, so it never leaves the page.
  const anchor = where < 20 ? 'start' : where > 80 ? 'end' : 'middle';
  const since = Math.floor((now - EWS_ENFORCEMENT_START) / DAY);
  const position =
    now < EWS_ENFORCEMENT_START
      ? `EWS is blocked by default from ${day(EWS_ENFORCEMENT_START)}, in ${-since} days`
      : `EWS has been blocked by default since ${day(EWS_ENFORCEMENT_START)}, ${since} days ago`;
  return `<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline</h2>
<p class="today-text"><strong>Today, ${day(now)}: ${escapeHtml(countdown(days))}.</strong> ${escapeHtml(position)}; urgency ${escapeHtml(urgency.band)} (×${urgency.factor}).</p>
<div class="timeline" role="img" aria-label="${escapeHtml(`Days left until EWS is switched off: today ${day(now)} on the timeline from ${day(EWS_ENFORCEMENT_START)} to ${day(EWS_SHUTDOWN)}, ${countdown(days)}`)}">
<div class="track">${segments}${marks}<span class="today" style="left:${where}%"></span></div>
<span class="today-label ${anchor}" style="left:${where}%">today ${day(now)}</span>
<div class="ends"><span>${day(EWS_ENFORCEMENT_START)}</span><span>${day(EWS_SHUTDOWN)}</span></div>
</div>
</section>`;
}

function legend(rows: ReadinessRow[]): string {
  const bands = [
    ...READINESS_BANDS.map((b, i) => ({
      band: b.band,
      scores: `${b.min}–${i === 0 ? 100 : READINESS_BANDS[i - 1]!.min - 1}`,
    })),
    { band: 'unknown' as const, scores: 'no score' },
  ]
    .map(
      (b) =>
        `<tr>${cell('Band', badge(b.band))}${cell('Score', b.scores)}${cell('Means', escapeHtml(BAND_MEANING[b.band]))}${cell('Tenants', String(rows.filter((r) => r.readiness.band === b.band).length), 'n')}</tr>`,
    )
    .join('');
  const urgencies = urgencySpans()
    .map(
      (u) =>
        `<tr>${cell('Urgency', `<span class="swatch ${urgencyClass(u.band)}"></span>${escapeHtml(u.band)}`)}${cell('Days left', u.days)}${cell('Dates', spanDates(u))}${cell('Factor', `×${u.factor}`, 'n')}${cell('Means', escapeHtml(URGENCY_MEANING[u.band]))}</tr>`,
    )
    .join('');
  return `<section aria-labelledby="legend-heading">
<h2 id="legend-heading">Legend</h2>
<table class="cards"><caption>Readiness bands: how far a tenant is from being off EWS (0–100)</caption>
<thead><tr><th>Band</th><th>Score</th><th>Means</th><th>Tenants</th></tr></thead><tbody>${bands}</tbody></table>
<table class="cards"><caption>Urgency: from the days left alone; it sorts tenants and never changes a score</caption>
<thead><tr><th>Urgency</th><th>Days left</th><th>Dates</th><th>Factor</th><th>Means</th></tr></thead><tbody>${urgencies}</tbody></table>
<h3>Timeline marks</h3>
<ul class="marks">
<li><span class="swatch tick-swatch"></span><strong>${day(EWS_ENFORCEMENT_START)}</strong>: EWS blocked by default (EwsEnabled not set becomes False; True with an empty EwsAllowedAppIDs blocks every app; Kiosk, F1 and F3 mailboxes lose EWS)</li>
<li><span class="swatch tick-swatch"></span><strong>${day(BURN_DOWN_TARGET)}</strong>: the target, every app off EWS a month before the shutdown (allow-list changes take up to a day to apply)</li>
<li><span class="swatch tick-swatch"></span><strong>${day(EWS_SHUTDOWN)}</strong>: EWS in Exchange Online switched off for good</li>
<li><span class="swatch today-swatch"></span><strong>today</strong>: the date this report scores; the track’s colours are the urgency bands above</li>
</ul>
</section>`;
}

function scoreChart(rows: ReadinessRow[]): string {
  const bars = rows
    .map(({ name, readiness: r }) => {
      const value = r.score === null ? 'no score' : String(r.score);
      return (
        `<li><span class="bar-name">${escapeHtml(name)}</span>` +
        `<span class="bar-track" aria-hidden="true"><span class="bar ${bandClass(r.band)}" style="width:${Math.max(r.score ?? 0, 0.5)}%"></span></span>` +
        `<span class="bar-value">${escapeHtml(value)}<span class="visually-hidden"> (${escapeHtml(r.band)})</span></span></li>`
      );
    })
    .join('');
  return `<ol class="bars" aria-label="Readiness score per tenant">${bars}</ol>`;
}

function tenantTable(rows: ReadinessRow[]): string {
  const body = rows
    .map((row) => {
      const r = row.readiness;
      const gap = biggestGap(r);
      const fix = gap.rule && READINESS_FIXES[gap.rule];
      return (
        `<tr>${cell('Priority', String(r.priority), 'n')}` +
        cell('Tenant', `${escapeHtml(row.name)}<br><span class="id">${escapeHtml(row.tenantId)}</span>`) +
        cell('Score', r.score === null ? '–' : String(r.score), 'n') +
        cell('Band', badge(r.band)) +
        cell('Confidence', escapeHtml(r.confidence)) +
        cell('EWS apps left', r.ewsApps === null ? '?' : String(r.ewsApps.length), 'n') +
        cell(
          'Fix first',
          `${withAppNames(row, gap.text)}${fix ? `<br><span class="fix">Fix: ${stepHtml(fix.step)}</span>` : ''}`,
          'wide',
        ) +
        '</tr>'
      );
    })
    .join('');
  return `<table class="cards tenants"><caption>Tenants, most urgent first</caption>
<thead><tr><th>Priority</th><th>Tenant</th><th>Score</th><th>Band</th><th>Confidence</th><th>EWS apps left</th><th>Fix first</th></tr></thead><tbody>${body}</tbody></table>`;
}

function details(row: ReadinessRow): string {
  const r = row.readiness;
  const list = (items: string[]) =>
    items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '<p>none</p>';
  const components = r.components
    .map(
      (c) =>
        `<tr>${cell('Component', `${c.id} ${escapeHtml(c.name)}`)}${c.points === null ? cell('Points', `not judged: ${escapeHtml(c.unavailable ?? 'unavailable')}`) : cell('Points', String(c.points), 'n')}${cell('Weight', String(c.weight), 'n')}</tr>`,
    )
    .join('');
  const caps = r.caps
    .map(
      (c) =>
        `<tr>${cell('Cap', String(c.limit), 'n')}${cell('Why', `${withAppNames(row, c.reason)}<br><code>${escapeHtml(c.rule)}</code>`, 'wide')}${cell('Fix', fixHtml(c.rule), 'wide')}</tr>`,
    )
    .join('');
  const componentNames = new Map(r.components.map((c) => [c.id, c.name]));
  const deductions = r.deductions
    .map(
      (d) =>
        `<tr>${cell('Points', String(d.points), 'n')}${cell('Component', `${d.component} ${escapeHtml(componentNames.get(d.component) ?? '')}`)}${cell('Why', `${withAppNames(row, d.reason)}<br><code>${escapeHtml(d.rule)}</code>`, 'wide')}${cell('Fix', fixHtml(d.rule), 'wide')}</tr>`,
    )
    .join('');
  const named = escapeHtml(row.name);
  return (
    `<details><summary><strong>${named}</strong>: ${escapeHtml(r.score === null ? 'no score' : String(r.score))}, ${escapeHtml(r.band)}, ${escapeHtml(r.confidence)} confidence, ${r.deductions.length} deduction${r.deductions.length === 1 ? '' : 's'}</summary>` +
    `<p>Tenant <span class="id">${escapeHtml(row.tenantId)}</span>, scored for ${escapeHtml(r.at.slice(0, 10))}: urgency ${escapeHtml(r.urgency.band)} (×${r.urgency.factor}), priority ${r.priority}.</p>` +
    `<h3>Apps still calling EWS</h3>${r.ewsApps === null ? '<p>not known: Message Center could not be read</p>' : list(r.ewsApps.map((a) => appLabel(row, a)))}` +
    `${r.burnDown ? `<p>Burn-down: ${r.burnDown.remainingApps} apps still call EWS; ${r.burnDown.requiredPerWeek ?? '—'} per week to retire by ${day(BURN_DOWN_TARGET)} (${r.burnDown.weeksToTarget} weeks).</p>` : ''}` +
    observedHtml(row) +
    `<table class="cards"><caption>Components of ${named}’s score</caption><thead><tr><th>Component</th><th>Points</th><th>Weight</th></tr></thead><tbody>${components}</tbody></table>` +
    (caps
      ? `<table class="cards"><caption>Caps on ${named}’s score, each with its fix</caption><thead><tr><th>Cap</th><th>Why</th><th>Fix</th></tr></thead><tbody>${caps}</tbody></table>`
      : '') +
    (deductions
      ? `<table class="cards"><caption>Deductions from ${named}’s score, each with its fix</caption><thead><tr><th>Points</th><th>Component</th><th>Why</th><th>Fix</th></tr></thead><tbody>${deductions}</tbody></table>`
      : '<p>No deductions.</p>') +
    `<h3>Not collected</h3>${list(r.unavailable.map(escapeHtml))}</details>`
  );
}

/** The weekly points and the pace they show, when the report was given several runs. */
function observedHtml(row: ReadinessRow): string {
  const text = observedText(row.observed);
  if (!text || !row.observed) return '';
  const points = row.observed.points
    .map(
      (p) =>
        `<tr>${cell('Week of', p.week)}${cell('Apps on EWS', String(p.apps), 'n')}${cell('Calls', p.calls === null ? 'not read' : p.calls.toLocaleString('en-US'), 'n')}</tr>`,
    )
    .join('');
  return (
    `<p>Observed: ${escapeHtml(text)}.</p>` +
    `<table class="cards"><caption>Observed burn-down of ${escapeHtml(row.name)}, one point a week</caption><thead><tr><th>Week of</th><th>Apps on EWS</th><th>Calls</th></tr></thead><tbody>${points}</tbody></table>`
  );
}

const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1rem 1.25rem 2rem;max-width:1200px;color:#1f1f1f;background:#fff}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
p,li,summary{overflow-wrap:anywhere}td{overflow-wrap:break-word}
a{color:#0645ad}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#3d3d3d}
.id{color:#595959;font-size:.85em}
.fix{color:#3d3d3d;font-size:.9em}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table{border-collapse:collapse;margin:1rem 0;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #d0d0d0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.tenants .id{white-space:nowrap}.tenants th:last-child{width:45%}
td.n{text-align:right;white-space:nowrap}
.band{display:inline-block;padding:1px 7px;border-radius:3px;white-space:nowrap;color:#fff}
.band-ready{background:#1b5e20}.band-on-track{background:#9ccc65;color:#1f1f1f}.band-at-risk{background:#ffca28;color:#1f1f1f}
.band-critical{background:#b71c1c}.band-unknown{background:#5f6368}
.urgency-planning{background:#cfd8dc}.urgency-active-bridge{background:#fff0b3}.urgency-final-quarter{background:#ffcc80}
.urgency-cut-over{background:#ef9a9a}.urgency-post-shutdown{background:#9e9e9e}
.swatch{display:inline-block;width:1.6em;height:.9em;margin-right:.4em;vertical-align:-.1em;border:1px solid #757575}
.tick-swatch{width:3px;border:0;background:#1f1f1f;height:1.1em}.today-swatch{width:5px;border:0;background:#0b57d0;height:1.1em}
.timeline{position:relative;padding:2.5rem 0 .2rem;max-width:900px}
.track{position:relative;height:14px;border:1px solid #757575;background:#fff}
.segment{position:absolute;top:0;bottom:0}
.tick{position:absolute;top:-6px;bottom:-6px;width:3px;margin-left:-1px;background:#1f1f1f}
.today{position:absolute;top:-12px;bottom:-12px;width:5px;margin-left:-2px;background:#0b57d0}
.today-label{position:absolute;top:.2rem;white-space:nowrap;font-weight:600;color:#0b57d0}
.today-label.middle{transform:translateX(-50%)}.today-label.end{transform:translateX(-100%)}
.ends{display:flex;justify-content:space-between;margin-top:.8rem;color:#3d3d3d;font-size:.9em}
ul.marks{list-style:none;padding:0}ul.marks li{margin:.3rem 0}
ol.bars{list-style:none;padding:0;margin:.5rem 0;max-width:900px}
ol.bars li{display:grid;grid-template-columns:minmax(0,14em) minmax(0,1fr) 5.5em;gap:.6rem;align-items:center;margin:2px 0}
.bar-name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;text-align:right}
.bar-track{height:14px;background:#eee}.bar{display:block;height:100%}
details{border-top:1px solid #d0d0d0;padding:.4rem 0}summary{cursor:pointer;padding:.2rem 0}
@media (max-width:700px){
body{padding:.75rem}
ol.bars li{grid-template-columns:minmax(0,10em) minmax(0,1fr) 4.8em}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards caption{display:block}
table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.cards tr{border:1px solid #d0d0d0;border-radius:6px;margin:0 0 .75rem;padding:.3rem .6rem}
table.cards td{display:grid;grid-template-columns:6.8em minmax(0,1fr);gap:.4rem;border:0;padding:.2rem 0;text-align:left;white-space:normal;overflow-wrap:anywhere}
.tenants .id{white-space:normal}.tenants th:last-child{width:auto}
table.cards td::before{content:attr(data-label);font-weight:600;color:#3d3d3d}
table.cards td.wide{grid-template-columns:minmax(0,1fr);gap:0}
}`;

export function renderReadinessHtml(rows: ReadinessRow[], at: string): string {
  const notAssessed = rows[0]?.readiness.notAssessed ?? [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>EWS retirement readiness, ${escapeHtml(at.slice(0, 10))}</title>
<style>${STYLE}</style></head><body>
<h1>EWS retirement readiness</h1>
<p>${escapeHtml(headline(rows, at))}</p>
${timeline(at)}
${legend(rows)}
<h2>Scores, most urgent first</h2>
${scoreChart(rows)}
${tenantTable(rows)}
<h2>Every point explained</h2>
${rows.map(details).join('\n')}
<h2>Method</h2>
<p>docs/readiness.md. Priority = (100 − score) × urgency; a tenant without a score counts as 0. The score never looks at:</p>
<ul>${notAssessed.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
<p class="id">Generated by tenant-health.</p>
</body></html>
`;
}
