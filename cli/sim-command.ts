// `tenant-health sim`: the simulated Microsoft 365 cloud in the foreground, with one ready line of JSON on stdout.
import { syntheticScenario } from '../sim/generator';
import { parseScenario, ScenarioError } from '../sim/scenario';
import { startSimulatedCloud } from '../sim/server';
import { parseCommand, portOption, readJsonFile, UsageError, wholeNumber, type CommandSpec, printable } from './args';
import { waitForStopSignal, type Io } from './io';

export const SIM_COMMAND = {
  name: 'sim',
  summary: 'start the simulated Microsoft 365 cloud on loopback, in the foreground, until Ctrl+C',
  usage: ['sim [--port N] [--scenarios FILE | --synthetic N]'],
  options: {
    port: { type: 'string', value: 'N', help: 'the port on 127.0.0.1 (0, the default, picks a free one)' },
    scenarios: { type: 'string', value: 'FILE', help: 'a scenario catalogue instead of the built-in one' },
    synthetic: { type: 'string', value: 'N', help: 'N generated tenants (1 to 100000), for load' },
  },
  examples: ['tenant-health sim --port 8080', 'curl http://127.0.0.1:8080/_sim/scenarios'],
} satisfies CommandSpec;

export async function simCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommand(SIM_COMMAND, args);
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
  const count = wholeNumber(value);
  if (count === undefined || count < 1 || count > 100_000)
    throw new UsageError(`--synthetic must be a whole number of tenants from 1 to 100000, got "${printable(value)}"`);
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
