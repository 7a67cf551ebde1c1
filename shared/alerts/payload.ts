// The JSON an alert notice is delivered as (schemas/alert-payload.v1.json): bounded, redacted, the same on every retry.
import { redact } from '../core/redact';
import type { AlertNotice, Severity } from './decisions';

/** The schema's $id; a payload names it, so a receiver can tell versions apart. */
export const ALERT_PAYLOAD_SCHEMA = 'urn:tenant-health:alert-payload:v1';
export const ALERT_PAYLOAD_VERSION = '1.2';

const MAX_TEXT = 2000;
const MAX_LINES = 10;

export interface AlertPayload {
  schema: typeof ALERT_PAYLOAD_SCHEMA;
  schemaVersion: typeof ALERT_PAYLOAD_VERSION;
  idempotencyKey: string;
  alertId: string;
  kind: AlertNotice['kind'];
  severity: Severity;
  previousSeverity?: Severity;
  createdAt: string;
  tenant: { tenantId: string; name: string };
  /** Since 1.2: the app the alert is about; absent on the operator's alerts. */
  app?: { clientId: string; name?: string };
  /** Since 1.2: the entry's tags (customer, tier, region...), for routing the notice. */
  tags?: Record<string, string>;
  check: string;
  cause: string;
  detail?: string;
  title: string;
  summary: string;
  fix: string[];
  docs: string[];
  evidence: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  openedAt?: string;
  ews?: { urgency: string; daysToShutdown: number };
  credential?: { type: string; expiresOn: string; daysLeft: number };
  /** Since 1.1: present when the alert is about tenant-health's own infrastructure, for its operator. */
  origin?: 'monitoring_infrastructure';
  /** The same notice as plain text, for a Teams message or a mail body as it is. */
  text: string;
}

const KIND_WORDS: Record<AlertNotice['kind'], string> = {
  open: 'Problem',
  escalate: 'Escalated',
  remind: 'Still failing',
  resolve: 'Resolved',
};
const CHECK_WORDS: Record<string, string> = {
  ews: 'EWS',
  graph: 'Microsoft Graph',
  token: 'token request',
  adminapi: 'Exchange admin API',
  keyvault: 'Key Vault',
  credential: 'app credential',
  tenant: 'tenant',
};

const clip = (text: string) => {
  const clean = redact(text);
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT - 1)}…` : clean;
};
const lines = (list: string[]) => list.slice(0, MAX_LINES).map(clip);

export function alertPayload(notice: AlertNotice): AlertPayload {
  const { state } = notice;
  const { condition } = state;
  const what = `${CHECK_WORDS[state.check] ?? state.check}: ${state.cause}${condition.detail ? ` (${condition.detail})` : ''}`;
  const who = notice.appName ? `${notice.tenantName} (${notice.appName})` : notice.tenantName;
  const title = clip(`${KIND_WORDS[notice.kind]} [${notice.severity}] ${who}: ${what}`);
  const summary =
    notice.kind === 'resolve'
      ? clip(`Cleared: no longer seen since ${state.lastSeenAt}. It was: ${condition.summary}`)
      : clip(condition.summary);
  const fix = notice.kind === 'resolve' ? [] : lines(condition.fix);
  const text = [
    title,
    summary,
    ...(notice.previousSeverity ? [`Severity rose from ${notice.previousSeverity} to ${notice.severity}.`] : []),
    ...(condition.urgency && notice.kind !== 'resolve'
      ? [
          `EWS in Exchange Online is switched off in ${condition.urgency.daysToShutdown} days (${condition.urgency.band}).`,
        ]
      : []),
    ...(fix.length ? ['Fix:', ...fix.map((line, i) => `${i + 1}. ${line}`)] : []),
    `Tenant ${notice.tenantId}${notice.clientId ? `, app ${notice.clientId}` : ''}; alert ${notice.alertId}; first seen ${state.firstSeenAt}.`,
  ].join('\n');
  return {
    schema: ALERT_PAYLOAD_SCHEMA,
    schemaVersion: ALERT_PAYLOAD_VERSION,
    idempotencyKey: notice.idempotencyKey,
    alertId: notice.alertId,
    kind: notice.kind,
    severity: notice.severity,
    ...(notice.previousSeverity ? { previousSeverity: notice.previousSeverity } : {}),
    createdAt: notice.at,
    tenant: { tenantId: notice.tenantId, name: clip(notice.tenantName) },
    ...(notice.clientId
      ? { app: { clientId: notice.clientId, ...(notice.appName ? { name: clip(notice.appName) } : {}) } }
      : {}),
    ...(notice.tags ? { tags: notice.tags } : {}),
    check: state.check,
    cause: state.cause,
    ...(condition.detail ? { detail: condition.detail } : {}),
    title,
    summary,
    fix,
    docs: condition.docs.slice(0, MAX_LINES),
    evidence: lines(condition.evidence),
    firstSeenAt: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    ...(state.openedAt ? { openedAt: state.openedAt } : {}),
    ...(condition.urgency
      ? { ews: { urgency: condition.urgency.band, daysToShutdown: condition.urgency.daysToShutdown } }
      : {}),
    ...(condition.credential ? { credential: condition.credential } : {}),
    ...(condition.origin ? { origin: condition.origin } : {}),
    text: text.length > 4 * MAX_TEXT ? `${text.slice(0, 4 * MAX_TEXT - 1)}…` : text,
  };
}
