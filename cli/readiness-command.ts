// `tenant-health readiness`: every tenant's EWS retirement readiness, most urgent first, as text, JSON or an HTML page.
import { writeFile } from 'node:fs/promises';
import type { TenantResult } from '../shared/service/pipeline';
import { assessReadiness } from '../shared/core/readiness';
import { burnDownPointOf, observedBurnDown, withPoint, type BurnDownPoint } from '../shared/core/burn-down';
import { instantOption, parseCommand, type CommandSpec } from './args';
import type { Io } from './io';
import { byPriority, renderReadinessHtml, renderReadinessText, type ReadinessRow } from './readiness-report';
import { byEntry, REPORT_SOURCE_OPTIONS, tenantResultsFrom } from './run-source';

export const READINESS_COMMAND = {
  name: 'readiness',
  summary: 'EWS retirement readiness of every tenant, most urgent first, with what to fix',
  usage: [
    'readiness [--run FILE]... [--at DATE] [--json] [--html FILE]',
    'readiness [--scenarios FILE] [--at DATE] [--json] [--html FILE]',
  ],
  options: REPORT_SOURCE_OPTIONS,
  examples: [
    'tenant-health readiness',
    'tenant-health demo --json > run.json && tenant-health readiness --run run.json --html readiness.html',
    'tenant-health readiness --run week-1.json --run week-2.json --at 2027-03-15',
  ],
} satisfies CommandSpec;

export async function readinessCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(READINESS_COMMAND, args);
  const at = values.at === undefined ? undefined : instantOption(values.at, '--at');
  const entries = byEntry(await tenantResultsFrom(values, 'readiness', io));
  // Without --at each tenant is scored for the moment it was checked; with --at, the same evidence for another day.
  // Several runs make the observed burn-down: one point a week, each week's last check.
  const rows: ReadinessRow[] = entries
    .map((checks) => {
      const t = checks[checks.length - 1]!;
      const readiness = assessReadiness(t, at ?? Date.parse(t.checkedAt));
      const points = checks.reduce<BurnDownPoint[]>(
        (kept, check) =>
          withPoint(
            kept,
            burnDownPointOf({ ...check, readiness: assessReadiness(check, Date.parse(check.checkedAt)) }),
          ),
        [],
      );
      return {
        tenantId: t.tenantId,
        name: t.name,
        verdict: t.verdict,
        readiness,
        appNames: appNamesOf(t),
        observed: observedBurnDown(points, readiness.burnDown),
      };
    })
    .sort(byPriority);
  const tenants = entries.map((checks) => checks[checks.length - 1]!);
  const when = new Date(at ?? Date.parse(tenants[0]?.checkedAt ?? new Date().toISOString())).toISOString();
  if (values.html) {
    await writeFile(values.html, renderReadinessHtml(rows, when));
    io.stderr(`readiness: wrote ${values.html}`);
  }
  if (values.json) io.stdout(JSON.stringify({ at: when, tenants: rows }, null, 2));
  else io.stdout(renderReadinessText(rows, when));
  return 0;
}

/** What the tenant itself calls its apps: our app's name, then the names of the apps holding full_access_as_app. */
function appNamesOf(tenant: TenantResult): Record<string, string> {
  const grants = tenant.ewsInventory?.grants;
  const holders = grants && 'holders' in grants ? grants.holders : [];
  const named = [
    ...holders.flatMap((h) => (h.appId && h.displayName.trim() ? [[h.appId, h.displayName.trim()] as const] : [])),
    ...(tenant.app.name ? [[tenant.app.clientId, tenant.app.name] as const] : []),
  ];
  return Object.fromEntries(named.map(([appId, name]) => [appId.toLowerCase(), name]));
}
