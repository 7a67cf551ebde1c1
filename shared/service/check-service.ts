// What the timer, the queue worker and the on-demand check do, over the pipeline, storage and the queue.
import { randomUUID } from 'node:crypto';
import { deliverDue, raiseAlerts, raiseOperatorAlerts, type AlertingDeps, type DeliveryReport } from './alert-service';
import {
  FLEET_STALE_KEY,
  fleetStaleCondition,
  type AlertCheck,
  type AlertKind,
  type AlertNotice,
  type Severity,
} from '../alerts/decisions';
import type { TenantDefinition } from '../core/tenants';
import {
  checkTenant,
  runCycle,
  type PipelineDeps,
  type RunOptions,
  type RunResult,
  type TenantResult,
} from './pipeline';
import type { CheckQueue } from '../storage/check-queue';
import { readCheckMessage } from '../storage/check-queue';
import { describeError } from '../core/redact';
import { FutureResultError, type Cycle, type TableResultStore } from '../storage/result-store';
import type { Settings } from '../core/settings';
import { NotConfiguredError } from './errors';

export interface ServiceDeps {
  /** Absent when the checks cannot run (no Key Vault configured); status reads still work. */
  pipeline?: PipelineDeps;
  store: TableResultStore;
  queue: CheckQueue;
  settings: Settings;
  /** Absent when no Logic App is configured: alerting is off. */
  alerting?: AlertingDeps;
  now?: () => number;
}

/** What alerting did after a check: the notices decided, and what became of sending them (or why sending failed). */
export interface AlertsAfterCheck {
  notices: AlertNotice[];
  deliveries: DeliveryReport[];
  deliveryError?: string;
}

/** One notice of a run, as the run object lists it (docs/contracts/cli.md), and whether the Logic App has it yet. */
export interface NoticeLine {
  tenantId: string;
  kind: AlertKind;
  cause: string;
  check: AlertCheck;
  severity: Severity;
  idempotencyKey: string;
  delivered: boolean;
}

/** A cycle's results with the notices it decided: the run object of the command line. */
export interface RunReport extends RunResult {
  alerts: NoticeLine[];
}

/** The run object in the contract's order of fields. */
export const reportOf = (
  { runId, startedAt, finishedAt, tenants, summary }: RunResult,
  alerts: NoticeLine[],
): RunReport => ({ runId, startedAt, finishedAt, tenants, alerts, summary });

/**
 * Stores a result, then decides its alerts and sends what is due. The result is written first, so alerting can never
 * lose it; deciding alerts is our storage (a failure is thrown for a retry); sending is best effort, the outbox keeps it.
 */
async function storeAndAlert(result: TenantResult, cycle: Cycle, deps: ServiceDeps): Promise<AlertsAfterCheck> {
  await selfHealing(deps, () => deps.store.saveTenant(result, cycle));
  if (!deps.alerting) return { notices: [], deliveries: [] };
  const alerting = deps.alerting;
  const notices = await selfHealing(deps, () => raiseAlerts(result, cycle, alerting));
  // Notices already waiting are the delivery timer's; only new ones are worth a read of the outbox here.
  if (notices.length === 0) return { notices, deliveries: [] };
  try {
    return { notices, deliveries: await deliverDue(deps.alerting, { tenantId: result.tenantId }) };
  } catch (error) {
    return { notices, deliveries: [], deliveryError: describeError(error) };
  }
}

/** Creates every table and queue the app uses; harmless when they exist. */
export async function ensureStorage(deps: ServiceDeps): Promise<void> {
  await Promise.all([deps.store.ensureTables(), deps.queue.ensureQueues(), deps.alerting?.store.ensureTables()]);
}

/** Table storage's and Queue storage's answers for a table or queue that is not there (an emptied or new account). */
const isMissingStorage = (error: unknown) => {
  const e = error as { statusCode?: number; code?: string; details?: { errorCode?: string } };
  return e.statusCode === 404 && /^(TableNotFound|QueueNotFound)$/.test(e.code ?? e.details?.errorCode ?? '');
};

/** Runs storage work; when a table or queue has gone, recreates them all and runs it once more. */
async function selfHealing<T>(deps: ServiceDeps, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isMissingStorage(error)) throw error;
    await ensureStorage(deps);
    return work();
  }
}

const pipelineOf = (deps: ServiceDeps): PipelineDeps => {
  if (!deps.pipeline)
    throw new NotConfiguredError('KEY_VAULT_URL is not set, so tenant credentials cannot be read and no check can run');
  return deps.pipeline;
};

/** The timer: one message per watched entry (an app in a tenant), all in one cycle. */
export async function scheduleCycle(
  deps: ServiceDeps,
): Promise<{ cycleId: string; cycleAt: string; enqueued: number; invalid: { tenantId: string; problem: string }[] }> {
  const cycleId = randomUUID();
  const cycleAt = new Date((deps.now ?? Date.now)()).toISOString();
  const { tenants, invalid } = await selfHealing(deps, () => deps.store.watched());
  await selfHealing(deps, () =>
    deps.queue.enqueue(tenants.map((t) => ({ tenantId: t.tenantId, clientId: t.clientId, cycleId, cycleAt }))),
  );
  return { cycleId, cycleAt, enqueued: tenants.length, invalid };
}

export type QueuedCheckOutcome =
  | { outcome: 'saved'; tenantId: string; verdict: TenantResult['verdict']; alerts: AlertsAfterCheck }
  | { outcome: 'refused'; tenantId: string; reason: string }
  | { outcome: 'skipped'; tenantId: string; reason: string }
  | { outcome: 'poisoned'; reason: string };

/**
 * The queue worker: checks one tenant and stores the result. A message that can never work goes to the poison queue
 * at once with its reason; our own storage failing is thrown so the host retries, until the last delivery, when the
 * message is poisoned with the reason instead of being lost.
 */
/** The worker's path for one tenant: check, store the result, then decide and send its alerts. */
export async function checkAndStore(
  tenant: TenantDefinition,
  cycle: Cycle,
  deps: ServiceDeps,
): Promise<{ result: TenantResult; alerts: AlertsAfterCheck }> {
  const result = await checkTenant(tenant, pipelineOf(deps), deps.settings.tenantDeadlineSeconds * 1000);
  return { result, alerts: await storeAndAlert(result, cycle, deps) };
}

/** A whole cycle on the worker's path, tenant by tenant (the demo's): each stored and alerted as the queue worker does. */
export async function checkCycle(
  tenants: TenantDefinition[],
  deps: ServiceDeps,
  options: Pick<RunOptions, 'concurrency' | 'onTenantDone'> = {},
): Promise<{ report: RunReport; deliveryErrors: string[] }> {
  const cycle = { id: randomUUID(), at: new Date((deps.now ?? Date.now)()).toISOString() };
  // Kept per tenant, so the run lists notices in the tenants' order whatever order the checks end in.
  const alerts = new Map<TenantDefinition, NoticeLine[]>();
  const deliveryErrors: string[] = [];
  const run = await runCycle(tenants, pipelineOf(deps), {
    concurrency: deps.settings.checkConcurrency,
    ...options,
    runId: cycle.id,
    check: async (tenant) => {
      const done = await checkAndStore(tenant, cycle, deps);
      const delivered = new Set(
        done.alerts.deliveries.filter((d) => d.outcome === 'delivered').map((d) => d.idempotencyKey),
      );
      alerts.set(tenant, []);
      for (const n of done.alerts.notices) {
        alerts.get(tenant)!.push({
          tenantId: n.tenantId,
          kind: n.kind,
          cause: n.state.cause,
          check: n.state.check,
          severity: n.severity,
          idempotencyKey: n.idempotencyKey,
          delivered: delivered.has(n.idempotencyKey),
        });
      }
      if (done.alerts.deliveryError) deliveryErrors.push(done.alerts.deliveryError);
      return done.result;
    },
  });
  return {
    report: reportOf(
      run,
      tenants.flatMap((t) => alerts.get(t) ?? []),
    ),
    deliveryErrors: [...new Set(deliveryErrors)],
  };
}

export async function runQueuedCheck(raw: unknown, delivery: number, deps: ServiceDeps): Promise<QueuedCheckOutcome> {
  const read = readCheckMessage(raw);
  if (!read.ok) {
    await deps.queue.sendToPoison(raw, read.problem);
    return { outcome: 'poisoned', reason: read.problem };
  }
  const { tenantId, clientId, cycleId, cycleAt } = read.message;
  try {
    const tenant = await selfHealing(deps, () => watchedOfMessage(deps, tenantId, clientId));
    if (typeof tenant === 'string') return { outcome: 'skipped', tenantId, reason: tenant };
    const { result, alerts } = await checkAndStore(tenant, { id: cycleId, at: cycleAt }, deps);
    return { outcome: 'saved', tenantId, verdict: result.verdict, alerts };
  } catch (error) {
    // Retrying cannot fix a worker's clock: the message is done, and the refusal is the caller's to log.
    if (error instanceof FutureResultError) return { outcome: 'refused', tenantId, reason: error.message };
    if (delivery < deps.settings.maxDequeueCount && !(error instanceof NotConfiguredError)) throw error;
    const reason = `${error instanceof NotConfiguredError ? 'not configured' : `gave up after ${delivery} deliveries`}: ${error instanceof Error ? error.message : String(error)}`;
    await deps.queue.sendToPoison(raw, reason);
    return { outcome: 'poisoned', reason };
  }
}

/**
 * The entry a message names; a message from before entries names only the tenant, which then stands for its one app.
 * A string says why there is nothing to check.
 */
async function watchedOfMessage(
  deps: ServiceDeps,
  tenantId: string,
  clientId: string | undefined,
): Promise<TenantDefinition | string> {
  if (clientId) return (await deps.store.watchedEntry({ tenantId, clientId })) ?? 'the app is no longer watched';
  const entries = await deps.store.watchedEntries(tenantId);
  if (entries.length === 1) return entries[0]!;
  return entries.length === 0
    ? 'the tenant is no longer watched'
    : `the message names no app and the tenant has ${entries.length}; the next cycle checks each`;
}

/**
 * The on-demand check: checks one app of a tenant, or all of them, now; each result is stored as its own cycle. An
 * empty list means nothing of that is watched.
 */
export async function checkNow(tenantId: string, deps: ServiceDeps, clientId?: string): Promise<TenantResult[]> {
  const entries = await selfHealing(deps, () => deps.store.watchedEntries(tenantId));
  const chosen = entries.filter((e) => clientId === undefined || e.clientId.toLowerCase() === clientId.toLowerCase());
  const cycle = { id: `on-demand-${randomUUID()}`, at: new Date((deps.now ?? Date.now)()).toISOString() };
  const results: TenantResult[] = [];
  for (const entry of chosen) results.push((await checkAndStore(entry, cycle, deps)).result);
  return results;
}

/**
 * The delivery timer: first notices whether checks stopped arriving at all (every tenant stale: the timer, the queue
 * or the worker is down) and raises or clears the operator's alert for it, then sends every notice that is due.
 */
export async function deliverAlerts(deps: ServiceDeps): Promise<DeliveryReport[]> {
  const alerting = deps.alerting;
  if (!alerting) return [];
  const now = (deps.now ?? Date.now)();
  const rows = await selfHealing(deps, () => deps.store.allLatest(['checkedAt']));
  const staleAfterMs = deps.settings.staleAfterMinutes * 60_000;
  const condition = fleetStaleCondition(
    rows.map((r) => (typeof r.checkedAt === 'string' ? r.checkedAt : '')),
    now,
    staleAfterMs,
  );
  await selfHealing(deps, () =>
    raiseOperatorAlerts(
      condition ? [condition] : [],
      { id: `staleness-${new Date(now).toISOString().slice(0, 16)}`, at: new Date(now).toISOString() },
      alerting,
      { keys: [FLEET_STALE_KEY] },
    ),
  );
  return deliverDue(alerting);
}
