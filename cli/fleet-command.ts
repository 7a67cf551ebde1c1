// `tenant-health fleet`: every app seen calling EWS or holding full_access_as_app, per tenant, against its EwsAllowedAppIDs, with merge scripts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fleetReport, type FleetEntry } from '../shared/core/fleet';
import type { TenantResult } from '../shared/service/pipeline';
import { parseTagFilter, withTag } from '../shared/core/tags';
import { instantOption, parseCommand, UsageError, type CommandSpec, printable } from './args';
import type { Io } from './io';
import { renderFleetHtml, renderFleetText } from './fleet-report';
import { byEntry, REPORT_SOURCE_OPTIONS, tenantResultsFrom } from './run-source';

/** A run's result as the fleet view reads it; the same view the Function App builds from stored status rows. */
const fleetEntryOf = (result: TenantResult): FleetEntry => ({ ...result, directoryId: result.directory?.id ?? null });

export const FLEET_COMMAND = {
  name: 'fleet',
  summary:
    "every app calling EWS or holding full_access_as_app, per tenant, against the tenant's EwsAllowedAppIDs, with the PowerShell that merges what is missing",
  usage: [
    'fleet [--run FILE... | --scenarios FILE] [--at DATE] [--tag NAME:VALUE] [--json] [--html FILE] [--scripts DIR]',
  ],
  options: {
    ...REPORT_SOURCE_OPTIONS,
    tag: { type: 'string', value: 'NAME:VALUE', help: 'only the tenants any of whose apps carries this tag' },
    scripts: {
      type: 'string',
      value: 'DIR',
      help: "write each drifting tenant's allow-list merge script there (printed for you to run, never run)",
    },
  },
  examples: ['tenant-health fleet', 'tenant-health fleet --run run.json --tag tier:gold --scripts ./allow-list'],
} satisfies CommandSpec;

export async function fleetCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(FLEET_COMMAND, args);
  const tag = values.tag === undefined ? null : parseTagFilter(values.tag);
  if (values.tag !== undefined && !tag)
    throw new UsageError(`--tag must be name:value, such as tier:gold, got "${printable(values.tag)}"`);
  const at = values.at === undefined ? undefined : instantOption(values.at, '--at');
  // Of several runs, each entry's latest result is the one that stands.
  const results = byEntry(await tenantResultsFrom(values, 'fleet', io)).map((list) => list[list.length - 1]!);
  // The view is of now (or --at): a script says when it was written, after the checks it comes from.
  const entries = results.map(fleetEntryOf);
  const report = fleetReport(tag ? withTag(entries, tag) : entries, at ?? Date.now());
  const written = new Map<string, string>();
  if (values.scripts) {
    await mkdir(values.scripts, { recursive: true });
    for (const tenant of report.tenants.filter((t) => t.mergeScript)) {
      // A tenant id is a GUID or a domain: safe as a file name.
      const path = join(values.scripts, `ews-allow-list-${tenant.tenantId.toLowerCase()}.ps1`);
      await writeFile(path, tenant.mergeScript!);
      written.set(tenant.tenantId, resolve(path));
    }
    io.stderr(`fleet: wrote ${written.size} merge script(s) to ${values.scripts}`);
  }
  if (values.html) {
    await writeFile(values.html, renderFleetHtml(report));
    io.stderr(`fleet: wrote ${values.html}`);
  }
  io.stdout(values.json ? JSON.stringify(report, null, 2) : renderFleetText(report, written));
  return 0;
}
