// The tenant-health command line: dispatches to one command and maps failures to the contract's exit codes.
import { alertsCommand } from './alerts-command';
import { UsageError } from './args';
import { checkCommand } from './check-command';
import { demoCommand } from './demo-command';
import { diagnoseCommand } from './diagnose-command';
import { fleetCommand } from './fleet-command';
import { processIo, type Io } from './io';
import { onboardCommand } from './onboard-command';
import { readinessCommand } from './readiness-command';
import { simCommand } from './sim-command';
import { watchCommand } from './watch-command';

const COMMANDS: Record<string, { run: (args: string[], io: Io) => Promise<number>; summary: string }> = {
  demo: {
    run: demoCommand,
    summary:
      'check every tenant of the simulated cloud and print the report (--json, --scenarios FILE, --fail-on-unhealthy, --serve [--port N])',
  },
  check: {
    run: checkCommand,
    summary: 'check real tenants (--config FILE [--secrets FILE] [--json] [--fail-on-unhealthy])',
  },
  readiness: {
    run: readinessCommand,
    summary:
      'EWS retirement readiness of every tenant, most urgent first ([--run FILE | --scenarios FILE] [--at DATE] [--json] [--html FILE])',
  },
  fleet: {
    run: fleetCommand,
    summary:
      'every app calling EWS or holding full_access_as_app, per tenant, against its EwsAllowedAppIDs, with merge scripts ([--run FILE | --scenarios FILE] [--at DATE] [--tag NAME:VALUE] [--json] [--html FILE] [--scripts DIR])',
  },
  diagnose: {
    run: diagnoseCommand,
    summary: 'explain saved evidence: root cause, confidence and fix (FILE|- [--json])',
  },
  alerts: {
    run: alertsCommand,
    summary:
      'open alerts, snoozes and maintenance windows, the outbox ([list] | snooze | unsnooze ID | outbox | redeliver) [--storage CONN] [--json]',
  },
  watch: {
    run: watchCommand,
    summary:
      'set the tenants the Function App checks (--config FILE | --list | --remove TENANT) [--storage CONN] [--json]',
  },
  onboard: {
    run: onboardCommand,
    summary:
      'what onboarding a tenant takes: permissions, manifest, consent URL, Exchange commands, the watch entry (--tenant T [--app ID] [--cloud C] [--checks LIST] [--canary ADDR] [--mailbox-access canaries|tenant] [--json])',
  },
  sim: {
    run: simCommand,
    summary: 'start the simulated Microsoft 365 cloud on loopback (--port N, --scenarios FILE | --synthetic N)',
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: tenant-health <command> [options]\n\ncommands:\n${lines.join('\n')}`;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stderr(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`tenant-health: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tenant-health ${name}: ${error.message}`);
      return 2;
    }
    io.stderr(`tenant-health ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
