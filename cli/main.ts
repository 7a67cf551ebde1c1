// The tenant-health command line: dispatches to one command and maps failures to the contract's exit codes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALERTS_COMMAND, alertsCommand } from './alerts-command';
import { closest, HelpRequested, helpText, printable, safeMessage, UsageError, type CommandSpec } from './args';
import { CHECK_COMMAND, checkCommand } from './check-command';
import { DEMO_COMMAND, demoCommand } from './demo-command';
import { DIAGNOSE_COMMAND, diagnoseCommand } from './diagnose-command';
import { FLEET_COMMAND, fleetCommand } from './fleet-command';
import { processIo, type Io } from './io';
import { ONBOARD_COMMAND, onboardCommand } from './onboard-command';
import { READINESS_COMMAND, readinessCommand } from './readiness-command';
import { SIM_COMMAND, simCommand } from './sim-command';
import { WATCH_COMMAND, watchCommand } from './watch-command';

const COMMANDS: { spec: CommandSpec; run: (args: string[], io: Io) => Promise<number> }[] = [
  { spec: DEMO_COMMAND, run: demoCommand },
  { spec: CHECK_COMMAND, run: checkCommand },
  { spec: READINESS_COMMAND, run: readinessCommand },
  { spec: FLEET_COMMAND, run: fleetCommand },
  { spec: DIAGNOSE_COMMAND, run: diagnoseCommand },
  { spec: ALERTS_COMMAND, run: alertsCommand },
  { spec: WATCH_COMMAND, run: watchCommand },
  { spec: ONBOARD_COMMAND, run: onboardCommand },
  { spec: SIM_COMMAND, run: simCommand },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'usage: tenant-health <command> [options]',
    '       tenant-health <command> --help    (its options and examples)',
    '       tenant-health --version',
    '',
    'commands:',
    ...COMMANDS.map(({ spec }) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
  ].join('\n');
}

/** This package's version, from the package.json above the code (cli/ under ts-jest, dist/cli/ when built). */
export function version(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'tenant-health') return manifest.version ?? 'unknown';
  }
  return 'unknown';
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`tenant-health ${version()}`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    // help COMMAND is COMMAND --help.
    const asked = COMMANDS.find((c) => c.spec.name === args[0]);
    io.stdout(asked ? helpText(asked.spec) : usage());
    return 0;
  }
  if (!name) {
    io.stderr(usage());
    return 2;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    const near = closest(
      name,
      COMMANDS.map((c) => c.spec.name),
    );
    io.stderr(
      `tenant-health: unknown command "${printable(name)}"${near ? ` (did you mean ${near}?)` : ''}; tenant-health --help lists the commands`,
    );
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(error.text);
      return 0;
    }
    if (error instanceof UsageError) {
      io.stderr(`tenant-health ${name}: ${safeMessage(error.message)}`);
      return 2;
    }
    io.stderr(`tenant-health ${name}: ${safeMessage(describeFailure(error))}`);
    return 1;
  }
}

/** An unexpected failure in words (escaped where it is printed): its message, or its name and code without one. */
function describeFailure(error: unknown): string {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  const text =
    error instanceof Error ? error.message || `${error.name}${code ? ` ${code}` : ''} (no message)` : String(error);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
