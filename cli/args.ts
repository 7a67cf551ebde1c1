// Command-line parsing shared by every command: options per docs/contracts/cli.md, and a typed usage error.
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { storageConnectionOf, type StorageConnection } from '../shared/core/settings';
import { isClientId } from '../shared/core/entry';

/** Bad input or configuration: the command prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A TCP port from an option: 0 means any free port. */
/**
 * --app: one of a tenant's apps, so it needs the option that names the tenant (`needs`); lower-cased, or undefined when
 * not given.
 */
export function appOption(
  app: string | undefined,
  tenantGiven: boolean,
  needs: string,
  does: string,
): string | undefined {
  if (app === undefined) return undefined;
  if (!tenantGiven) throw new UsageError(`--app goes with ${needs}: it ${does} one of the tenant's apps`);
  if (!isClientId(app)) throw new UsageError(`--app: "${app.slice(0, 80)}" is not an app (client) id GUID`);
  return app.toLowerCase();
}

export function portOption(value: string | undefined, name = '--port'): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${name} must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

/**
 * Reads a JSON file named by an option (or standard input for "-", when readStdin is given); a missing or unreadable
 * file and bad JSON are usage errors naming both.
 */
export async function readJsonFile(path: string, option: string, readStdin?: () => Promise<string>): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' && readStdin ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const name = path === '-' ? 'standard input' : path;
  if (!text.trim()) throw new UsageError(`${option}: ${name} is empty`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option}: ${name} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Opens a store on the storage account from --storage (a connection string) or the Function App's settings (a
 * connection string, or identity-based settings signed in with the developer's login); a bad connection string is named
 * by where it came from, never echoed (it holds the account key).
 */
export function openStorage<T>(option: string | undefined, open: (storage: StorageConnection) => T): T {
  const fromSettings = storageConnectionOf();
  const source = option !== undefined ? '--storage' : fromSettings.setting;
  const connection: StorageConnection | null =
    option !== undefined ? { kind: 'connection-string', connectionString: option } : fromSettings.connection;
  if (!connection)
    throw new UsageError(
      option === undefined && fromSettings.problems.length && !/is not set/.test(fromSettings.problems[0]!)
        ? `no usable storage: ${fromSettings.problems.join('; ')}`
        : 'no storage: pass --storage CONNECTION_STRING, or set TENANT_HEALTH_STORAGE (or AzureWebJobsStorage) as the Function App has it, as a connection string or identity-based settings',
    );
  try {
    return open(connection);
  } catch (error) {
    throw new UsageError(
      `${source} is not a usable storage connection${connection.kind === 'connection-string' ? ' string' : ''} (${error instanceof Error ? error.name : 'error'})`,
    );
  }
}

/** An instant from an option: a date (midnight UTC), or a date and time with its offset. */
export function instantOption(value: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value)
    ? Date.parse(/T/.test(value) ? value : `${value}T00:00:00Z`)
    : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      `${name} must be a date such as 2027-03-15 or 2027-03-15T09:00:00Z, got "${value.slice(0, 60)}"`,
    );
  return ms;
}
