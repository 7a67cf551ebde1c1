// Azure Table storage: the watched entries (one app in one tenant), each entry's latest status (newest write wins, by
// ETag) and its history. The schema is documented in docs/storage.md.
import {
  odata,
  type TableClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from '@azure/data-tables';
import { deleteEntityIfPresent, readEntity, ServiceClock, statusOf } from './tables';
import { storageAccount, type StorageSource } from './account';
import type { Evidence } from '../core/evidence';
import type { TenantResult } from '../service/pipeline';
import { tenantDefinitionSchema, type TenantDefinition } from '../core/tenants';
import { forEachLimited } from '../core/pool';
import { entryKey, splitEntryKey, tenantKeyRange, type EntryRef } from '../core/entry';
import { parseJsonOrNull } from '../core/json';
import { burnDownPointOf, readPoints, withPoint } from '../core/burn-down';

/** Characters per string property: Table storage allows 64 KiB per property, and strings are UTF-16. */
export const MAX_PROPERTY_CHARS = 30_000;
const TRANSACTION_LIMIT = 100;
const STATUS_PARTITION = 'tenant';

export const TABLES = { watched: 'WatchedTenants', status: 'TenantStatus', history: 'TenantHistory' } as const;

/** One cycle a result belongs to: the timer's cycle (so a retried message rewrites its own row) or an on-demand check. */
export interface Cycle {
  id: string;
  at: string;
}

/** A list as JSON within one property: items are dropped from the end, and the count of dropped ones kept. */
export function boundedJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json.length <= MAX_PROPERTY_CHARS) return json;
  if (!Array.isArray(value))
    return JSON.stringify({ truncated: true, excerpt: json.slice(0, MAX_PROPERTY_CHARS - 100) });
  const kept = [...(value as unknown[])];
  const dropped: unknown[] = [];
  while (kept.length > 0 && JSON.stringify([...kept, { omitted: dropped.length + 1 }]).length > MAX_PROPERTY_CHARS)
    dropped.unshift(kept.pop());
  return JSON.stringify([...kept, { omitted: dropped.length }]);
}

/** Evidence is cut body by body before whole calls are dropped: the headers and codes matter most to diagnosis. */
export function boundedEvidence(evidence: Evidence[]): string {
  const json = JSON.stringify(evidence);
  if (json.length <= MAX_PROPERTY_CHARS) return json;
  const share = Math.max(256, Math.floor(MAX_PROPERTY_CHARS / Math.max(1, evidence.length)) - 600);
  return boundedJson(
    evidence.map((e) =>
      e.response && e.response.body.length > share
        ? { ...e, response: { ...e.response, body: `${e.response.body.slice(0, share)}…[cut to fit storage]` } }
        : e,
    ),
  );
}

/** How far into the future (by the storage service's clock) a result may be dated before it is refused. */
export const MAX_FUTURE_MS = 5 * 60_000;

/** A result dated too far into the future to be believed; it is refused rather than stored. */
export class FutureResultError extends Error {}

/** Row keys that sort newest first: the inverted time, then the cycle id to keep two cycles in one millisecond apart. */
export const historyRowKey = (at: string, cycleId: string, clientId: string) =>
  `${invertedTime(at)}-${cycleId}~${clientId.toLowerCase()}`;
const invertedTime = (at: string) => String(9_999_999_999_999 - Date.parse(at)).padStart(13, '0');

const resultKey = (tenant: TenantResult) => entryKey({ tenantId: tenant.tenantId, clientId: tenant.app.clientId });

function statusEntity(cycle: Cycle, tenant: TenantResult): TableEntity {
  return {
    partitionKey: STATUS_PARTITION,
    rowKey: resultKey(tenant),
    tenantId: tenant.tenantId,
    clientId: tenant.app.clientId,
    ...(tenant.app.name ? { appName: tenant.app.name } : {}),
    appEws: tenant.app.ews,
    ...(tenant.tags ? { tags: JSON.stringify(tenant.tags) } : {}),
    name: tenant.name,
    cloud: tenant.cloud,
    verdict: tenant.verdict,
    topCause: tenant.findings[0]?.cause ?? '',
    topConfidence: tenant.findings[0]?.confidence ?? '',
    readinessScore: tenant.readiness.score ?? -1,
    readinessBand: tenant.readiness.band,
    checkedAt: tenant.checkedAt,
    cycleId: cycle.id,
    findings: boundedJson(tenant.findings),
    probes: boundedJson(tenant.probes),
    readiness: boundedJson(tenant.readiness),
    permissions: boundedJson(tenant.permissions),
    evidence: boundedEvidence(tenant.evidence),
    lookup: JSON.stringify(namesOf(tenant)),
    ewsNow: JSON.stringify(burnDownPointOf(tenant)),
    ...(tenant.controlPlane ? { controlPlane: boundedJson(tenant.controlPlane) } : {}),
    ...(tenant.ewsInventory ? { ewsInventory: boundedJson(tenant.ewsInventory) } : {}),
  };
}

/** Every name a person may look the tenant up by: the id it is watched by, its directory id, its verified domains. */
const namesOf = (tenant: TenantResult): string[] => [
  ...new Set(
    [tenant.tenantId, tenant.directory?.id, ...(tenant.directory?.domains ?? [])]
      .filter((name): name is string => typeof name === 'string' && name.length > 0)
      .map((name) => name.toLowerCase()),
  ),
];

function historyEntity(cycle: Cycle, tenant: TenantResult): TableEntity {
  // The cycle's time keeps a retried message on its own row; a cycle claiming a time after the check started is not believed.
  const at = Date.parse(cycle.at) > Date.parse(tenant.checkedAt) + MAX_FUTURE_MS ? tenant.checkedAt : cycle.at;
  return {
    partitionKey: tenant.tenantId.toLowerCase(),
    rowKey: historyRowKey(at, cycle.id, tenant.app.clientId),
    clientId: tenant.app.clientId.toLowerCase(),
    verdict: tenant.verdict,
    topCause: tenant.findings[0]?.cause ?? '',
    readinessScore: tenant.readiness.score ?? -1,
    readinessBand: tenant.readiness.band,
    checkedAt: tenant.checkedAt,
    cycleId: cycle.id,
    findings: boundedJson(
      tenant.findings.map(({ cause, detail, confidence, summary }) => ({ cause, detail, confidence, summary })),
    ),
    probes: boundedJson(tenant.probes),
  };
}

type Row = TableEntityResult<Record<string, unknown>>;

export class TableResultStore {
  private constructor(
    private readonly watchedTable: TableClient,
    private readonly statusTable: TableClient,
    private readonly historyTable: TableClient,
    /** History older than this many days is deleted as new rows are written. */
    private readonly retentionDays: number,
    private readonly clock: ServiceClock,
  ) {}

  /** When this worker last applied retention to each tenant's history. */
  private readonly prunedAt = new Map<string, number>();
  /** The ETag and check time of the latest status this worker wrote for each tenant. */
  private readonly written = new Map<string, { etag: string; checkedAt: string; trend: string; burnDown: string }>();

  static in(storage: StorageSource, options: { retentionDays?: number } = {}): TableResultStore {
    const account = storageAccount(storage);
    const clock = new ServiceClock();
    const table = (name: string) => account.table(name, clock);
    return new TableResultStore(
      table(TABLES.watched),
      table(TABLES.status),
      table(TABLES.history),
      options.retentionDays ?? 90,
      clock,
    );
  }

  async ensureTables(): Promise<void> {
    await Promise.all([
      this.watchedTable.createTable(),
      this.statusTable.createTable(),
      this.historyTable.createTable(),
    ]);
  }

  /**
   * Adds or replaces entries to watch; their definitions hold Key Vault secret names, never secrets. A row from before
   * a tenant could have several apps (keyed by the tenant alone) is replaced by the entry for its app.
   */
  async watch(tenants: TenantDefinition[]): Promise<void> {
    const entities = tenants.map((t): TableEntity => ({
      partitionKey: STATUS_PARTITION,
      rowKey: entryKey(t),
      name: t.name,
      definition: JSON.stringify(t),
      updatedAt: new Date().toISOString(),
    }));
    for (let i = 0; i < entities.length; i += TRANSACTION_LIMIT) {
      await this.watchedTable.submitTransaction(
        entities.slice(i, i + TRANSACTION_LIMIT).map((e): TransactionAction => ['upsert', e, 'Replace']),
      );
    }
    const written = new Set(tenants.map(entryKey));
    const legacy = new Set(tenants.map((t) => t.tenantId.toLowerCase()));
    await forEachLimited([...legacy], 8, async (tenantId) => {
      const row = await this.pointRead(this.watchedTable, tenantId);
      const parsed = row ? parseDefinition(row.definition) : null;
      // Only the app now written under its own key leaves the old row; another app's old row stays watched.
      if (parsed?.ok && written.has(entryKey(parsed.tenant)))
        await deleteEntityIfPresent(this.watchedTable, STATUS_PARTITION, tenantId);
    });
  }

  /**
   * Stops watching a tenant's apps (one, or all of them) and drops their latest statuses (history ages out); returns
   * the apps that were watched.
   */
  async unwatch(tenantId: string, clientId?: string): Promise<string[]> {
    const entries = (await this.watchedEntries(tenantId)).filter(
      (e) => clientId === undefined || e.clientId.toLowerCase() === clientId.toLowerCase(),
    );
    // The tenant's row from before entries goes only with the app it names: another app's is not ours to drop.
    const legacy = await this.pointRead(this.watchedTable, tenantId.toLowerCase());
    const legacyApp = legacy ? parseDefinition(legacy.definition) : null;
    const dropsLegacy =
      legacyApp?.ok === true &&
      entries.some((e) => e.clientId.toLowerCase() === legacyApp.tenant.clientId.toLowerCase());
    await forEachLimited(entries, 4, async (entry) => {
      await Promise.all([
        deleteEntityIfPresent(this.watchedTable, STATUS_PARTITION, entryKey(entry)),
        deleteEntityIfPresent(this.statusTable, STATUS_PARTITION, entryKey(entry)),
      ]);
    });
    if (dropsLegacy)
      await Promise.all([
        deleteEntityIfPresent(this.watchedTable, STATUS_PARTITION, tenantId.toLowerCase()),
        deleteEntityIfPresent(this.statusTable, STATUS_PARTITION, tenantId.toLowerCase()),
      ]);
    return entries.map((e) => e.clientId);
  }

  /** Every watched entry whose stored definition is still valid; the others are returned with the reason. */
  async watched(): Promise<{ tenants: TenantDefinition[]; invalid: { tenantId: string; problem: string }[] }> {
    const byKey = new Map<string, TenantDefinition>();
    const invalid: { tenantId: string; problem: string }[] = [];
    for await (const row of this.watchedTable.listEntities<{ definition?: string }>({
      queryOptions: { filter: odata`PartitionKey eq ${STATUS_PARTITION}` },
    })) {
      const parsed = parseDefinition(row.definition);
      if (!parsed.ok) invalid.push({ tenantId: splitEntryKey(row.rowKey ?? '').tenantId, problem: parsed.problem });
      // An entry's own row wins over a row from before entries that names the same app.
      else if (row.rowKey?.includes('~') || !byKey.has(entryKey(parsed.tenant)))
        byKey.set(entryKey(parsed.tenant), parsed.tenant);
    }
    return { tenants: [...byKey.values()], invalid };
  }

  /** A tenant's watched apps: their own rows, and a row from before entries when the tenant still has one. */
  async watchedEntries(tenantId: string): Promise<TenantDefinition[]> {
    const entries = new Map<string, TenantDefinition>();
    for (const row of await this.rowsOfTenant(this.watchedTable, tenantId)) {
      const tenant = definitionOf(row);
      if (!entries.has(entryKey(tenant))) entries.set(entryKey(tenant), tenant);
    }
    return [...entries.values()];
  }

  /** One watched entry: its own row, or (when it has none yet) the tenant's row from before entries if it names the app. */
  async watchedEntry(entry: EntryRef): Promise<TenantDefinition | null> {
    const row =
      (await this.pointRead(this.watchedTable, entryKey(entry))) ??
      (await this.pointRead(this.watchedTable, entry.tenantId.toLowerCase()));
    if (!row) return null;
    const tenant = definitionOf(row);
    return tenant.clientId.toLowerCase() === entry.clientId.toLowerCase() ? tenant : null;
  }

  /**
   * The tenant id an entry is watched by, for any name of the tenant: that id itself, its directory id (GUID), or one
   * of its verified domains as its last check read them; null when no watched tenant answers to the name.
   */
  async resolveTenant(name: string): Promise<string | null> {
    const wanted = name.toLowerCase();
    if ((await this.rowsOfTenant(this.watchedTable, wanted)).length > 0) return wanted;
    for (const row of await this.allLatest(['tenantId', 'lookup'])) {
      const names = parseJsonOrNull(row.lookup);
      if (Array.isArray(names) && names.includes(wanted) && typeof row.tenantId === 'string')
        return row.tenantId.toLowerCase();
    }
    return null;
  }

  /**
   * Writes one tenant's result: its latest status (unless a newer one is stored), its history row, and retention.
   * A result dated more than MAX_FUTURE_MS ahead of the storage service's clock is refused (FutureResultError).
   */
  async saveTenant(result: TenantResult, cycle: Cycle): Promise<void> {
    await this.writeTenantLatest(statusEntity(cycle, result));
    await this.appendHistory(result, cycle);
  }

  /** An entry's latest status: its own row, or the tenant's row from before entries until the entry writes one. */
  async latest(entry: EntryRef): Promise<Row | null> {
    return (
      (await this.pointRead(this.statusTable, entryKey(entry))) ??
      (await this.pointRead(this.statusTable, entry.tenantId.toLowerCase()))
    );
  }

  /**
   * The latest status of each of a tenant's apps. A row from before entries belongs to an app that has not written its
   * own yet (an app's first own row deletes it), so it counts as that app.
   */
  latestOfTenant(tenantId: string): Promise<Row[]> {
    return this.rowsOfTenant(this.statusTable, tenantId);
  }

  /** Every row of one tenant's entries in a table keyed by entry, then the tenant's row from before entries, if any. */
  private async rowsOfTenant(table: TableClient, tenantId: string): Promise<Row[]> {
    const { from, to } = tenantKeyRange(tenantId);
    const rows: Row[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${STATUS_PARTITION} and RowKey ge ${from} and RowKey lt ${to}` },
    }))
      rows.push(row);
    const legacy = await this.pointRead(table, tenantId.toLowerCase());
    return legacy ? [...rows, legacy] : rows;
  }

  /**
   * Every tenant's latest status; with `columns`, only those (Table storage's $select), which is what the summary and
   * the staleness check read: a page of whole results is megabytes at a thousand tenants.
   */
  async allLatest(columns?: readonly string[]): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of this.statusTable.listEntities<Record<string, unknown>>({
      queryOptions: {
        filter: odata`PartitionKey eq ${STATUS_PARTITION}`,
        ...(columns ? { select: ['RowKey', ...columns] } : {}),
      },
    }))
      rows.push(row);
    return rows;
  }

  /**
   * An entry's history, newest first. A tenant's apps share its partition; rows from before entries carry no app and
   * belong to the one app the tenant had then, so they are kept for every app.
   */
  async historyOf(entry: EntryRef, top = 50): Promise<Row[]> {
    const rows: Row[] = [];
    const app = entry.clientId.toLowerCase();
    for await (const row of this.historyTable.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${entry.tenantId.toLowerCase()}` },
    })) {
      if (typeof row.clientId === 'string' && row.clientId !== app) continue;
      rows.push(row);
      if (rows.length >= top) break;
    }
    return rows;
  }

  private pointRead(table: TableClient, rowKey: string): Promise<Row | null> {
    return readEntity(table, STATUS_PARTITION, rowKey);
  }

  /**
   * One tenant's latest status in one call when this worker wrote it last: the write is conditional on the ETag its
   * own write got back, so it succeeds only if nobody has written since, and the newest-wins rule is decided on what
   * this worker wrote. Anything else (a first write here, another writer in between) goes the read-then-write way.
   */
  private async writeTenantLatest(entity: TableEntity): Promise<void> {
    const known = this.written.get(entity.rowKey);
    if (known) {
      this.refuseFuture([entity]);
      if (known.checkedAt > String(entity.checkedAt)) return;
      try {
        const carried = carriedOver(known, entity);
        const { etag } = await this.statusTable.updateEntity(carried, 'Replace', { etag: known.etag });
        this.remember(carried, etag);
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 404 && status !== 409 && status !== 412) throw error;
        this.written.delete(entity.rowKey);
      }
    }
    await this.writeOneLatest(entity);
  }

  private remember(entity: TableEntity, etag: string | undefined): void {
    if (etag)
      this.written.set(entity.rowKey, {
        etag,
        checkedAt: String(entity.checkedAt),
        trend: String(entity.trend),
        burnDown: String(entity.burnDown),
      });
  }

  private refuseFuture(entities: TableEntity[]): void {
    const future = entities.filter((e) => Date.parse(String(e.checkedAt)) > this.clock.now() + MAX_FUTURE_MS);
    if (future.length > 0) {
      throw new FutureResultError(
        `refused ${future.length} result(s) dated ${String(future[0]!.checkedAt)}, more than ${MAX_FUTURE_MS / 60_000} minutes after the storage service's time ${new Date(this.clock.now()).toISOString()}: this worker's clock is wrong`,
      );
    }
  }

  private async writeOneLatest(entity: TableEntity): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.pointRead(this.statusTable, entity.rowKey);
      // The read taught the clock the service's time.
      this.refuseFuture([entity]);
      if (existing && isNewer(existing, entity)) return;
      // An entry's first row of its own carries on from the tenant's row from before entries, if any.
      const before = existing ?? (await this.pointRead(this.statusTable, String(entity.tenantId).toLowerCase()));
      const carried = carriedOver(before, entity);
      try {
        const { etag } = existing
          ? await this.statusTable.updateEntity(carried, 'Replace', { etag: existing.etag })
          : await this.statusTable.createEntity(carried);
        this.remember(carried, etag);
        // The entry's first row of its own replaces the tenant's row from before entries, if there is one.
        if (!existing)
          await deleteEntityIfPresent(this.statusTable, STATUS_PARTITION, String(entity.tenantId).toLowerCase());
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw error;
      }
    }
    throw new Error(`could not write the latest status of ${entity.rowKey}: it kept changing under five attempts`);
  }

  /**
   * The cycle's history row (rewritten, not added, when the cycle is retried), then retention for the tenant, at most
   * hourly per worker: retention is counted in days, and a query per write would be a third of a check's storage calls.
   */
  private async appendHistory(result: TenantResult, cycle: Cycle): Promise<void> {
    await this.historyTable.upsertEntity(historyEntity(cycle, result), 'Replace');
    const tenant = result.tenantId.toLowerCase();
    const last = this.prunedAt.get(tenant);
    if (last !== undefined && this.clock.now() - last < PRUNE_EVERY_MS) return;
    await this.prune(tenant);
    this.prunedAt.set(tenant, this.clock.now());
  }

  /** Deletes a tenant's history rows older than the retention window (by the service's clock), at most 100 at a time. */
  private async prune(tenantId: string): Promise<void> {
    const cutoff = new Date(this.clock.now() - this.retentionDays * 86_400_000).toISOString();
    const partition = tenantId.toLowerCase();
    // Older rows have larger inverted-time keys; "~" sorts after every cycle id, so a row at the cutoff stays.
    const old: TransactionAction[] = [];
    for await (const row of this.historyTable.listEntities({
      queryOptions: {
        filter: odata`PartitionKey eq ${partition} and RowKey gt ${`${invertedTime(cutoff)}~`}`,
        select: ['RowKey'],
      },
    })) {
      old.push(['delete', { partitionKey: partition, rowKey: row.rowKey! }]);
    }
    for (let i = 0; i < old.length; i += TRANSACTION_LIMIT)
      await this.historyTable.submitTransaction(old.slice(i, i + TRANSACTION_LIMIT));
  }
}

/** How many of an entry's latest checks its status row keeps, for status pages to draw a trend without reading history. */
export const TREND_LENGTH = 12;

/**
 * What a status row carries on from the one it replaces: the trend of recent checks, and the weekly burn-down points
 * (so that the detail route shows the observed pace without reading months of history).
 */
function carriedOver(before: Record<string, unknown> | null, entity: TableEntity): TableEntity {
  const point = parseJsonOrNull(entity.ewsNow);
  return {
    ...entity,
    trend: trendAfter(before?.trend, entity),
    burnDown: JSON.stringify(
      withPoint(readPoints(parseJsonOrNull(before?.burnDown)), readPoints(point ? [point] : [])[0] ?? null),
    ),
  };
}

/** The stored trend (a JSON list of [checkedAt, verdict], oldest first) with this result appended, the oldest dropped. */
function trendAfter(stored: unknown, entity: TableEntity): string {
  const earlier = parseJsonOrNull(stored);
  const kept = Array.isArray(earlier)
    ? earlier.filter(
        (p): p is [string, string] =>
          Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string' && p[0] < String(entity.checkedAt),
      )
    : [];
  return JSON.stringify([...kept, [String(entity.checkedAt), String(entity.verdict)]].slice(-TREND_LENGTH));
}

/** How often one worker applies retention to a tenant's history. */
const PRUNE_EVERY_MS = 60 * 60_000;

/** Whether the stored status was checked later than the one about to be written (ISO times compare as strings). */
const isNewer = (stored: Row, incoming: TableEntity) =>
  typeof stored.checkedAt === 'string' && stored.checkedAt > String(incoming.checkedAt);

/** A stored entry's definition; one that no longer validates is our own data gone wrong, so it is thrown. */
function definitionOf(row: Row): TenantDefinition {
  const parsed = parseDefinition(row.definition);
  if (!parsed.ok) throw new Error(`the stored definition of ${row.rowKey} is invalid: ${parsed.problem}`);
  return parsed.tenant;
}

function parseDefinition(json: unknown): { ok: true; tenant: TenantDefinition } | { ok: false; problem: string } {
  try {
    const parsed = tenantDefinitionSchema.safeParse(JSON.parse(String(json)));
    return parsed.success
      ? { ok: true, tenant: parsed.data }
      : { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  } catch (error) {
    return { ok: false, problem: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
