// `tenant-health alerts`: open alerts, snoozes and maintenance windows, and the outbox (dead letters sent again) of a deployment.
import { randomUUID } from 'node:crypto';
import { AlertStore, type OutboxEntry, type OutboxStatus } from '../shared/storage/alert-store';
import { CREDENTIAL_EXPIRING, type Suppression } from '../shared/alerts/decisions';
import { CAUSES } from '../shared/core/causes';
import { GUID_PATTERN, isTenantId } from '../shared/core/tenant-id';
import { statusOf } from '../shared/storage/tables';
import { TableResultStore } from '../shared/storage/result-store';
import {
  appOption,
  closest,
  instantOption,
  openStorage,
  parseCommand,
  printable,
  STORAGE_OPTION,
  UsageError,
  type CommandSpec,
} from './args';
import type { Io } from './io';

/** No snooze lasts for ever: a muted tenant nobody remembers is how alerts get lost. */
const MAX_SUPPRESSION_DAYS = 30;
const DAY = 86_400_000;

export const ALERTS_COMMAND = {
  name: 'alerts',
  summary: 'open alerts, snoozes and maintenance windows, and the outbox of notices, of a deployment',
  usage: [
    'alerts [list] [--storage CONN] [--json]',
    'alerts snooze (--tenant TENANT [--app CLIENT_ID] | --all-tenants) --until DATE --reason TEXT [--from DATE] [--cause CAUSE]',
    'alerts unsnooze ID',
    'alerts outbox [--status pending|dead|delivered] [--tenant TENANT]',
    'alerts redeliver (KEY... | --all-dead)',
  ],
  options: {
    tenant: { type: 'string', value: 'TENANT', help: 'snooze or outbox: the tenant, by GUID or verified domain' },
    app: { type: 'string', value: 'CLIENT_ID', help: 'snooze: only this app of the tenant' },
    'all-tenants': { type: 'boolean', default: false, help: 'snooze: a maintenance window over every tenant' },
    from: { type: 'string', value: 'DATE', help: 'snooze: when it starts (default now); a date, an instant or +6h' },
    until: {
      type: 'string',
      value: 'DATE',
      help: `snooze: when it ends, at most ${MAX_SUPPRESSION_DAYS} days on; a date, an instant or +2d`,
    },
    reason: { type: 'string', value: 'TEXT', help: 'snooze: why, for whoever reads alerts list' },
    cause: { type: 'string', value: 'CAUSE', help: 'snooze: only alerts of this cause' },
    status: { type: 'string', value: 'STATUS', help: 'outbox: pending (default), dead or delivered' },
    'all-dead': { type: 'boolean', default: false, help: 'redeliver: every dead letter' },
    storage: STORAGE_OPTION,
    json: { type: 'boolean', default: false, help: 'print JSON on stdout' },
  },
  positionals: Number.MAX_SAFE_INTEGER,
  examples: [
    'tenant-health alerts',
    'tenant-health alerts snooze --tenant contoso.onmicrosoft.com --until +2d --reason "app secret being rotated"',
    'tenant-health alerts snooze --all-tenants --from +1h --until +4h --reason "Exchange Online change window"',
    'tenant-health alerts outbox --status dead',
  ],
} satisfies CommandSpec;

/** Each action: the options it reads (--storage and --json go with all) and how many arguments follow its name. */
const ACTIONS = {
  list: { options: [], arguments: 0 },
  snooze: { options: ['tenant', 'app', 'all-tenants', 'from', 'until', 'reason', 'cause'], arguments: 0 },
  unsnooze: { options: [], arguments: 1 },
  outbox: { options: ['status', 'tenant'], arguments: 0 },
  redeliver: { options: ['all-dead'], arguments: Number.MAX_SAFE_INTEGER },
} satisfies Record<string, { options: string[]; arguments: number }>;
type Action = keyof typeof ACTIONS;

export async function alertsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals, given } = parseCommand(ALERTS_COMMAND, args);
  const [typed = 'list', ...rest] = positionals;
  if (!Object.hasOwn(ACTIONS, typed)) {
    const near = closest(typed, Object.keys(ACTIONS));
    throw new UsageError(
      `unknown action "${printable(typed)}"${near ? ` (did you mean ${near}?)` : ''}: alerts takes ${Object.keys(ACTIONS).join(', ')}`,
    );
  }
  const action = typed as Action;
  const { options: reads, arguments: takes } = ACTIONS[action];
  const stray = [...given].find((name) => !['storage', 'json', ...reads].includes(name));
  if (stray)
    throw new UsageError(`--${stray} does not apply to alerts ${action}; tenant-health alerts --help lists what does`);
  if (action === 'redeliver' && values['all-dead'] && rest.length)
    throw new UsageError('give redeliver either idempotency keys or --all-dead, not both');
  if (rest.length > takes)
    throw new UsageError(`unexpected argument "${printable(rest[takes]!)}" after alerts ${action}`);
  // What the command line alone can tell is checked before any storage is opened.
  const now = Date.now();
  const suppression = action === 'snooze' ? suppressionFrom(values, now) : undefined;
  const [id] = rest;
  if (action === 'unsnooze') {
    if (!id) throw new UsageError('unsnooze needs the id that snooze printed (alerts list shows them)');
    if (!GUID_PATTERN.test(id))
      throw new UsageError(
        `unsnooze: "${printable(id)}" is not a snooze id (a GUID, as snooze printed it and alerts list shows it)`,
      );
  }
  const status = (values.status ?? 'pending') as OutboxStatus;
  if (action === 'outbox' && !['pending', 'dead', 'delivered'].includes(status))
    throw new UsageError(`--status must be pending, dead or delivered, got "${printable(status)}"`);
  const outboxTenant = action === 'outbox' && values.tenant !== undefined ? tenantOption(values.tenant) : undefined;
  const { store, results } = openStorage(values.storage, (connection) => ({
    store: AlertStore.in(connection),
    results: TableResultStore.in(connection),
  }));
  const print = (json: unknown, text: string) => io.stdout(values.json ? JSON.stringify(json, null, 2) : text);

  if (suppression) {
    await Promise.all([store.ensureTables(), results.ensureTables()]);
    if (suppression.tenantId !== '*') suppression.tenantId = await ensureWatched(results, suppression);
    await store.addSuppression(suppression);
    print(
      suppression,
      `${suppression.kind} ${suppression.id}: ${describeScope(suppression)} from ${suppression.from} until ${suppression.until} (${suppression.reason})`,
    );
    return 0;
  }
  if (action === 'unsnooze' && id) {
    if (!(await store.removeSuppression(id))) throw new UsageError(`no snooze or maintenance window ${id}`);
    print({ removed: id }, `${id} removed: alerts held back by it are sent on the next check`);
    return 0;
  }
  await store.ensureTables();
  if (action === 'outbox') {
    const entries = await store.outbox(status, outboxTenant);
    print(entries.map(brief), [`${entries.length} ${status} notices`, ...entries.map(outboxLine)].join('\n'));
    return 0;
  }
  if (action === 'redeliver') {
    const entries = values['all-dead']
      ? await store.outbox('dead')
      : await Promise.all(
          rest.map(async (key) => {
            const found = await store.entry(key);
            if (!found) throw new UsageError(`no notice with idempotency key ${printable(key)}`);
            if (found.status !== 'dead') throw new UsageError(`notice ${key} is ${found.status}, not a dead letter`);
            return found;
          }),
        );
    if (entries.length === 0 && !values['all-dead'])
      throw new UsageError('redeliver needs idempotency keys (alerts outbox --status dead lists them) or --all-dead');
    for (const entry of entries) await store.redeliver(entry, new Date(now).toISOString());
    print(
      { redelivered: entries.map((e) => e.idempotencyKey) },
      `${entries.length} dead letters put back in the outbox with their idempotency keys; the delivery timer sends them within minutes`,
    );
    return 0;
  }

  const at = new Date(now).toISOString();
  const [alerts, suppressions, pending, dead, statuses] = await Promise.all([
    store.openAlerts(),
    store.suppressions(at),
    store.outbox('pending'),
    store.outbox('dead'),
    // Before the first check there is no status table: alerts are listed without names then.
    results.allLatest(['tenantId', 'clientId', 'name', 'appName']).catch((error: unknown) => {
      if (statusOf(error) === 404) return [];
      throw error;
    }),
  ]);
  // Names come from the entries' latest statuses: an alert is read by a person, who knows tenants by name.
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const nameOf = new Map(statuses.map((r) => [text(r.tenantId).toLowerCase(), text(r.name)]));
  const appNameOf = new Map(
    statuses.map((r) => [`${text(r.tenantId).toLowerCase()}~${text(r.clientId).toLowerCase()}`, text(r.appName)]),
  );
  const open = alerts.map((a) => ({
    ...a,
    tenantName: nameOf.get(a.tenantId.toLowerCase()) || null,
    appName: (a.clientId && appNameOf.get(`${a.tenantId.toLowerCase()}~${a.clientId.toLowerCase()}`)) || null,
  }));
  print(
    { open, suppressions, outbox: { pending: pending.length, dead: dead.length } },
    [
      `${open.length} open alerts`,
      ...open.map(
        (a) =>
          `  ${a.notifiedSeverity ?? a.condition.severity} ${a.tenantName ? `${a.tenantName} (${a.tenantId})` : a.tenantId}${a.clientId ? ` app ${a.appName ? `${a.appName} (${a.clientId})` : a.clientId}` : ''} ${a.check}.${a.cause} since ${a.openedAt ?? a.firstSeenAt} (alert ${a.alertId})`,
      ),
      `${suppressions.length} snoozes and maintenance windows`,
      ...suppressions.map((s) => `  ${s.id} ${s.kind} ${describeScope(s)} ${s.from} → ${s.until}: ${s.reason}`),
      `outbox: ${pending.length} waiting, ${dead.length} dead letters${dead.length ? ' (alerts outbox --status dead; alerts redeliver --all-dead)' : ''}`,
    ].join('\n'),
  );
  return 0;
}

function tenantOption(value: string): string {
  if (isTenantId(value)) return value.toLowerCase();
  throw new UsageError(`--tenant: "${printable(String(value))}" is not a tenant id (a GUID or a domain)`);
}

/**
 * A snooze for a tenant or app nobody watches would silence nothing, so it is refused rather than stored; a tenant
 * named by another of its names (its GUID, a verified domain) is snoozed under the id it is watched by, which is the
 * one its alerts carry. Returns that id.
 */
async function ensureWatched(results: TableResultStore, suppression: Suppression): Promise<string> {
  const tenantId = await results.resolveTenant(suppression.tenantId);
  const entries = tenantId ? await results.watchedEntries(tenantId) : [];
  if (!tenantId || entries.length === 0)
    throw new UsageError(
      `--tenant: ${suppression.tenantId} is not watched (watch --list shows the tenants watched; a GUID or verified domain is known once the tenant has been checked)`,
    );
  if (suppression.clientId && !entries.some((e) => e.clientId.toLowerCase() === suppression.clientId))
    throw new UsageError(
      `--app: ${suppression.clientId} is not watched in ${tenantId}; its apps are ${entries.map((e) => e.clientId).join(', ')}`,
    );
  return tenantId;
}

function suppressionFrom(
  values: {
    tenant?: string;
    app?: string;
    'all-tenants': boolean;
    from?: string;
    until?: string;
    reason?: string;
    cause?: string;
  },
  now: number,
): Suppression {
  if ((values.tenant === undefined) === !values['all-tenants'])
    throw new UsageError(
      'snooze needs exactly one of --tenant TENANT (a snooze) or --all-tenants (a maintenance window)',
    );
  const app = appOption(values.app, values.tenant !== undefined, '--tenant', 'snoozes');
  if (!values.until)
    throw new UsageError(
      `snooze needs --until DATE: every snooze ends, at most ${MAX_SUPPRESSION_DAYS} days after it starts`,
    );
  const reason = values.reason?.trim();
  if (!reason)
    throw new UsageError('snooze needs --reason TEXT: whoever reads the alerts later should know why they were quiet');
  if (reason.length > 500) throw new UsageError(`--reason is limited to 500 characters, got ${reason.length}`);
  if (/\p{Cc}/u.test(reason))
    throw new UsageError('--reason may not hold control characters (line breaks, NUL, terminal escapes)');
  const from = values.from === undefined ? now : instantOption(values.from, '--from', now);
  const until = instantOption(values.until, '--until', now);
  if (until <= Math.max(from, now)) throw new UsageError('--until must be later than --from and than now');
  if (until - from > MAX_SUPPRESSION_DAYS * DAY)
    throw new UsageError(
      `a snooze lasts at most ${MAX_SUPPRESSION_DAYS} days; snooze again when it ends if it must go on`,
    );
  const allowed: string[] = [...CAUSES, CREDENTIAL_EXPIRING];
  if (values.cause !== undefined && !allowed.includes(values.cause))
    throw new UsageError(`--cause must be one of ${allowed.join(', ')}`);
  return {
    id: randomUUID(),
    kind: values['all-tenants'] ? 'maintenance' : 'snooze',
    tenantId: values.tenant === undefined ? '*' : tenantOption(values.tenant),
    ...(app ? { clientId: app } : {}),
    ...(values.cause ? { cause: values.cause } : {}),
    from: new Date(from).toISOString(),
    until: new Date(until).toISOString(),
    reason,
    createdAt: new Date(now).toISOString(),
  };
}

const describeScope = (s: Suppression) =>
  `${s.tenantId === '*' ? 'every tenant' : `tenant ${s.tenantId}`}${s.clientId ? `, app ${s.clientId}` : ''}${s.cause ? `, cause ${s.cause}` : ''}`;

/** An entry as the command shows it: the notice's title instead of its whole payload, no storage detail. */
const brief = (e: OutboxEntry) => {
  const { payload, etag, ...rest } = e;
  return { ...rest, title: payload.title };
};

const outboxLine = (e: OutboxEntry) =>
  `  ${e.idempotencyKey} ${e.kind} ${e.severity} ${e.tenantId} ${e.check}.${e.cause} decided ${e.createdAt}, ${e.attempts} attempts${
    e.status === 'dead'
      ? `; ${e.deadReason ?? ''}`
      : e.status === 'pending'
        ? `; next ${e.nextAttemptAt}${e.lastError ? ` after: ${e.lastError}` : ''}`
        : `; delivered ${e.deliveredAt ?? ''}`
  }`;
