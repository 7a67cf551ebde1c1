// Table storage, one way for every table of the app: bounded clients, the service's clock, reads that say "absent".
import { RestError, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * The storage service's clock, learned from its answers' Date headers: a worker whose own clock runs fast must not
 * date results into the future (they would win over every later one) or prune history by its own idea of now.
 */
export class ServiceClock {
  private skewMs = 0;

  observe(date: string | undefined, at = Date.now()): void {
    const service = date ? Date.parse(date) : Number.NaN;
    if (!Number.isNaN(service)) this.skewMs = service - at;
  }

  now(): number {
    return Date.now() + this.skewMs;
  }

  readonly policy: PipelinePolicy = {
    name: 'serviceClock',
    sendRequest: async (request, next) => {
      const response = await next(request);
      this.observe(response.headers.get('date') ?? undefined);
      return response;
    },
  };
}

export const statusOf = (error: unknown) =>
  error instanceof RestError ? error.statusCode : (error as { statusCode?: number }).statusCode;

/** One entity, or null when it (or its table) is not there. */
export async function readEntity(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<Record<string, unknown>> | null> {
  try {
    return await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Deletes one entity; false when it was not there. */
export async function deleteEntityIfPresent(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<boolean> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}
