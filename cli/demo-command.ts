// `tenant-health demo`: the simulated cloud on loopback and one cycle over every simulated tenant, as the Functions run it.
import { CheckQueue } from '../shared/check-queue';
import { TableResultStore } from '../shared/result-store';
import { readSettings } from '../shared/settings';
import { parseOptions, portOption, UsageError } from './args';
import { startAzurite } from './azurite';
import { waitForStopSignal, type Io } from './io';
import { runAndPrint } from './run-cycle';
import { startSimulatedWorld } from './simulated-world';
import { loadScenarioFile } from './sim-command';
import { startStatusServer } from './status-server';

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, {
    json: { type: 'boolean', default: false }, 'fail-on-unhealthy': { type: 'boolean', default: false }, scenarios: { type: 'string' },
    serve: { type: 'boolean', default: false }, port: { type: 'string' },
  });
  if (values.port !== undefined && !values.serve) throw new UsageError('--port only applies with --serve');
  const port = portOption(values.port);
  const scenario = values.scenarios ? await loadScenarioFile(values.scenarios) : undefined;
  const [world, azurite] = await Promise.all([startSimulatedWorld(scenario), startAzurite()]);
  try {
    const { sim, tenants, pipeline } = world;
    io.stderr(`demo: simulated Microsoft 365 cloud with ${sim.world.tenants.length} tenants at ${sim.baseUrl}; Table storage (Azurite, in memory) at ${azurite.tableEndpoint}`);
    const { settings } = readSettings({ TENANT_HEALTH_STORAGE: azurite.connectionString });
    const store = TableResultStore.fromConnectionString(azurite.connectionString, { retentionDays: settings.historyRetentionDays });
    await store.ensureTables();
    await store.watch(tenants);
    const { code, run } = await runAndPrint(tenants, pipeline, { json: values.json, failOnUnhealthy: values['fail-on-unhealthy'], serving: values.serve }, io);
    await store.saveCycle(run.tenants, { id: run.runId, at: run.startedAt });
    io.stderr(`demo: ${run.tenants.length} tenant results written to Table storage (tables WatchedTenants, TenantStatus and TenantHistory)`);
    if (!values.serve) return code;

    const queue = CheckQueue.fromConnectionString(azurite.connectionString, settings.checkQueue);
    await queue.ensureQueues();
    const server = await startStatusServer({ pipeline, store, queue, settings }, port, io.stderr);
    io.stdout(JSON.stringify({ ready: true, baseUrl: server.baseUrl }));
    const example = run.tenants[0]?.tenantId ?? '{tenant}';
    io.stderr([
      `demo: serving the Functions' HTTP routes at ${server.baseUrl} (keys are not enforced here, as under func start). Try:`,
      `  curl ${server.baseUrl}/api/status`,
      `  curl ${server.baseUrl}/api/status/${example}`,
      `  curl ${server.baseUrl}/api/status/${example}/badge`,
      `  curl -X POST ${server.baseUrl}/api/check/${example}`,
      'Stop with Ctrl+C.',
    ].join('\n'));
    await waitForStopSignal();
    await server.close();
    io.stderr('demo: stopped serving');
    return code;
  } finally {
    await Promise.all([world.close(), azurite.close()]);
  }
}
