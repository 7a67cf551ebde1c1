// Runs one cycle for a command and prints it: the report for people, or the run object with --json.
import type { Dispatcher } from 'undici';
import type { SecretStore } from '../shared/credentials';
import { runCycle, type RunResult } from '../shared/pipeline';
import type { TenantDefinition } from '../shared/tenants';
import { TokenProvider } from '../shared/tokens';
import type { Io } from './io';
import { renderReport } from './report';

export interface CycleOutput { json: boolean; failOnUnhealthy: boolean }

export async function runAndPrint(tenants: TenantDefinition[], dispatcher: Dispatcher, secrets: SecretStore, output: CycleOutput, io: Io): Promise<{ code: number; run: RunResult }> {
  const run = await runCycle(tenants, { dispatcher, secrets, tokens: new TokenProvider(dispatcher) }, {
    onTenantDone: (result, done, total) => {
      if (io.interactive) io.progress(`checked ${done}/${total} tenants (last: ${result.name}, ${result.verdict})`);
    },
  });
  io.progress('');
  if (output.json) io.stdout(JSON.stringify(run, null, 2));
  else io.stdout(renderReport(run));
  const unhealthy = run.tenants.some((t) => t.verdict !== 'healthy');
  return { code: output.failOnUnhealthy && unhealthy ? 1 : 0, run };
}
