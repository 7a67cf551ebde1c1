// Runs one cycle for a command and prints it: the report for people, or the run object with --json.
import { runCycle, type PipelineDeps, type RunResult } from '../shared/service/pipeline';
import type { TenantDefinition } from '../shared/core/tenants';
import type { Io } from './io';
import { renderReport } from './report';

export interface CycleOutput {
  json: boolean;
  failOnUnhealthy: boolean;
  /** Serving afterwards: stdout is kept to JSON lines (the run object with --json, then the ready line); the report goes to stderr. */
  serving?: boolean;
  /** How long each tenant's checks may take (TENANT_DEADLINE_SECONDS; the pipeline's default otherwise). */
  tenantDeadlineSeconds?: number;
}

/**
 * Runs the cycle with progress on a terminal, lets `settle` finish it (store it, raise its alerts) before anything is
 * printed, and prints it.
 */
export async function runAndPrint(
  tenants: TenantDefinition[], pipeline: PipelineDeps, output: CycleOutput, io: Io, settle: (run: RunResult) => Promise<RunResult> = (run) => Promise.resolve(run),
): Promise<{ code: number; run: RunResult }> {
  const run = await settle(await runCycle(tenants, pipeline, {
    ...(output.tenantDeadlineSeconds ? { tenantDeadlineMs: output.tenantDeadlineSeconds * 1000 } : {}),
    onTenantDone: (result, done, total) => {
      if (io.interactive) io.progress(`checked ${done}/${total} tenants (last: ${result.name}, ${result.verdict})`);
    },
  }));
  io.progress('');
  if (output.json) io.stdout(output.serving ? JSON.stringify(run) : JSON.stringify(run, null, 2));
  else (output.serving ? io.stderr : io.stdout)(renderReport(run));
  const unhealthy = run.tenants.some((t) => t.verdict !== 'healthy');
  return { code: output.failOnUnhealthy && unhealthy ? 1 : 0, run };
}
