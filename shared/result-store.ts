// Results in Azure Table storage: each tenant's latest status and a time-ordered history row per cycle.
import { odata, TableClient, type TableEntity } from '@azure/data-tables';
import type { RunResult, TenantResult } from './pipeline';

/** Characters per string property: Table storage allows 64 KiB per property, and strings are UTF-16. */
export const MAX_PROPERTY_CHARS = 30_000;
const TRANSACTION_LIMIT = 100;

export const TABLES = { status: 'TenantStatus', history: 'TenantHistory' } as const;

/** JSON cut to fit one property, marked when cut so that readers know it is incomplete. */
export function boundedJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length <= MAX_PROPERTY_CHARS ? json : JSON.stringify({ truncated: true, excerpt: json.slice(0, MAX_PROPERTY_CHARS - 100) });
}

/** Row keys that sort newest first: the inverted time, then the run id to keep two runs in one millisecond apart. */
export const historyRowKey = (checkedAt: string, runId: string) => `${String(9_999_999_999_999 - Date.parse(checkedAt)).padStart(13, '0')}-${runId}`;

function statusEntity(runId: string, tenant: TenantResult): TableEntity {
  return {
    partitionKey: 'tenant',
    rowKey: tenant.tenantId.toLowerCase(),
    name: tenant.name,
    verdict: tenant.verdict,
    topCause: tenant.findings[0]?.cause ?? '',
    checkedAt: tenant.checkedAt,
    runId,
    findings: boundedJson(tenant.findings),
    probes: boundedJson(tenant.probes),
    readiness: boundedJson(tenant.readiness),
    evidence: boundedJson(tenant.evidence),
  };
}

function historyEntity(runId: string, tenant: TenantResult): TableEntity {
  return {
    partitionKey: tenant.tenantId.toLowerCase(),
    rowKey: historyRowKey(tenant.checkedAt, runId),
    verdict: tenant.verdict,
    topCause: tenant.findings[0]?.cause ?? '',
    checkedAt: tenant.checkedAt,
    runId,
    probes: boundedJson(tenant.probes),
  };
}

export class TableResultStore {
  private constructor(private readonly status: TableClient, private readonly history: TableClient) {}

  static fromConnectionString(connectionString: string): TableResultStore {
    // Azurite and other local emulators speak plain HTTP.
    const options = { allowInsecureConnection: /UseDevelopmentStorage=true|http:\/\//i.test(connectionString) };
    return new TableResultStore(
      TableClient.fromConnectionString(connectionString, TABLES.status, options),
      TableClient.fromConnectionString(connectionString, TABLES.history, options),
    );
  }

  async ensureTables(): Promise<void> {
    await Promise.all([this.status.createTable(), this.history.createTable()]);
  }

  /** Upserts the latest status of every tenant and adds its history row; upserts make a retried write harmless. */
  async saveRun(run: RunResult): Promise<void> {
    const statuses = run.tenants.map((t) => statusEntity(run.runId, t));
    for (let i = 0; i < statuses.length; i += TRANSACTION_LIMIT) {
      await this.status.submitTransaction(statuses.slice(i, i + TRANSACTION_LIMIT).map((e) => ['upsert', e, 'Replace'] as const));
    }
    // History partitions are per tenant, so each tenant's row is its own write.
    await Promise.all(run.tenants.map((t) => this.history.upsertEntity(historyEntity(run.runId, t), 'Replace')));
  }

  async latest(tenantId: string): Promise<Record<string, unknown> | null> {
    try {
      return await this.status.getEntity('tenant', tenantId.toLowerCase());
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  async historyOf(tenantId: string, top = 50): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const row of this.history.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${tenantId.toLowerCase()}` } })) {
      rows.push(row);
      if (rows.length >= top) break;
    }
    return rows;
  }
}
