// `tenant-health sim`: the simulated Microsoft 365 cloud in the foreground, with one ready line of JSON on stdout.
import { readFile } from 'node:fs/promises';
import { parseScenario, ScenarioError } from '../sim/scenario';
import { startSimulatedCloud } from '../sim/server';
import { parseOptions, portOption, UsageError } from './args';
import { waitForStopSignal, type Io } from './io';

export async function simCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseOptions(args, { port: { type: 'string' }, scenarios: { type: 'string' } });
  const port = portOption(values.port);
  const scenario = values.scenarios ? await loadScenarioFile(values.scenarios) : undefined;
  const sim = await startSimulatedCloud({ port, ...(scenario ? { scenario } : {}) });
  const { identity, identityHeader, ...contractEndpoints } = sim.endpoints;
  io.stdout(JSON.stringify({ ready: true, baseUrl: sim.baseUrl, endpoints: { ...contractEndpoints, identity }, identityHeader }));
  io.stderr(`simulated Microsoft 365 cloud with ${sim.world.tenants.length} tenants at ${sim.baseUrl}; tenants at ${sim.baseUrl}/_sim/scenarios. Stop with Ctrl+C.`);
  await waitForStopSignal();
  await sim.close();
  io.stderr('simulated cloud stopped');
  return 0;
}

export async function loadScenarioFile(path: string) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--scenarios: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--scenarios: ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseScenario(data);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`--scenarios: ${path}: ${error.message}`);
    throw error;
  }
}
