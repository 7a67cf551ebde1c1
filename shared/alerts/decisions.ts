// Alert decisions, pure: a tenant's result becomes conditions, and the conditions with the previous state become notices.
import { createHash } from 'node:crypto';
import { ENDPOINTS, type EvidenceEndpoint } from '../core/evidence';
import type { Finding } from '../diagnosis/engine';
import type { TenantResult } from '../service/pipeline';
import type { UrgencyBand } from '../core/readiness';

export const ALERT_KINDS = ['open', 'resolve', 'remind', 'escalate'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** What was checked: where the failing calls went, the app credential's expiry date, or the tenant as a whole. */
export type AlertCheck = EvidenceEndpoint | 'credential' | 'tenant';
/** A finding failing on several endpoints is one alert, on the first of them in this order (what the app exists to do first). */
const CHECK_ORDER: Record<EvidenceEndpoint, number> = { ews: 0, graph: 1, adminapi: 2, token: 3, keyvault: 4 };
const FINDING_CHECKS = [...ENDPOINTS].sort((a, b) => CHECK_ORDER[a] - CHECK_ORDER[b]);
export const ALERT_CHECKS: readonly AlertCheck[] = [...FINDING_CHECKS, 'credential', 'tenant'];
const checkOf = (finding: Finding): AlertCheck =>
  FINDING_CHECKS.find((c) => finding.endpoints?.includes(c)) ?? 'tenant';
/** The one alert-only cause; every other is a diagnosis cause (docs/contracts/diagnosis.md). */
export const CREDENTIAL_EXPIRING = 'credential_expiring';

/** Something wrong with a tenant now, keyed by check and cause: its wording may change between cycles, its key never does. */
export interface AlertCondition {
  check: AlertCheck;
  cause: string;
  detail?: string;
  severity: Severity;
  summary: string;
  fix: string[];
  docs: string[];
  evidence: string[];
  /** For EWS alerts: how close the shutdown is, which raises their severity. */
  urgency?: { band: UrgencyBand; daysToShutdown: number };
  /** For credential alerts: when the credential in Key Vault expires. */
  credential?: { type: string; expiresOn: string; daysLeft: number };
  /** Set on alerts about tenant-health itself, for the operator rather than the tenant's admins. */
  origin?: 'monitoring_infrastructure';
}

export interface AlertPolicy {
  /** Cycles a condition must be seen (not necessarily in a row: a clean streak shorter than successThreshold does not reset it) before it opens. */
  failureThreshold: number;
  /** Cycles in a row without the condition before an open alert is resolved. */
  successThreshold: number;
  /** An open alert is repeated after this long without a notice; 0 never reminds. */
  reminderMs: number;
}
export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  failureThreshold: 2,
  successThreshold: 2,
  reminderMs: 24 * 3_600_000,
};

/** How severity grows as a credential's expiry nears: the first row whose days it is within applies. */
export const CREDENTIAL_EXPIRY_STEPS: { withinDays: number; severity: Severity }[] = [
  { withinDays: 1, severity: 'critical' },
  { withinDays: 7, severity: 'error' },
  { withinDays: 30, severity: 'warning' },
];
/** Steps an EWS alert's severity is raised by in each urgency band of the EWS retirement. */
export const EWS_URGENCY_RAISE: Record<UrgencyBand, number> = {
  planning: 0,
  'active bridge': 0,
  'final quarter': 1,
  'cut-over': 2,
  'post-shutdown': 2,
};

/** What one alert has been through: enough to decide the next cycle without reading history. */
export interface AlertState {
  check: AlertCheck;
  cause: string;
  /** The alert's id from its first sighting until it is resolved or forgotten; notices are numbered within it. */
  alertId: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Cycles the condition was seen since the last clean streak long enough to forget it. */
  seen: number;
  /** Cycles in a row without the condition. */
  cleanStreak: number;
  /** Whether recipients were told it is open (an open notice and no resolve yet). */
  notified: boolean;
  /** The severity last sent, while notified. */
  notifiedSeverity?: Severity;
  openedAt?: string;
  lastNoticeAt?: string;
  /** Notices decided so far in this alert; the next one gets this number. */
  notices: number;
  /** The latest sighting, which resolve notices and reminders repeat. */
  condition: AlertCondition;
}

/** A snooze (one tenant, perhaps one cause) or a maintenance window (perhaps every tenant): nothing is sent while it lasts. */
export interface Suppression {
  id: string;
  kind: 'snooze' | 'maintenance';
  /** A tenant id, or "*" for every tenant. */
  tenantId: string;
  /** One of the tenant's apps; absent: all of them. */
  clientId?: string;
  /** Absent: every cause. */
  cause?: string;
  from: string;
  until: string;
  reason: string;
  createdAt: string;
}

export interface AlertNotice {
  kind: AlertKind;
  tenantId: string;
  /** The app the alert is about, and its name when known; absent for the operator's alerts about tenant-health itself. */
  clientId?: string;
  appName?: string;
  tags?: Record<string, string>;
  tenantName: string;
  alertId: string;
  /** alertId and the notice's number: the same notice always carries the same key, however often it is sent. */
  idempotencyKey: string;
  severity: Severity;
  previousSeverity?: Severity;
  at: string;
  state: AlertState;
}

export interface AlertDecision {
  /** States to keep, as they are after this cycle. */
  states: AlertState[];
  /** Keys (check.cause) of states to forget. */
  forget: string[];
  notices: AlertNotice[];
  /** Notices held back, with the suppression that held them. */
  held: { key: string; kind: AlertKind; by: Suppression }[];
}

export const alertKey = (check: string, cause: string) => `${check}.${cause}`;
const rank = (severity: Severity) => SEVERITIES.indexOf(severity);
const raise = (severity: Severity, steps: number): Severity =>
  SEVERITIES[Math.min(SEVERITIES.length - 1, rank(severity) + steps)]!;
const DAY = 86_400_000;

/** The conditions a result shows: one per primary finding (not per alternative reading), and a credential near its expiry. */
export function conditionsOf(result: TenantResult, now: number): AlertCondition[] {
  const base: Severity = result.verdict === 'failing' ? 'error' : 'warning';
  const urgency = { band: result.readiness.urgency.band, daysToShutdown: result.readiness.daysToShutdown };
  const found = new Map<string, AlertCondition>();
  for (const finding of result.findings) {
    if (finding.alternative || finding.origin) continue;
    const check = checkOf(finding);
    const key = alertKey(check, finding.cause);
    if (found.has(key)) continue;
    found.set(key, {
      check,
      cause: finding.cause,
      ...(finding.detail ? { detail: finding.detail } : {}),
      severity: check === 'ews' ? raise(base, EWS_URGENCY_RAISE[urgency.band]) : base,
      summary: finding.summary,
      fix: finding.fix ?? [],
      docs: finding.docs ?? [],
      evidence: finding.evidence ?? [],
      ...(check === 'ews' ? { urgency } : {}),
    });
  }
  const expiresOn = result.credential?.expiresOn;
  if (result.credential && expiresOn) {
    const daysLeft = Math.floor((Date.parse(expiresOn) - now) / DAY);
    const step = CREDENTIAL_EXPIRY_STEPS.find((s) => daysLeft < s.withinDays);
    if (step) {
      const when =
        daysLeft < 0
          ? `expired on ${expiresOn.slice(0, 10)}`
          : `expires on ${expiresOn.slice(0, 10)}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
      found.set(alertKey('credential', CREDENTIAL_EXPIRING), {
        check: 'credential',
        cause: CREDENTIAL_EXPIRING,
        severity: step.severity,
        summary: `The app's ${result.credential.type} in Key Vault ${when}.`,
        fix: [
          `Add a new ${result.credential.type === 'certificate' ? 'certificate' : 'client secret'} to the app ${result.app.clientId} in Entra ID > App registrations > Certificates & secrets.`,
          'Store it in Key Vault under the same secret name with its expiry date set, then remove the old one from the app once the next check passes.',
        ],
        docs: ['https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal'],
        evidence: [`Key Vault: expires ${expiresOn}`],
        credential: { type: result.credential.type, expiresOn, daysLeft },
      });
    }
  }
  return [...found.values()];
}

/** What a result says about tenant-health itself: one condition per failing piece of our infrastructure. */
export function operatorConditionsOf(result: TenantResult): AlertCondition[] {
  const found = new Map<string, AlertCondition>();
  for (const finding of result.findings) {
    if (finding.alternative || finding.origin !== 'monitoring_infrastructure') continue;
    const check = checkOf(finding);
    found.set(alertKey(check, finding.cause), {
      check,
      cause: finding.cause,
      ...(finding.detail ? { detail: finding.detail } : {}),
      severity: 'error',
      origin: 'monitoring_infrastructure',
      summary: `${finding.summary} Seen while checking ${result.name} (${result.tenantId}).`,
      fix: finding.fix ?? [],
      docs: finding.docs ?? [],
      evidence: finding.evidence ?? [],
    });
  }
  return [...found.values()];
}

/** Whether a result checked at `checkedAt` is too old to be believed as the tenant's state now. */
export const isStale = (checkedAt: string, now: number, staleAfterMs: number) => {
  const at = Date.parse(checkedAt);
  return Number.isNaN(at) || now - at > staleAfterMs;
};

export const FLEET_STALE_KEY = alertKey('tenant', 'other');

/** The operator's condition when no tenant has a fresh result: checks stopped arriving (timer, queue, worker or storage). */
export function fleetStaleCondition(checkedAt: string[], now: number, staleAfterMs: number): AlertCondition | null {
  if (checkedAt.length === 0 || !checkedAt.every((at) => isStale(at, now, staleAfterMs))) return null;
  const newest =
    checkedAt
      .filter((at) => !Number.isNaN(Date.parse(at)))
      .sort()
      .at(-1) ?? 'never';
  return {
    check: 'tenant',
    cause: 'other',
    detail: 'checks_stopped',
    severity: 'critical',
    origin: 'monitoring_infrastructure',
    summary: `No tenant has been checked for over ${Math.round(staleAfterMs / 60_000)} minutes (newest result ${newest}): the check timer, the queue, the worker or its storage has stopped, and every status shown is stale.`,
    fix: [
      'In the Function App, look at the invocations of scheduleChecks and checkTenant (Application Insights, or the Functions list in the portal): a disabled function, a stopped app, or failing runs.',
      'Check the queue and its poison queue (CHECK_QUEUE and CHECK_QUEUE-poison), and that the storage account and its keys or role assignments still work.',
    ],
    docs: ['https://learn.microsoft.com/azure/azure-functions/functions-monitoring'],
    evidence: [`${checkedAt.length} tenant(s), newest result ${newest}`],
  };
}

export function suppressionFor(
  suppressions: Suppression[],
  subject: { tenantId: string; clientId?: string },
  cause: string,
  now: number,
): Suppression | undefined {
  return suppressions.find(
    (s) =>
      (s.tenantId === '*' || s.tenantId.toLowerCase() === subject.tenantId.toLowerCase()) &&
      (s.clientId === undefined || s.clientId.toLowerCase() === subject.clientId?.toLowerCase()) &&
      (s.cause === undefined || s.cause === cause) &&
      Date.parse(s.from) <= now &&
      now < Date.parse(s.until),
  );
}

/** Two apps of one tenant failing the same way at once are two alerts, so the app is part of the id. */
const alertIdOf = (subject: { tenantId: string; clientId?: string }, key: string, firstSeenAt: string) =>
  createHash('sha256')
    .update(
      `${subject.tenantId.toLowerCase()}|${subject.clientId ? `${subject.clientId.toLowerCase()}|` : ''}${key}|${firstSeenAt}`,
    )
    .digest('hex')
    .slice(0, 20);

/**
 * One tenant's cycle: each condition is counted against its state; notices go out on change only (open once
 * confirmed, escalate when severity rises, remind after the interval, resolve once clear), never while suppressed.
 * A suppression only defers: when it ends, what is still true is sent.
 */
export function decideAlerts(input: {
  tenantId: string;
  clientId?: string;
  appName?: string;
  tags?: Record<string, string>;
  tenantName: string;
  conditions: AlertCondition[];
  previous: AlertState[];
  suppressions: Suppression[];
  policy: AlertPolicy;
  now: number;
}): AlertDecision {
  const { tenantId, tenantName, policy, now } = input;
  const at = new Date(now).toISOString();
  const current = new Map(input.conditions.map((c) => [alertKey(c.check, c.cause), c]));
  const previous = new Map(input.previous.map((s) => [alertKey(s.check, s.cause), s]));
  const decision: AlertDecision = { states: [], forget: [], notices: [], held: [] };

  for (const key of new Set([...previous.keys(), ...current.keys()])) {
    const condition = current.get(key);
    const before = previous.get(key);
    if (!before && !condition) continue;
    const state: AlertState = before
      ? { ...before }
      : {
          check: condition!.check,
          cause: condition!.cause,
          alertId: alertIdOf(input, key, at),
          firstSeenAt: at,
          lastSeenAt: at,
          seen: 0,
          cleanStreak: 0,
          notified: false,
          notices: 0,
          condition: condition!,
        };
    if (condition) {
      state.seen += 1;
      state.cleanStreak = 0;
      state.lastSeenAt = at;
      state.condition = condition;
    } else {
      state.cleanStreak += 1;
    }
    const cleared = state.cleanStreak >= policy.successThreshold;
    const severity = state.condition.severity;

    let kind: AlertKind | null = null;
    if (!state.notified && !cleared && state.seen >= policy.failureThreshold) kind = 'open';
    else if (state.notified && cleared) kind = 'resolve';
    else if (state.notified && condition && rank(severity) > rank(state.notifiedSeverity ?? severity))
      kind = 'escalate';
    else if (
      state.notified &&
      condition &&
      policy.reminderMs > 0 &&
      now - Date.parse(state.lastNoticeAt ?? at) >= policy.reminderMs
    )
      kind = 'remind';

    const by = kind ? suppressionFor(input.suppressions, input, state.cause, now) : undefined;
    if (kind && by) {
      decision.held.push({ key, kind, by });
    } else if (kind) {
      const previousSeverity = kind === 'escalate' ? state.notifiedSeverity : undefined;
      const sequence = state.notices;
      state.notices += 1;
      state.lastNoticeAt = at;
      if (kind === 'open') state.openedAt = at;
      state.notified = kind !== 'resolve';
      if (state.notified) state.notifiedSeverity = severity;
      else delete state.notifiedSeverity;
      decision.notices.push({
        kind,
        tenantId,
        ...(input.clientId ? { clientId: input.clientId } : {}),
        ...(input.appName ? { appName: input.appName } : {}),
        ...(input.tags ? { tags: input.tags } : {}),
        tenantName,
        alertId: state.alertId,
        idempotencyKey: `${state.alertId}-${sequence}`,
        severity,
        at,
        ...(previousSeverity ? { previousSeverity } : {}),
        state: { ...state },
      });
    }
    // A clear alert nobody was told about (or whose resolve went out) is forgotten; a new sighting starts a new alert.
    if (cleared && !state.notified) decision.forget.push(key);
    else decision.states.push(state);
  }
  return decision;
}
