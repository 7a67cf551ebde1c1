// The run as a person reads it: one row per tenant with verdict, readiness, top cause, what failed and how long calls took.
import type { RunReport } from '../shared/service/check-service';
import type { TenantResult } from '../shared/service/pipeline';
import { printable } from './args';

const shorten = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

function failed(tenant: TenantResult): string {
  const lines = tenant.probes
    .filter((p) => !p.ok && !p.skipped)
    .map((p) => `${p.name}${p.mailbox ? ` ${p.mailbox.split('@')[0]}` : ''} ${p.status ?? 'no answer'}`);
  return lines.length ? lines.join(', ') : '-';
}

function timings(tenant: TenantResult): string {
  const slowest = (prefix: string) => {
    const ms = tenant.probes.filter((p) => p.name.startsWith(prefix) && !p.skipped).map((p) => p.ms);
    return ms.length ? `${Math.max(...ms)}` : '-';
  };
  return `${slowest('token.')}/${slowest('ews.')}/${slowest('graph.')}`;
}

/** A column of the run table: dropped first when its `drop` is lowest, cut (never below `min`) when it may be. */
interface Column {
  header: string;
  cell: (tenant: TenantResult) => string;
  /** Order in which columns leave a narrow terminal, lowest first; undefined: always shown. */
  drop?: number;
  min: number;
}

const COLUMNS: Column[] = [
  { header: 'Tenant', cell: (t) => t.name, min: 12 },
  { header: 'App', cell: (t) => t.app.name ?? t.app.clientId, min: 10, drop: 3 },
  { header: 'Verdict', cell: (t) => t.verdict, min: 8 },
  { header: 'Readiness', cell: (t) => `${t.readiness.score ?? '-'} ${t.readiness.band}`, min: 9, drop: 2 },
  {
    header: 'Top cause',
    cell: (t) => {
      const top = t.findings[0];
      return top ? `${top.cause}${top.detail ? `/${top.detail}` : ''} (${top.confidence})` : '-';
    },
    min: 16,
  },
  { header: 'Timings ms (token/ews/graph)', cell: timings, min: 11, drop: 0 },
  { header: 'Failed probes (status)', cell: failed, min: 12, drop: 1 },
];
const GAP = 2;

/**
 * The run table, fitted to `width` columns of terminal: the least important columns go first, then the widest cells
 * are cut (…); `width` undefined (--wide, or not a terminal) prints every column whole.
 */
export function runTable(tenants: TenantResult[], width?: number): { lines: string[]; hidden: string[] } {
  // Every cell is rendered once; leaving a column out only narrows which of them are printed.
  const all = tenants.map((t) => COLUMNS.map((c) => printable(c.cell(t), Infinity)));
  let columns = COLUMNS;
  const keep = () => columns.map((c) => COLUMNS.indexOf(c));
  const natural = () => keep().map((k, i) => Math.max(columns[i]!.header.length, ...all.map((row) => row[k]!.length)));
  const total = (widths: number[]) => widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1);
  let widths = natural();
  const hidden: string[] = [];
  if (width !== undefined) {
    // Drop optional columns while even their minimum widths would not fit.
    const tightest = () => total(widths.map((w, i) => Math.min(w, columns[i]!.min)));
    for (const column of [...COLUMNS].filter((c) => c.drop !== undefined).sort((a, b) => a.drop! - b.drop!)) {
      if (tightest() <= width) break;
      columns = columns.filter((c) => c !== column);
      hidden.push(column.header);
      widths = natural();
    }
    // Then cut the widest columns, down to their minimum, until the table fits.
    while (total(widths) > width) {
      const i = widths.reduce(
        (widest, w, j) => (w - columns[j]!.min > widths[widest]! - columns[widest]!.min ? j : widest),
        0,
      );
      if (widths[i]! <= columns[i]!.min) break;
      widths[i] = Math.max(columns[i]!.min, widths[i]! - (total(widths) - width));
    }
  }
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? shorten(cell, widths[i]!) : shorten(cell, widths[i]!).padEnd(widths[i]!),
      )
      .join(' '.repeat(GAP))
      .trimEnd();
  const rows = all.map((row) => keep().map((k) => row[k]!));
  return {
    lines: [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)],
    hidden,
  };
}

/** The report for people: the table (fitted to `width` when given), then the summary lines. */
export function renderReport(run: RunReport, width?: number): string {
  const table = runTable(run.tenants, width);
  const { summary } = run;
  const seconds = ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1);
  return [
    ...table.lines,
    ...(table.hidden.length
      ? [`(${table.hidden.join(', ')} left out to fit the terminal: --wide shows every column)`]
      : []),
    '',
    `${summary.tenants} tenants: ${summary.healthy} healthy, ${summary.degraded} degraded, ${summary.failing} failing, ${summary.unknown} unknown (${seconds} s, run ${run.runId})`,
    readinessLine(run),
    ...alertsLine(run),
  ].join('\n');
}

/** What was raised and whether the Logic App has it; nothing when the run raised no alert. */
function alertsLine(run: RunReport): string[] {
  if (run.alerts.length === 0) return [];
  const count = (list: string[]) =>
    [...new Set(list)].map((v) => `${list.filter((x) => x === v).length} ${v}`).join(', ');
  const delivered = run.alerts.filter((a) => a.delivered).length;
  const waiting = run.alerts.length - delivered;
  return [
    `Alerts: ${run.alerts.length} raised (${count(run.alerts.map((a) => a.kind))}; ${count(run.alerts.map((a) => a.severity))}), ${delivered} delivered to the Logic App${waiting ? `, ${waiting} waiting in the outbox` : ''}`,
  ];
}

/** How the tenants stand for the EWS shutdown, and how long is left. */
function readinessLine(run: RunReport): string {
  const bands = ['ready', 'on track', 'at risk', 'critical', 'unknown'];
  const counts = bands.map((b) => `${run.tenants.filter((t) => t.readiness.band === b).length} ${b}`);
  const days = run.tenants[0]?.readiness.daysToShutdown;
  const left =
    days === undefined
      ? ''
      : days > 0
        ? `; ${days} days until EWS is switched off on 2027-04-01`
        : '; EWS in Exchange Online is switched off';
  return `EWS readiness: ${counts.join(', ')}${left} (details: npx tenant-health readiness)`;
}
