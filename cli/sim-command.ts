// `tenant-health sim`: the simulated Microsoft 365 cloud in the foreground, with one ready line of JSON on stdout.
import { syntheticScenario } from '../sim/generator';
import { parseScenario, ScenarioError } from '../sim/scenario';
import { startSimulatedCloud } from '../sim/server';
import { parseOptions, portOption, readJsonFile, UsageError } from './args';
import { waitForStopSignal, type Io } from './io';

export async function simCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, {
    port: { type: 'string' },
    scenarios: { type: 'string' },
    synthetic: { type: 'string' },
  });
  const port = portOption(values.port);
  if (values.scenarios && values.synthetic) throw new UsageError('--scenarios and --synthetic cannot be combined');
  const scenario = values.scenarios
    ? await loadScenarioFile(values.scenarios)
    : values.synthetic
      ? syntheticScenario(countOption(values.synthetic))
      : undefined;
  const sim = await startSimulatedCloud({ port, ...(scenario ? { scenario } : {}) });
  const { identityHeader, ...endpoints } = sim.endpoints;
  io.stdout(JSON.stringify({ ready: true, baseUrl: sim.baseUrl, endpoints, identityHeader }));
  io.stderr(
    `simulated Microsoft 365 cloud with ${sim.world.tenants.length} tenants at ${sim.baseUrl}; tenants at ${sim.baseUrl}/_sim/scenarios. Stop with Ctrl+C.`,
  );
  await waitForStopSignal();
  await sim.close();
  io.stderr('simulated cloud stopped');
  return 0;
}

function countOption(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new UsageError(`--synthetic must be a whole number of tenants from 1 to 100000, got "${value}"`);
  return count;
}

export async function loadScenarioFile(path: string) {
  const data = await readJsonFile(path, '--scenarios');
  try {
    return parseScenario(data);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`--scenarios: ${path}: ${error.message}`);
    throw error;
  }
}
