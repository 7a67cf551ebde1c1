// Runs one cycle for a command and prints it: the report for people, or the run object with --json.
import type { RunReport } from '../shared/service/check-service';
import type { TenantResult } from '../shared/service/pipeline';
import { printable, UsageError, type OptionSpec } from './args';
import type { Io } from './io';
import { renderReport } from './report';

/** The options of the commands that run a cycle and print it (demo, check). */
export const RUN_OUTPUT_OPTIONS = {
  json: {
    type: 'boolean',
    default: false,
    help: 'print the run object as JSON on stdout (progress stays on stderr)',
  },
  'fail-on-unhealthy': { type: 'boolean', default: false, help: 'exit 1 when any tenant is not healthy' },
  wide: { type: 'boolean', default: false, help: 'print every column of the table whole, whatever the terminal width' },
} as const satisfies Record<string, OptionSpec>;

export interface CycleOutput {
  json: boolean;
  failOnUnhealthy: boolean;
  /** Every column of the table, whatever the terminal's width. */
  wide?: boolean;
  /** Serving afterwards: stdout is kept to JSON lines (the run object with --json, then the ready line); the report goes to stderr. */
  serving?: boolean;
}

/** The output options as given, checked before anything is started. */
export function cycleOutput(values: { json: boolean; 'fail-on-unhealthy': boolean; wide: boolean }): CycleOutput {
  if (values.json && values.wide) throw new UsageError('--json and --wide cannot be combined: --wide is for the table');
  return { json: values.json, failOnUnhealthy: values['fail-on-unhealthy'], wide: values.wide };
}

/** Progress on a terminal, tenant by tenant. */
export type OnTenantDone = (result: TenantResult, done: number, total: number) => void;

const PROGRESS_EVERY_MS = 5_000;

/** Runs the cycle (which stores it and raises its alerts, where the command does) with progress, then prints it. */
export async function runAndPrint(
  cycle: (onTenantDone: OnTenantDone) => Promise<RunReport>,
  output: CycleOutput,
  io: Io,
): Promise<{ code: number; run: RunReport }> {
  // A terminal gets a line redrawn per tenant; a log (stderr piped) a line every few seconds, so neither is silent.
  let lastLine = Date.now();
  const run = await cycle((result, done, total) => {
    const line = `checked ${done}/${total} tenants (last: ${printable(result.name)}, ${result.verdict})`;
    if (io.interactive) io.progress(line);
    else if (done < total && Date.now() - lastLine >= PROGRESS_EVERY_MS) {
      lastLine = Date.now();
      io.stderr(line);
    }
  });
  io.progress('');
  if (output.json) io.stdout(output.serving ? JSON.stringify(run) : JSON.stringify(run, null, 2));
  else (output.serving ? io.stderr : io.stdout)(renderReport(run, output.wide ? undefined : io.columns));
  const unhealthy = run.tenants.some((t) => t.verdict !== 'healthy');
  return { code: output.failOnUnhealthy && unhealthy ? 1 : 0, run };
}
