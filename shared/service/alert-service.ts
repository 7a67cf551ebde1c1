// Alerting after a check: decide and record notices in the outbox (one transaction), then deliver what is due to the
// Logic App, at least once, in order per alert, with backoff that honours Retry-After and a dead letter at the end.
import type { Dispatcher } from 'undici';
import { INFRASTRUCTURE_LIMITS } from '../clients/azure-sdk';
import type { SecretStore } from '../clients/key-vault';
import type { TenantResult } from './pipeline';
import type { Cycle } from '../storage/result-store';
import { triggerUrlProblem, type AlertSettings } from '../core/settings';
import { AlertConflictError, outboxRowKey, type AlertStore, type OutboxEntry } from '../storage/alert-store';
import {
  alertKey,
  conditionsOf,
  decideAlerts,
  operatorConditionsOf,
  type AlertCondition,
  type AlertNotice,
  type AlertPolicy,
} from '../alerts/decisions';
import { postNotice } from '../clients/logic-app';
import { alertPayload } from '../alerts/payload';
import { forEachLimited } from '../core/pool';

export interface AlertingDeps {
  store: AlertStore;
  /** Every call to the Logic App goes through this dispatcher. */
  dispatcher: Dispatcher;
  /** The trigger URL (from an app setting or Key Vault); it carries the trigger's key, so it is never logged. */
  triggerUrl: () => Promise<string>;
  policy: AlertPolicy;
  /** Attempts before a notice is given up on as a dead letter. */
  maxAttempts: number;
  now?: () => number;
  random?: () => number;
}

export interface DeliveryReport {
  tenantId: string;
  idempotencyKey: string;
  kind: string;
  check: string;
  cause: string;
  outcome: 'delivered' | 'retry' | 'dead';
  attempts: number;
  status?: number | null;
  reason?: string;
  nextAttemptAt?: string;
}

/** How long a worker holds a notice it is sending; if it dies meanwhile, the notice is due again after this. */
const LEASE_MS = 2 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;
/** Retry-After is honoured up to this; a longer one is read as a mistake rather than waited out. */
const RETRY_AFTER_MAX_MS = 6 * 60 * 60_000;
const COMMIT_TRIES = 3;
const CONCURRENT_ALERTS = 4;

/** Exponential backoff with jitter, never sooner than the trigger asked. */
export function retryDelayMs(attempts: number, retryAfterMs: number | undefined, random: () => number): number {
  const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1)) * (0.8 + 0.4 * random());
  return Math.round(Math.max(backoff, Math.min(retryAfterMs ?? 0, RETRY_AFTER_MAX_MS)));
}

function outboxEntryOf(notice: AlertNotice): OutboxEntry {
  const payload = alertPayload(notice);
  return {
    tenantId: notice.tenantId,
    rowKey: outboxRowKey(notice.at, notice.idempotencyKey),
    idempotencyKey: notice.idempotencyKey,
    alertId: notice.alertId,
    kind: notice.kind,
    check: notice.state.check,
    cause: notice.state.cause,
    severity: notice.severity,
    createdAt: notice.at,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: notice.at,
    payload,
  };
}

/** The alerts about tenant-health itself (its vault, its identity, the fleet gone silent) live under this name. */
export const OPERATOR = { tenantId: 'tenant-health', name: 'tenant-health monitoring' } as const;

/**
 * Decides one tenant's alerts for a stored result and records them. A cycle already decided (a redelivered queue
 * message) decides nothing again; a race with another worker is decided again on what that worker wrote. When the
 * result failed on our own infrastructure it says nothing about the tenant: the tenant's alerts are left exactly as
 * they are (none opened, none counted clean), and the operator's alert is raised instead.
 */
export async function raiseAlerts(result: TenantResult, cycle: Cycle, deps: AlertingDeps): Promise<AlertNotice[]> {
  const now = (deps.now ?? Date.now)();
  const ours = operatorConditionsOf(result);
  if (ours.length > 0) return record(OPERATOR, ours, cycle, deps);
  const notices = await record(
    {
      tenantId: result.tenantId,
      clientId: result.app.clientId,
      ...(result.app.name ? { appName: result.app.name } : {}),
      ...(result.tags ? { tags: result.tags } : {}),
      name: result.name,
    },
    conditionsOf(result, now),
    cycle,
    deps,
  );
  // A result that reached the tenant shows our infrastructure working: it counts towards clearing the operator's alerts.
  return [...notices, ...(await record(OPERATOR, [], cycle, deps, { onlyIfOpen: true }))];
}

/** Raises (or clears) operator conditions that no tenant result carries, such as the whole fleet gone stale. */
export const raiseOperatorAlerts = (
  conditions: AlertCondition[],
  cycle: Cycle,
  deps: AlertingDeps,
  options: { keys: string[] },
): Promise<AlertNotice[]> => record(OPERATOR, conditions, cycle, deps, { onlyKeys: options.keys });

async function record(
  subject: { tenantId: string; clientId?: string; appName?: string; tags?: Record<string, string>; name: string },
  conditions: AlertCondition[],
  cycle: Cycle,
  deps: AlertingDeps,
  options: { onlyIfOpen?: boolean; onlyKeys?: string[] } = {},
): Promise<AlertNotice[]> {
  for (let attempt = 1; ; attempt++) {
    const now = (deps.now ?? Date.now)();
    const at = new Date(now).toISOString();
    const stored = await deps.store.load(subject);
    if (stored.lastCycleId === cycle.id) return [];
    if (options.onlyIfOpen && stored.states.length === 0) return [];
    // Conditions judged elsewhere (another operator check) are neither seen nor cleared here.
    const previous = options.onlyKeys
      ? stored.states.filter((s) => options.onlyKeys!.includes(alertKey(s.check, s.cause)))
      : stored.states;
    // Nothing seen and nothing open: no decision to make, so snoozes and maintenance windows need not be read.
    if (conditions.length === 0 && previous.length === 0) return [];
    const suppressions = await deps.store.suppressions(at);
    const decision = decideAlerts({
      tenantId: subject.tenantId,
      ...(subject.clientId ? { clientId: subject.clientId } : {}),
      ...(subject.appName ? { appName: subject.appName } : {}),
      ...(subject.tags ? { tags: subject.tags } : {}),
      tenantName: subject.name,
      conditions,
      previous,
      suppressions,
      policy: deps.policy,
      now,
    });
    if (decision.states.length === 0 && decision.forget.length === 0 && stored.adopted.length === 0) return [];
    try {
      await deps.store.commit(subject, {
        cycleId: cycle.id,
        at,
        markerEtag: stored.markerEtag,
        states: decision.states,
        forget: decision.forget,
        outbox: decision.notices.map(outboxEntryOf),
        adopted: stored.adopted,
      });
      return decision.notices;
    } catch (error) {
      if (!(error instanceof AlertConflictError) || attempt >= COMMIT_TRIES) throw error;
    }
  }
}

/**
 * Sends what is due: one tenant's notices (right after its check) or everyone's (the delivery timer). Notices of one
 * alert go in the order they were decided, and a later one waits while an earlier one is retried.
 */
export async function deliverDue(deps: AlertingDeps, options: { tenantId?: string } = {}): Promise<DeliveryReport[]> {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const pending = await deps.store.pending(options.tenantId);
  if (pending.length === 0) return [];
  const url = await deps.triggerUrl();
  const byAlert = new Map<string, OutboxEntry[]>();
  for (const entry of pending) {
    const key = `${entry.tenantId.toLowerCase()}|${entry.alertId}`;
    byAlert.set(key, [...(byAlert.get(key) ?? []), entry]);
  }
  const reports: DeliveryReport[] = [];
  await forEachLimited([...byAlert.values()], CONCURRENT_ALERTS, async (queue) => {
    for (const entry of queue) {
      if (entry.nextAttemptAt > new Date(now()).toISOString()) break;
      const report = await deliverOne(entry, url, deps, now, random);
      if (report) reports.push(report);
      if (report?.outcome !== 'delivered' && report?.outcome !== 'dead') break;
    }
  });
  return reports;
}

async function deliverOne(
  entry: OutboxEntry,
  url: string,
  deps: AlertingDeps,
  now: () => number,
  random: () => number,
): Promise<DeliveryReport | null> {
  const claimed = await deps.store.claim(entry, new Date(now() + LEASE_MS).toISOString());
  if (!claimed) return null;
  const attempt = await postNotice(deps.dispatcher, url, claimed.payload, now());
  const base = {
    tenantId: claimed.tenantId,
    idempotencyKey: claimed.idempotencyKey,
    kind: claimed.kind,
    check: claimed.check,
    cause: claimed.cause,
    attempts: claimed.attempts,
  };
  const at = new Date(now()).toISOString();
  if (attempt.outcome === 'delivered') {
    await deps.store.update({ ...claimed, status: 'delivered', deliveredAt: at, lastStatus: attempt.status });
    return { ...base, outcome: 'delivered', status: attempt.status };
  }
  if (attempt.outcome === 'refused' || claimed.attempts >= deps.maxAttempts) {
    const deadReason =
      attempt.outcome === 'refused'
        ? `refused: ${attempt.reason}`
        : `gave up after ${claimed.attempts} attempts; the last: ${attempt.reason}`;
    await deps.store.update({
      ...claimed,
      status: 'dead',
      deadReason,
      lastError: attempt.reason,
      ...(attempt.status !== null ? { lastStatus: attempt.status } : {}),
    });
    return { ...base, outcome: 'dead', status: attempt.status, reason: deadReason };
  }
  const nextAttemptAt = new Date(now() + retryDelayMs(claimed.attempts, attempt.retryAfterMs, random)).toISOString();
  await deps.store.update({
    ...claimed,
    nextAttemptAt,
    lastError: attempt.reason,
    ...(attempt.status !== null ? { lastStatus: attempt.status } : {}),
  });
  return { ...base, outcome: 'retry', status: attempt.status, reason: attempt.reason, nextAttemptAt };
}

/** One line per delivery for a log: which notice and what happened, never the URL's key. */
export function describeDelivery(report: DeliveryReport): string {
  const what = `${report.kind} ${report.check}.${report.cause} for ${report.tenantId} (${report.idempotencyKey})`;
  if (report.outcome === 'delivered') return `alert ${what}: delivered`;
  if (report.outcome === 'dead') return `alert ${what}: dead letter, ${report.reason ?? ''}`;
  return `alert ${what}: attempt ${report.attempts} failed, next at ${report.nextAttemptAt ?? '?'}: ${report.reason ?? ''}`;
}

const TRIGGER_URL_CACHE_MS = 5 * 60_000;

/**
 * The trigger URL from its app setting or from Key Vault (read at most every five minutes, so a rotated URL is picked
 * up); a missing or unusable URL is an error naming the setting, and the notices wait in the outbox meanwhile.
 */
export function triggerUrlSource(
  trigger: NonNullable<AlertSettings['trigger']>,
  secrets: SecretStore | undefined,
  now: () => number = Date.now,
  allowLoopback = false,
): () => Promise<string> {
  let cached: { url: string; until: number } | undefined;
  return async () => {
    if (cached && now() < cached.until) return cached.url;
    let url: string;
    let setting: string;
    if ('url' in trigger) {
      ({ url } = trigger);
      setting = 'ALERT_LOGIC_APP_URL';
    } else {
      setting = `ALERT_LOGIC_APP_URL_SECRET (${trigger.keyVaultSecret})`;
      if (!secrets) throw new Error(`${setting}: KEY_VAULT_URL is not set, so the trigger URL cannot be read`);
      const stored = await secrets.get(trigger.keyVaultSecret, AbortSignal.timeout(INFRASTRUCTURE_LIMITS.timeoutMs), {
        maxAgeMs: TRIGGER_URL_CACHE_MS,
      });
      if (!stored) throw new Error(`${setting}: no such secret in ${secrets.description}`);
      url = stored.value.trim();
    }
    const problem = triggerUrlProblem(url, allowLoopback);
    if (problem) throw new Error(`${setting} ${problem}`);
    cached = { url, until: now() + TRIGGER_URL_CACHE_MS };
    return url;
  };
}
