// Where a report's tenant results come from: a run saved by `demo --json` or `check --json`, or a fresh check of the simulated cloud.
import { entryKey } from '../shared/core/entry';
import { runCycle, type TenantResult } from '../shared/service/pipeline';
import { readJsonFile, UsageError, type OptionSpec } from './args';
import type { Io } from './io';
import { loadScenarioFile } from './sim-command';
import { startSimulatedWorld } from './simulated-world';

/** The options of the reports that read runs (readiness, fleet): where the results come from, when, and where to. */
export const REPORT_SOURCE_OPTIONS = {
  run: {
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: 'a run saved by demo --json or check --json; several (weeks apart) add the observed burn-down',
  },
  scenarios: {
    type: 'string',
    value: 'FILE',
    help: 'without --run: check the simulated cloud with this scenario catalogue (default: the built-in one)',
  },
  at: {
    type: 'string',
    value: 'DATE',
    help: 'as of this day (YYYY-MM-DD), instant (ISO 8601 with offset) or time from now (+30d)',
  },
  json: { type: 'boolean', default: false, help: 'print JSON on stdout instead of the text report' },
  html: { type: 'string', value: 'FILE', help: 'also write the report as an HTML page' },
} as const satisfies Record<string, OptionSpec>;

/**
 * The results of the runs named by --run FILE (one or several, as saved over weeks), or (without it) those of a check
 * of the simulated cloud, --scenarios FILE or its own.
 */
export async function tenantResultsFrom(
  options: { run?: string[] | undefined; scenarios?: string | undefined },
  command: string,
  io: Io,
): Promise<TenantResult[]> {
  if (options.run?.length && options.scenarios)
    throw new UsageError(
      '--run and --scenarios cannot be combined: --run reads a saved run, --scenarios runs the simulated cloud',
    );
  if (!options.run?.length) return simulatedRun(options.scenarios, command, io);
  const runs = await Promise.all(options.run.map(loadRun));
  return runs.flat();
}

/** Each entry's (tenant and app) results, oldest first, the latest last: what reports score, and what came before it. */
export function byEntry(results: TenantResult[]): TenantResult[][] {
  const entries = new Map<string, TenantResult[]>();
  for (const result of results) {
    const key = entryKey({ tenantId: result.tenantId, clientId: result.app.clientId });
    entries.set(key, [...(entries.get(key) ?? []), result]);
  }
  return [...entries.values()].map((list) => list.sort((a, b) => a.checkedAt.localeCompare(b.checkedAt)));
}

async function simulatedRun(scenarios: string | undefined, command: string, io: Io): Promise<TenantResult[]> {
  const scenario = scenarios ? await loadScenarioFile(scenarios) : undefined;
  io.stderr(`${command}: starting the simulated Microsoft 365 cloud (use --run FILE for a saved run of real tenants)`);
  const world = await startSimulatedWorld(scenario);
  try {
    io.stderr(`${command}: checking its ${world.tenants.length} tenants`);
    return (await runCycle(world.tenants, world.pipeline)).tenants;
  } finally {
    await world.close();
  }
}

const FIELDS = ['tenantId', 'name', 'checkedAt', 'app', 'probes', 'findings', 'permissions'] as const;

/** A run object saved by `demo --json` or `check --json`; a tenant missing what the reports read is named. */
async function loadRun(path: string): Promise<TenantResult[]> {
  const data = await readJsonFile(path, '--run');
  const tenants = (data as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(tenants) || tenants.length === 0)
    throw new UsageError(`--run ${path}: not a run object with tenants (save one with demo --json or check --json)`);
  tenants.forEach((tenant: Record<string, unknown> | null, i) => {
    const missing = FIELDS.filter((f) => tenant?.[f] === undefined || tenant[f] === null);
    if (missing.length)
      throw new UsageError(
        `--run ${path}: tenants[${i}] lacks ${missing.join(', ')}; save the run again with this version of demo --json or check --json`,
      );
    if (Number.isNaN(Date.parse(String(tenant!.checkedAt))))
      throw new UsageError(`--run ${path}: tenants[${i}].checkedAt is not a date`);
  });
  return tenants as TenantResult[];
}
