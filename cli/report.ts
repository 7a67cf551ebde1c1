// The run as a person reads it: one row per tenant with verdict, readiness, top cause, what failed and how long calls took.
import type { RunReport } from '../shared/service/check-service';
import type { TenantResult } from '../shared/service/pipeline';

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

export function renderReport(run: RunReport): string {
  const header = [
    'Tenant',
    'App',
    'Verdict',
    'Readiness',
    'Top cause',
    'Timings ms (token/ews/graph)',
    'Failed probes (status)',
  ];
  const rows = run.tenants.map((t) => {
    const top = t.findings[0];
    return [
      shorten(t.name, 26),
      shorten(t.app.name ?? t.app.clientId, 30),
      t.verdict,
      `${t.readiness.score ?? '-'} ${t.readiness.band}`,
      top ? shorten(`${top.cause}${top.detail ? `/${top.detail}` : ''} (${top.confidence})`, 72) : '-',
      timings(t),
      shorten(failed(t), 90),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const { summary } = run;
  const seconds = ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
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
