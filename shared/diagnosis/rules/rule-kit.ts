// What every rule family shares: the rule's shape, and the predicates and readings several families use.
import type { Cause } from '../../core/causes';
import type { ControlPlaneFacts } from '../../probes/facts';
import { FIXES, type FixTarget } from '../fixes';
import { hasFullAccessAsApp, type Signals } from '../signals';

export type Confidence = 'high' | 'medium' | 'low';

/** Everything seen in one tenant's cycle, for rules that weigh one call against the others. */
export interface CycleEvidence {
  all: Signals[];
  controlPlane?: ControlPlaneFacts;
}

export interface Match {
  confidence: Confidence;
  /** What, beyond the call itself, made the rule match: claims, other probes, control-plane facts. */
  because: string[];
  /** A finer detail than the rule's own, when the evidence tells it. */
  detail?: string;
}

export interface Rule {
  id: string;
  cause: Cause;
  detail?: string;
  /** The evidence the rule reads, in words. */
  reads: string;
  match: (s: Signals, cycle: CycleEvidence) => Match | null;
  summary: (s: Signals, m: Match) => string;
  fix: (t: FixTarget, s: Signals, m: Match) => readonly string[];
  docs: readonly string[];
  /** The cause is tenant-health's own infrastructure, not the tenant (shared/diagnosis/engine.ts Finding.origin). */
  ours?: true;
}

export const MAIL_ROLES = ['Mail.Read', 'Mail.ReadBasic', 'Mail.ReadBasic.All', 'Mail.ReadWrite', 'Mail.Send'];

/** A phrase of the service's own words (never the caller's code around them). */
export const has = (s: Signals, pattern: RegExp) => pattern.test(s.serviceText);

export const code = (s: Signals, ...codes: string[]) =>
  codes.some((c) => s.graphCode === c || s.soapCodes.includes(c) || new RegExp(`\\b${c}\\b`).test(s.text));

export const at = (s: Signals) => (s.observedAt === undefined ? undefined : s.observedAt * 1000);

export const after = (s: Signals, instant: number) => at(s) !== undefined && at(s)! >= instant;

export const mailboxOf = (s: Signals) => s.mailbox ?? 'the mailbox';

export const isAuthFailure = (s: Signals) => s.status === 401 || s.status === 403 || (s.status === null && s.failed);

/** Another canary answered the same kind of call in this cycle. */
export const worksForAnotherMailbox = (s: Signals, cycle: CycleEvidence) =>
  s.mailbox !== undefined &&
  cycle.all.some(
    (o) =>
      o.endpoint === s.endpoint &&
      o.ok &&
      o.mailbox !== undefined &&
      o.mailbox.toLowerCase() !== s.mailbox!.toLowerCase(),
  );

export const rolesOn = (s: Signals) => (s.roles.length ? s.roles.join(', ') : 'none');

export function scopeDetail(s: Signals): string {
  // Entra consents are not narrowed by RBAC scopes, so a scoped failure with an Entra role in the token is an access policy.
  const entraRole = s.endpoint === 'ews' ? hasFullAccessAsApp(s) : s.roles.some((r) => MAIL_ROLES.includes(r));
  if (s.claims) return entraRole ? 'outside_application_access_policy' : 'outside_rbac_scope';
  return 'outside_application_access_policy_or_rbac_scope';
}

export const notLicensedSummary = (s: Signals) =>
  `The user ${mailboxOf(s)} exists but has no usable Exchange Online mailbox: no Exchange Online licence, an inactive or soft-deleted mailbox, or one hosted on-premises.`;

export const scopeFix = (t: FixTarget, _s: Signals, m: Match) =>
  m.detail === 'outside_rbac_scope'
    ? FIXES.rbacScope(t)
    : m.detail === 'outside_application_access_policy'
      ? FIXES.applicationAccessPolicy(t)
      : [...FIXES.applicationAccessPolicy(t).slice(0, 1), ...FIXES.rbacScope(t).slice(0, 1)];

/** The call went to a host that serves personal (outlook.com) accounts only. */
export const consumerHost = (s: Signals) => /(?:^|\.)(?:outlook|login)\.live\.com$/.test(s.host ?? '');

/** The evidence is about a personal outlook.com mailbox, which no Exchange Online control governs. */
export const consumerMailbox = (s: Signals) =>
  consumerHost(s) ||
  /outlook\.live\.com|login\.live\.com/i.test(s.text) ||
  has(s, /outlook\.com \(outlook\.live\.com\)|personal Microsoft account|consumer account/i);
