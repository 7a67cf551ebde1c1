// Azure Table storage for alerts: each tenant's alert states and outbox in one partition (written in one transaction),
// and the snoozes and maintenance windows. The schema is documented in docs/storage.md.
// Row keys: "alert.{check}.{cause}" states, "cycle" the marker, "outbox.{createdAt}.{key}" notices; the first two sort before the outbox.
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

/** A tenant's alert states as stored, and the marker of the last cycle they were decided for. */
export interface StoredAlerts {
  states: AlertState[];
  lastCycleId: string | null;
  markerEtag: string | null;
}

export class AlertConflictError extends Error {}

type Row = TableEntityResult<Record<string, unknown>>;
const partitionOf = (tenantId: string) => tenantId.toLowerCase();
const stateRowKey = (state: Pick<AlertState, 'check' | 'cause'>) => `${STATE_PREFIX}${state.check}.${state.cause}`;
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

  async load(tenantId: string): Promise<StoredAlerts> {
    const stored: StoredAlerts = { states: [], lastCycleId: null, markerEtag: null };
    const filter = odata`PartitionKey eq ${partitionOf(tenantId)} and RowKey lt ${OUTBOX_PREFIX}`;
    for await (const row of this.alerts.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (row.rowKey === MARKER) {
        stored.lastCycleId = typeof row.cycleId === 'string' ? row.cycleId : null;
        stored.markerEtag = row.etag;
      } else if (row.rowKey?.startsWith(STATE_PREFIX)) {
        const state = parseJsonOrNull(String(row.state)) as AlertState | null;
        if (state) stored.states.push(state);
      }
    }
    return stored;
  }

  /**
   * Writes one cycle's decision for a tenant in one transaction: the marker, the states, and the new outbox rows. The
   * marker is written conditionally, so two workers deciding the same tenant at once cannot both win.
   */
  async commit(
    tenantId: string,
    change: {
      cycleId: string;
      at: string;
      markerEtag: string | null;
      states: AlertState[];
      forget: string[];
      outbox: OutboxEntry[];
    },
  ): Promise<void> {
    const partitionKey = partitionOf(tenantId);
    const marker: TableEntity = { partitionKey, rowKey: MARKER, cycleId: change.cycleId, decidedAt: change.at };
    const actions: TransactionAction[] = [
      change.markerEtag ? ['update', marker, 'Replace', { etag: change.markerEtag }] : ['create', marker],
      ...change.states.map((state): TransactionAction => [
        'upsert',
        {
          partitionKey,
          rowKey: stateRowKey(state),
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
      ...change.forget.map((key): TransactionAction => ['delete', { partitionKey, rowKey: `${STATE_PREFIX}${key}` }]),
      ...change.outbox.map((entry): TransactionAction => ['create', outboxEntity(entry)]),
    ];
    if (actions.length > 100)
      throw new Error(
        `tenant ${tenantId}: ${actions.length} alert changes in one cycle exceed a Table storage transaction (100)`,
      );
    try {
      await this.alerts.submitTransaction(actions);
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412)
        throw new AlertConflictError(`tenant ${tenantId}: its alerts were decided by another worker at the same time`);
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

  /** Every tenant's alerts that recipients were told are open. */
  async openAlerts(): Promise<(AlertState & { tenantId: string })[]> {
    const found: (AlertState & { tenantId: string })[] = [];
    const filter = odata`RowKey gt ${STATE_PREFIX} and RowKey lt ${STATE_END} and notified eq true`;
    for await (const row of this.alerts.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const state = parseJsonOrNull(String(row.state)) as AlertState | null;
      if (state) found.push({ ...state, tenantId: row.partitionKey! });
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
