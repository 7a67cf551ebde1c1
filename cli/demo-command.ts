// `tenant-health demo`: the simulated cloud on loopback and one cycle over every simulated tenant, as the Functions run it.
import { readSettings } from '../shared/core/settings';
import { checkCycle, ensureStorage } from '../shared/service/check-service';
import { createServices } from '../shared/service/services';
import { parseCommand, portOption, UsageError, type CommandSpec } from './args';
import { startAzurite } from './azurite';
import { waitForStopSignal, type Io } from './io';
import { cycleOutput, RUN_OUTPUT_OPTIONS, runAndPrint } from './run-cycle';
import { startSimulatedWorld } from './simulated-world';
import { loadScenarioFile } from './sim-command';
import { startStatusServer } from './status-server';

const DEMO_TRIGGER_SECRET = 'tenant-health-alerts-trigger-url';

export const DEMO_COMMAND = {
  name: 'demo',
  summary:
    "check every tenant of the simulated cloud through the Functions' pipeline, store the results in Azurite, and print the report",
  usage: ['demo [--json | --wide] [--fail-on-unhealthy] [--scenarios FILE]', 'demo --serve [--port N] [--json]'],
  options: {
    ...RUN_OUTPUT_OPTIONS,
    scenarios: { type: 'string', value: 'FILE', help: 'a scenario catalogue instead of the built-in one' },
    serve: {
      type: 'boolean',
      default: false,
      help: "then keep serving the Functions' HTTP routes (/api/...) until Ctrl+C",
    },
    port: {
      type: 'string',
      value: 'N',
      help: 'with --serve: the port on 127.0.0.1 (0, the default, picks a free one)',
    },
  },
  examples: ['tenant-health demo', 'tenant-health demo --json > run.json', 'tenant-health demo --serve --port 7071'],
} satisfies CommandSpec;

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(DEMO_COMMAND, args);
  if (values.port !== undefined && !values.serve) throw new UsageError('--port only applies with --serve');
  const port = portOption(values.port);
  const output = { ...cycleOutput(values), serving: values.serve };
  const scenario = values.scenarios ? await loadScenarioFile(values.scenarios) : undefined;
  io.stderr('demo: starting the simulated Microsoft 365 cloud and Azurite (local Table storage)...');
  const [simStart, azuriteStart] = await Promise.allSettled([startSimulatedWorld(scenario), startAzurite()]);
  if (simStart.status === 'rejected' || azuriteStart.status === 'rejected') {
    // Whatever did start is stopped, so that a failed start leaves nothing listening.
    await Promise.all([
      simStart.status === 'fulfilled' && simStart.value.close(),
      azuriteStart.status === 'fulfilled' && azuriteStart.value.close(),
    ]);
    throw simStart.status === 'rejected' ? simStart.reason : (azuriteStart as PromiseRejectedResult).reason;
  }
  const [world, azurite] = [simStart.value, azuriteStart.value];
  try {
    const { sim, tenants } = world;
    io.stderr(
      `demo: simulated Microsoft 365 cloud with ${sim.world.tenants.length} tenants at ${sim.baseUrl}; Table storage (Azurite, in memory) at ${azurite.tableEndpoint}`,
    );
    // The trigger URL lives in Key Vault, as in Azure; one cycle is all the demo has, so a problem alerts at once.
    sim.world.putSecret(DEMO_TRIGGER_SECRET, sim.logicAppPublicUrl, 'text/plain');
    const { settings, problems } = readSettings({
      TENANT_HEALTH_STORAGE: azurite.connectionString,
      KEY_VAULT_URL: sim.endpoints.keyvault,
      TENANT_HEALTH_ALLOW_LOOPBACK: 'true',
      ALERT_LOGIC_APP_URL_SECRET: DEMO_TRIGGER_SECRET,
      ALERT_FAILURE_THRESHOLD: '1',
      TENANT_DEADLINE_SECONDS: process.env.TENANT_DEADLINE_SECONDS,
    });
    for (const problem of problems) io.stderr(`demo: ${problem}`);
    // The product as the Function App builds it, with its calls routed to the simulated cloud.
    const services = createServices(settings, { dispatcher: world.dispatcher, credential: world.credential });
    await ensureStorage(services);
    await services.store.watch(tenants);
    const { code, run } = await runAndPrint(
      async (onTenantDone) => {
        const { report, deliveryErrors } = await checkCycle(tenants, services, { onTenantDone });
        io.stderr(
          `demo: ${report.tenants.length} tenant results written to Table storage (tables WatchedTenants, TenantStatus and TenantHistory)`,
        );
        io.stderr(
          deliveryErrors.length
            ? `demo: ${report.alerts.length} alert notices recorded (table Alerts); not all posted, they wait in the outbox: ${deliveryErrors.join('; ')}`
            : `demo: ${report.alerts.length} alert notices recorded (table Alerts) and posted to the simulated Logic App trigger (${sim.baseUrl}/_sim/logicapp lists them)`,
        );
        return report;
      },
      output,
      io,
    );
    if (!values.serve) return code;

    const server = await startStatusServer(services, port, io.stderr);
    io.stdout(JSON.stringify({ ready: true, baseUrl: server.baseUrl }));
    const example = run.tenants[0]?.tenantId ?? '{tenant}';
    io.stderr(
      [
        `demo: serving the Functions' HTTP routes at ${server.baseUrl} (keys are not enforced here, as under func start). Try:`,
        `  curl ${server.baseUrl}/api/status`,
        `  curl ${server.baseUrl}/api/status/${example}`,
        `  curl ${server.baseUrl}/api/status/${example}/badge`,
        `  curl -X POST ${server.baseUrl}/api/check/${example}`,
        'Stop with Ctrl+C.',
      ].join('\n'),
    );
    await waitForStopSignal();
    await server.close();
    io.stderr('demo: stopped serving');
    return code;
  } finally {
    await Promise.all([world.close(), azurite.close()]);
  }
}
