// Azure Table storage for alerts: each tenant's alert states and outbox in one partition (written in one transaction),
// and the snoozes and maintenance windows. The schema is documented in docs/storage.md.
// Row keys: "alert.{check}.{cause}~{app}" states, "cycle~{app}" an app's marker, "outbox.{createdAt}.{key}" notices;
// the first two sort before the outbox. Keys without "~{app}" are the operator's, or from before a tenant could
// have several apps: an app adopts those of its tenant when it first decides.
import {
  odata,
  type TableClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from '@azure/data-tables';
import { parseJsonOrNull } from '../core/json';
import { deleteEntityIfPresent, statusOf } from './tables';
import { storageAccount, type StorageSource } from './account';
import type { AlertState, Suppression } from '../alerts/decisions';
import type { AlertPayload } from '../alerts/payload';

export const ALERT_TABLES = { alerts: 'Alerts', suppressions: 'AlertSuppressions' } as const;
const MARKER = 'cycle';
const STATE_PREFIX = 'alert.';
/** Sorts right after every "alert." key. */
const STATE_END = 'alert/';
const OUTBOX_PREFIX = 'outbox.';
/** Sorts right after every "outbox." key. */
const OUTBOX_END = 'outbox/';
const SUPPRESSION_PARTITION = 'suppression';

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/** One notice waiting for, or done with, delivery. */
export interface OutboxEntry {
  tenantId: string;
  rowKey: string;
  idempotencyKey: string;
  alertId: string;
  kind: string;
  check: string;
  cause: string;
  severity: string;
  createdAt: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
  /** Why it was given up on: kept with the notice so that it can be read and sent again. */
  deadReason?: string;
  payload: AlertPayload;
  etag?: string;
}

/** An entry's alert states as stored, and the marker of the last cycle they were decided for. */
export interface StoredAlerts {
  states: AlertState[];
  lastCycleId: string | null;
  markerEtag: string | null;
  /** Rows from before the tenant could have several apps, which this app's next decision takes over. */
  adopted: string[];
}

/** Whose alerts: a tenant's app, or (no app) the operator's own subject. */
export interface AlertSubjectKey {
  tenantId: string;
  clientId?: string;
}

export class AlertConflictError extends Error {}

type Row = TableEntityResult<Record<string, unknown>>;
const partitionOf = (tenantId: string) => tenantId.toLowerCase();
const appSuffix = (subject: AlertSubjectKey) => (subject.clientId ? `~${subject.clientId.toLowerCase()}` : '');
const stateRowKey = (subject: AlertSubjectKey, key: string) => `${STATE_PREFIX}${key}${appSuffix(subject)}`;
const markerRowKey = (subject: AlertSubjectKey) => `${MARKER}${appSuffix(subject)}`;
/** Outbox rows sort by when the notice was decided, then by key: the order they must reach the Logic App in. */
export const outboxRowKey = (createdAt: string, idempotencyKey: string) =>
  `${OUTBOX_PREFIX}${createdAt}.${idempotencyKey}`;

function outboxEntity(entry: OutboxEntry): TableEntity {
  // The ETag conditions a write; it is not stored.
  const { tenantId, rowKey, payload, etag, ...rest } = entry;
  return { partitionKey: partitionOf(tenantId), rowKey, tenantId, ...rest, payload: JSON.stringify(payload) };
}

/** A stored outbox row; what the notice says comes from its payload, the copies in columns are for queries and people. */
function readOutbox(row: Row): OutboxEntry | null {
  const payload = parseJsonOrNull(String(row.payload)) as AlertPayload | null;
  if (!payload) return null;
  const text = (name: string) => (typeof row[name] === 'string' ? row[name] : undefined);
  return {
    tenantId: payload.tenant.tenantId,
    rowKey: row.rowKey!,
    idempotencyKey: payload.idempotencyKey,
    alertId: payload.alertId,
    kind: payload.kind,
    check: payload.check,
    cause: payload.cause,
    severity: payload.severity,
    createdAt: payload.createdAt,
    status: (text('status') as OutboxStatus | undefined) ?? 'pending',
    attempts: Number(row.attempts ?? 0),
    nextAttemptAt: text('nextAttemptAt') ?? payload.createdAt,
    ...(typeof row.lastStatus === 'number' ? { lastStatus: row.lastStatus } : {}),
    ...(text('lastError') ? { lastError: text('lastError') } : {}),
    ...(text('deliveredAt') ? { deliveredAt: text('deliveredAt') } : {}),
    ...(text('deadReason') ? { deadReason: text('deadReason') } : {}),
    payload,
    etag: row.etag,
  };
}

export class AlertStore {
  private constructor(
    private readonly alerts: TableClient,
    private readonly suppressionTable: TableClient,
  ) {}

  static in(storage: StorageSource): AlertStore {
    const account = storageAccount(storage);
    return new AlertStore(account.table(ALERT_TABLES.alerts), account.table(ALERT_TABLES.suppressions));
  }

  async ensureTables(): Promise<void> {
    await Promise.all([this.alerts.createTable(), this.suppressionTable.createTable()]);
  }

  /** An entry's alert states and marker; rows of the tenant from before entries come along, to be adopted. */
  async load(subject: AlertSubjectKey): Promise<StoredAlerts> {
    const stored: StoredAlerts = { states: [], lastCycleId: null, markerEtag: null, adopted: [] };
    const own = appSuffix(subject);
    const filter = odata`PartitionKey eq ${partitionOf(subject.tenantId)} and RowKey lt ${OUTBOX_PREFIX}`;
    let legacyMarker: { cycleId: string | null } | null = null;
    for await (const row of this.alerts.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const rowKey = row.rowKey ?? '';
      const suffix = rowKey.includes('~') ? rowKey.slice(rowKey.indexOf('~')) : '';
      const legacy = own !== '' && suffix === '';
      if (suffix !== own && !legacy) continue;
      const cycleId = typeof row.cycleId === 'string' ? row.cycleId : null;
      if (legacy) stored.adopted.push(rowKey);
      if (rowKey === markerRowKey(subject)) {
        stored.lastCycleId = cycleId;
        stored.markerEtag = row.etag;
      } else if (rowKey === MARKER) {
        legacyMarker = { cycleId };
      } else if (rowKey.startsWith(STATE_PREFIX)) {
        const state = parseJsonOrNull(String(row.state)) as AlertState | null;
        if (state && !stored.states.some((s) => s.check === state.check && s.cause === state.cause))
          stored.states.push(state);
      }
    }
    if (stored.markerEtag === null && legacyMarker) stored.lastCycleId = legacyMarker.cycleId;
    return stored;
  }

  /**
   * Writes one cycle's decision for an entry in one transaction: the marker, the states, the new outbox rows, and the
   * removal of the rows it adopted. The marker is written conditionally, and an adopted row already taken by another
   * app fails the whole transaction, so two workers deciding for the same tenant at once cannot both win.
   */
  async commit(
    subject: AlertSubjectKey,
    change: {
      cycleId: string;
      at: string;
      markerEtag: string | null;
      states: AlertState[];
      forget: string[];
      outbox: OutboxEntry[];
      adopted?: string[];
    },
  ): Promise<void> {
    const partitionKey = partitionOf(subject.tenantId);
    const marker: TableEntity = {
      partitionKey,
      rowKey: markerRowKey(subject),
      cycleId: change.cycleId,
      decidedAt: change.at,
    };
    const written = new Set([
      marker.rowKey,
      ...change.states.map((state) => stateRowKey(subject, `${state.check}.${state.cause}`)),
    ]);
    const forgotten = change.forget.map((key) => stateRowKey(subject, key)).filter((key) => !written.has(key));
    const actions: TransactionAction[] = [
      change.markerEtag ? ['update', marker, 'Replace', { etag: change.markerEtag }] : ['create', marker],
      ...change.states.map((state): TransactionAction => [
        'upsert',
        {
          partitionKey,
          rowKey: stateRowKey(subject, `${state.check}.${state.cause}`),
          ...(subject.clientId ? { clientId: subject.clientId.toLowerCase() } : {}),
          alertId: state.alertId,
          check: state.check,
          cause: state.cause,
          notified: state.notified,
          severity: state.condition.severity,
          lastSeenAt: state.lastSeenAt,
          state: JSON.stringify(state),
        },
        'Replace',
      ]),
      ...forgotten
        .filter((key) => !(change.adopted ?? []).includes(key))
        .map((key): TransactionAction => ['delete', { partitionKey, rowKey: key }]),
      ...(change.adopted ?? [])
        .filter((key) => !written.has(key))
        .map((key): TransactionAction => ['delete', { partitionKey, rowKey: key }]),
      ...change.outbox.map((entry): TransactionAction => ['create', outboxEntity(entry)]),
    ];
    const who = `tenant ${subject.tenantId}${subject.clientId ? `, app ${subject.clientId}` : ''}`;
    if (actions.length > 100)
      throw new Error(`${who}: ${actions.length} alert changes in one cycle exceed a Table storage transaction (100)`);
    try {
      await this.alerts.submitTransaction(actions);
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412 || status === 404)
        throw new AlertConflictError(`${who}: its alerts were decided by another worker at the same time`);
      throw error;
    }
  }

  /** Outbox rows not yet delivered or given up on, oldest first per tenant; one tenant's, or every tenant's. */
  async pending(tenantId?: string): Promise<OutboxEntry[]> {
    return this.outbox('pending', tenantId);
  }

  async outbox(status: OutboxStatus, tenantId?: string): Promise<OutboxEntry[]> {
    const range = odata`RowKey gt ${OUTBOX_PREFIX} and RowKey lt ${OUTBOX_END} and status eq ${status}`;
    const filter = tenantId ? `${odata`PartitionKey eq ${partitionOf(tenantId)}`} and ${range}` : range;
    const entries: OutboxEntry[] = [];
    for await (const row of this.alerts.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const entry = readOutbox(row);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /** Every entry's alerts that recipients were told are open. */
  async openAlerts(): Promise<(AlertState & { tenantId: string; clientId?: string })[]> {
    const found: (AlertState & { tenantId: string; clientId?: string })[] = [];
    const filter = odata`RowKey gt ${STATE_PREFIX} and RowKey lt ${STATE_END} and notified eq true`;
    for await (const row of this.alerts.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const state = parseJsonOrNull(String(row.state)) as AlertState | null;
      const clientId = row.rowKey?.includes('~') ? row.rowKey.slice(row.rowKey.indexOf('~') + 1) : undefined;
      if (state) found.push({ ...state, tenantId: row.partitionKey!, ...(clientId ? { clientId } : {}) });
    }
    return found;
  }

  /** One outbox entry by its idempotency key, in whatever state it is. */
  async entry(idempotencyKey: string): Promise<OutboxEntry | null> {
    const filter = odata`RowKey gt ${OUTBOX_PREFIX} and RowKey lt ${OUTBOX_END} and idempotencyKey eq ${idempotencyKey}`;
    for await (const row of this.alerts.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
      return readOutbox(row);
    return null;
  }

  /** Puts a dead letter back in line, due now, with its attempts counted afresh; its idempotency key stays. */
  async redeliver(entry: OutboxEntry, now: string): Promise<void> {
    const { deadReason, ...rest } = entry;
    await this.alerts.updateEntity(
      outboxEntity({
        ...rest,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: `sent again by hand after: ${deadReason ?? 'a dead letter'}`,
      }),
      'Replace',
      entry.etag ? { etag: entry.etag } : {},
    );
  }

  /** Takes an entry for one attempt: false when another worker took it first. */
  async claim(entry: OutboxEntry, leaseUntil: string): Promise<OutboxEntry | null> {
    const claimed = { ...entry, attempts: entry.attempts + 1, nextAttemptAt: leaseUntil };
    try {
      const response = await this.alerts.updateEntity(outboxEntity(claimed), 'Replace', { etag: entry.etag });
      return { ...claimed, etag: response.etag };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) return null;
      throw error;
    }
  }

  async update(entry: OutboxEntry): Promise<void> {
    await this.alerts.updateEntity(outboxEntity(entry), 'Replace', entry.etag ? { etag: entry.etag } : {});
  }

  async addSuppression(suppression: Suppression): Promise<void> {
    await this.suppressionTable.createEntity({
      partitionKey: SUPPRESSION_PARTITION,
      rowKey: suppression.id,
      ...suppression,
    });
  }

  removeSuppression(id: string): Promise<boolean> {
    return deleteEntityIfPresent(this.suppressionTable, SUPPRESSION_PARTITION, id);
  }

  /** Snoozes and windows not yet over at `now` (those still to come included). */
  async suppressions(now: string): Promise<Suppression[]> {
    const found: Suppression[] = [];
    const filter = odata`PartitionKey eq ${SUPPRESSION_PARTITION} and until gt ${now}`;
    for await (const row of this.suppressionTable.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const text = (name: string) => (typeof row[name] === 'string' ? row[name] : '');
      found.push({
        id: row.rowKey!,
        kind: text('kind') === 'maintenance' ? 'maintenance' : 'snooze',
        tenantId: text('tenantId') || '*',
        ...(text('clientId') ? { clientId: text('clientId') } : {}),
        ...(text('cause') ? { cause: text('cause') } : {}),
        from: text('from'),
        until: text('until'),
        reason: text('reason'),
        createdAt: text('createdAt'),
      });
    }
    return found.sort((a, b) => a.from.localeCompare(b.from));
  }
}
