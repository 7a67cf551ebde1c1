// `tenant-health fleet`: every app seen calling EWS or holding full_access_as_app, per tenant, against its EwsAllowedAppIDs, with merge scripts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fleetReport, type FleetEntry } from '../shared/core/fleet';
import type { TenantResult } from '../shared/service/pipeline';
import { parseTagFilter, withTag } from '../shared/core/tags';
import { instantOption, parseOptions, UsageError } from './args';
import type { Io } from './io';
import { renderFleetHtml, renderFleetText } from './fleet-report';
import { byEntry, tenantResultsFrom } from './run-source';

/** A run's result as the fleet view reads it; the same view the Function App builds from stored status rows. */
const fleetEntryOf = (result: TenantResult): FleetEntry => ({ ...result, directoryId: result.directory?.id ?? null });

export async function fleetCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, {
    run: { type: 'string', multiple: true },
    scenarios: { type: 'string' },
    at: { type: 'string' },
    json: { type: 'boolean', default: false },
    html: { type: 'string' },
    scripts: { type: 'string' },
    tag: { type: 'string' },
  });
  const tag = values.tag === undefined ? null : parseTagFilter(values.tag);
  if (values.tag !== undefined && !tag)
    throw new UsageError(`--tag must be name:value, such as tier:gold, got "${values.tag.slice(0, 80)}"`);
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
