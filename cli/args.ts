// Command-line parsing shared by every command: options per docs/contracts/cli.md, and a typed usage error.
import { createReadStream } from 'node:fs';
import { readCapped, TooLargeError } from './io';
import { parseArgs } from 'node:util';
import { storageConnectionOf, type StorageConnection } from '../shared/core/settings';
import { isClientId } from '../shared/core/entry';

/** Bad input or configuration: the command prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An option as parseArgs reads it, with what its help says: the value's placeholder and one line on what it does. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean | string[];
  /** The placeholder shown after a string option: FILE, DATE, N... */
  value?: string;
  help: string;
}

/** A command: its help is generated from this, and its arguments are parsed against it. */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  /** One line for the program's command list. */
  summary: string;
  /** The forms of the command, each after "tenant-health ". */
  usage: string[];
  options: O;
  /** How many arguments may follow the options (0 unless said). */
  positionals?: number;
  examples?: string[];
}

/** `--help` or `-h` was asked for: the command line prints the text on stdout and exits 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly text: string) {
    super('help requested');
  }
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

/** A command's help: its forms, its options with their placeholders, and examples that do not expire. */
export function helpText(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`,
    `${option.help}${option.multiple ? ' (repeatable)' : ''}`,
  ]);
  const width = Math.max(...options.map(([flag]) => flag!.length));
  return [
    `usage: ${spec.usage.map((form, i) => `${i ? '       ' : ''}tenant-health ${form}`).join('\n')}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    'options:',
    ...options.map(([flag, help]) => `  ${flag!.padEnd(width)}  ${help}`),
    ...(spec.examples?.length ? ['', 'examples:', ...spec.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}

/** The candidate nearest to what was typed, when it is near enough to be what was meant. */
export function closest(typed: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  const scored = candidates
    .map((candidate) => ({
      candidate,
      d: candidate.startsWith(typed) && typed.length >= 2 ? 0 : distance(typed, candidate),
    }))
    .sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.candidate : undefined;
}

/**
 * Parses a command's arguments: `--help` anywhere before `--` asks for help; an unknown option is named with the
 * nearest real one; arguments beyond what the command takes are refused rather than ignored.
 */
export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: string[]) {
  const end = args.indexOf('--');
  if ((end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h'))
    throw new HelpRequested(helpText(spec));
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, { type, multiple, short, default: initial }]) => [
      name,
      {
        type,
        ...(multiple ? { multiple } : {}),
        ...(short ? { short } : {}),
        ...(initial !== undefined ? { default: initial } : {}),
      },
    ]),
  );
  const seeHelp = `tenant-health ${spec.name} --help lists its options`;
  let parsed: {
    values: Record<string, unknown>;
    positionals: string[];
    tokens: ({ kind: 'option'; name: string } | { kind: 'positional' | 'option-terminator' })[];
  };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      const near = closest(unknown.replace(/^-+/, ''), Object.keys(spec.options));
      throw new UsageError(`unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ''}; ${seeHelp}`);
    }
    const missing = /^Option '(-[^ ']+)(?: <value>)?' argument missing/.exec(message)?.[1];
    if (missing) {
      const name = missing.replace(/^-+/, '');
      const option = spec.options[name] ?? Object.values(spec.options).find((o) => o.short === name);
      throw new UsageError(`${missing} needs a value${option?.value ? ` (${option.value})` : ''}; ${seeHelp}`);
    }
    const ambiguous = /^Option '(-[^ ']+)' argument is ambiguous/.exec(message)?.[1];
    if (ambiguous)
      throw new UsageError(`${ambiguous} takes a value starting with "-" only as ${ambiguous}=VALUE; ${seeHelp}`);
    throw new UsageError(`${message.split(/\.\s/)[0]!.replace(/\.$/, '')}; ${seeHelp}`);
  }
  // An option given twice is a mistake to name, not a silent choice of the last one.
  const given = parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : []));
  const twice = given.find((name, i) => !spec.options[name]?.multiple && given.indexOf(name) !== i);
  if (twice) throw new UsageError(`--${twice} is given more than once; give it once`);
  const allowed = spec.positionals ?? 0;
  if (parsed.positionals.length > allowed)
    throw new UsageError(
      `unexpected argument "${printable(parsed.positionals[allowed]!)}": ${spec.name} takes ${allowed === 0 ? 'no arguments, only options' : `at most ${allowed}`}; ${seeHelp}`,
    );
  const { values, positionals } = parsed;
  return {
    ...({ values, positionals } as ReturnType<
      typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
    >),
    /** The options written on the command line (defaults aside). */
    given: new Set(given),
  };
}

/** Text from the command line or a file, safe to echo in a message: bounded, control characters shown as escapes. */
export function printable(text: string, max = 80): string {
  const shown = escapeUnprintable(text, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu);
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}

const escapeUnprintable = (text: string, pattern: RegExp) =>
  text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A whole message as the terminal gets it: line breaks kept, every other control, format (bidi, zero-width) or
 * separator character escaped, whatever part of the message it came from.
 */
export const safeMessage = (text: string) => escapeUnprintable(text, /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu);

/** A whole number written in decimal digits only: "0x50", "1e3", " 8" and "8.0" are not. */
export function wholeNumber(value: string): number | undefined {
  return /^\d{1,15}$/.test(value) ? Number(value) : undefined;
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
  if (!isClientId(app)) throw new UsageError(`--app: "${printable(app)}" is not an app (client) id GUID`);
  return app.toLowerCase();
}

export function portOption(value: string | undefined, name = '--port'): number {
  if (value === undefined) return 0;
  const port = wholeNumber(value);
  if (port === undefined || port > 65535)
    throw new UsageError(`${name} must be a whole number from 0 to 65535, got "${printable(value, 40)}"`);
  return port;
}

/** Bounds on a JSON input: no tenants file, run or evidence file of ours comes near them. */
export const JSON_LIMITS = { maxBytes: 256 * 1024 * 1024, maxDepth: 64 };

/** How deeply arrays and objects nest in JSON text (strings skipped), so that a hostile file cannot exhaust the stack. */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: the next character is escaped
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > deepest && (deepest = depth) > stopAt) return deepest;
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

/**
 * Reads a JSON file named by an option (or standard input for "-", when readStdin is given); a missing, unreadable,
 * oversized or too deeply nested file and bad JSON are usage errors naming both. A UTF-8 byte order mark is skipped,
 * as editors on Windows write one.
 */
export async function readJsonFile(
  path: string,
  option: string,
  readStdin?: (maxBytes: number) => Promise<string>,
): Promise<unknown> {
  const name = path === '-' ? 'standard input' : printable(path);
  let text: string;
  try {
    text =
      path === '-' && readStdin
        ? await readStdin(JSON_LIMITS.maxBytes)
        : await readCapped(createReadStream(path), JSON_LIMITS.maxBytes);
  } catch (error) {
    if (error instanceof TooLargeError) throw new UsageError(`${option}: ${name} is ${error.message}`);
    throw new UsageError(`${option}: cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) throw new UsageError(`${option}: ${name} is empty`);
  if (jsonDepth(text, JSON_LIMITS.maxDepth) > JSON_LIMITS.maxDepth)
    throw new UsageError(`${option}: ${name} nests arrays and objects more than ${JSON_LIMITS.maxDepth} deep`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${option}: ${name} is not JSON: ${error instanceof Error ? printable(error.message, 200) : 'parse error'}`,
    );
  }
}

/** --storage, as every command that reads a deployment's tables takes it. */
export const STORAGE_OPTION = {
  type: 'string',
  value: 'CONN',
  help: "the deployment's storage connection string (default: TENANT_HEALTH_STORAGE or AzureWebJobsStorage, as the Function App reads them)",
} as const;

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

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * An instant from an option: a date (midnight UTC), a date and time with its offset, or a time from now such as +2d,
 * +6h or +30m (so that a command written down today still works next month).
 */
export function instantOption(value: string, name: string, now: number = Date.now()): number {
  const relative = /^\+(\d{1,5})([mhd])$/.exec(value);
  if (relative) return now + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const form = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  const ms = form ? Date.parse(form[4] ? value : `${value}T00:00:00Z`) : Number.NaN;
  // Date.parse rolls 2027-02-30 over into March, and 24:00 into the next day: a real date reads back as written.
  const [year, month, day] = (form?.slice(1, 4) ?? []).map(Number);
  const real =
    form !== null &&
    new Date(Date.UTC(year!, month! - 1, day)).toISOString().slice(0, 10) === value.slice(0, 10) &&
    Number(form[5] ?? 0) < 24 &&
    Number(form[6] ?? 0) < 60 &&
    Number(form[8] ?? 0) < 60;
  if (Number.isNaN(ms) || !real)
    throw new UsageError(
      `${name} must be a date such as 2027-03-15, an instant such as 2027-03-15T09:00:00Z, or a time from now such as +2d, +6h or +30m; got "${printable(value)}"`,
    );
  return ms;
}
