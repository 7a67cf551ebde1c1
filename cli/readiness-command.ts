// `tenant-health readiness`: every tenant's EWS retirement readiness, most urgent first, as text, JSON or an HTML page.
import { writeFile } from 'node:fs/promises';
import { runCycle, type TenantResult } from '../shared/service/pipeline';
import { assessReadiness } from '../shared/core/readiness';
import { instantOption, parseOptions, readJsonFile, UsageError } from './args';
import type { Io } from './io';
import { byPriority, renderReadinessHtml, renderReadinessText, type ReadinessRow } from './readiness-report';
import { loadScenarioFile } from './sim-command';
import { startSimulatedWorld } from './simulated-world';

export async function readinessCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, {
    run: { type: 'string' },
    scenarios: { type: 'string' },
    at: { type: 'string' },
    json: { type: 'boolean', default: false },
    html: { type: 'string' },
  });
  if (values.run && values.scenarios)
    throw new UsageError(
      '--run and --scenarios cannot be combined: --run reads a saved run, --scenarios runs the simulated cloud',
    );
  const at = values.at === undefined ? undefined : instantOption(values.at, '--at');
  const tenants = values.run ? await loadRun(values.run) : await simulatedRun(values.scenarios, io);
  // Without --at each tenant is scored for the moment it was checked; with --at, the same evidence for another day.
  const rows: ReadinessRow[] = tenants
    .map((t) => ({
      tenantId: t.tenantId,
      name: t.name,
      verdict: t.verdict,
      readiness: assessReadiness(t, at ?? Date.parse(t.checkedAt)),
    }))
    .sort(byPriority);
  const when = new Date(at ?? Date.parse(tenants[0]?.checkedAt ?? new Date().toISOString())).toISOString();
  if (values.html) {
    await writeFile(values.html, renderReadinessHtml(rows, when));
    io.stderr(`readiness: wrote ${values.html}`);
  }
  if (values.json) io.stdout(JSON.stringify({ at: when, tenants: rows }, null, 2));
  else io.stdout(renderReadinessText(rows, when));
  return 0;
}

async function simulatedRun(scenarios: string | undefined, io: Io): Promise<TenantResult[]> {
  const world = await startSimulatedWorld(scenarios ? await loadScenarioFile(scenarios) : undefined);
  try {
    io.stderr(
      `readiness: checking the ${world.tenants.length} tenants of the simulated cloud (use --run FILE for a saved run of real tenants)`,
    );
    return (await runCycle(world.tenants, world.pipeline)).tenants;
  } finally {
    await world.close();
  }
}

const FIELDS = ['tenantId', 'name', 'checkedAt', 'app', 'probes', 'findings', 'permissions'] as const;

/** A run object saved by `demo --json` or `check --json`; a tenant missing what the score reads is named. */
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
