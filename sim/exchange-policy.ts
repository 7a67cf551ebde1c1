// How Exchange Online decides whether an app may reach a mailbox: EWS controls on the simulated date, and mailbox scoping.
// Sources: learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-control-access-to-ews-in-exchange
// (403 + X-EWS-Policy-Reason), the EwsAllowedAppIDs and "Your Time is Almost Up" posts (tables after 2026-10-01),
// learn.microsoft.com/graph/auth-limit-mailbox-access and learn.microsoft.com/exchange/permissions-exo/application-rbac.
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN } from '../shared/core/ews-timeline';
import type { MailboxSpec, TenantSpec } from './scenario';

export const EWS_POLICY_REASON = {
  disabled: 'EWS is disabled for this user or tenant',
  blocked: 'EWS is blocked by policy for this user or tenant',
} as const;

const FRONTLINE_LICENSES = new Set(['F1', 'F3', 'Kiosk']);

/** The X-EWS-Policy-Reason Exchange answers with, or null when EWS is allowed for this app, mailbox and client. */
export function ewsPolicyBlock(
  tenant: TenantSpec,
  mailbox: MailboxSpec,
  appId: string,
  userAgent: string,
  now: number,
): string | null {
  const org = tenant.exchange;
  // After the shutdown there is no EWS to allow; the exact answer is not documented, so the disabled text stands in.
  if (now >= EWS_SHUTDOWN) return EWS_POLICY_REASON.disabled;
  if (org.ewsEnabled === false || mailbox.ewsEnabled === false) return EWS_POLICY_REASON.disabled;
  const enforced = now >= EWS_ENFORCEMENT_START;
  // Kiosk/F1/F3-only mailboxes lose EWS on the enforcement date; the header text for this block is undocumented.
  if (enforced && FRONTLINE_LICENSES.has(mailbox.license)) return EWS_POLICY_REASON.disabled;
  if (org.ewsEnabled === true) {
    const allowed = (org.ewsAllowedAppIds ?? []).map((id) => id.toLowerCase());
    if (enforced && allowed.length === 0) return EWS_POLICY_REASON.blocked;
    if (allowed.length > 0 && !allowed.includes(appId.toLowerCase())) return EWS_POLICY_REASON.blocked;
  }
  if (userAgentBlocked(tenant, userAgent)) return EWS_POLICY_REASON.blocked;
  return null;
}

/** EwsApplicationAccessPolicy with EwsAllowList/EwsBlockList: user-agent patterns with * wildcards, for EWS and REST alike. */
export function userAgentBlocked(tenant: TenantSpec, userAgent: string): boolean {
  const { ewsApplicationAccessPolicy: policy, ewsAllowList, ewsBlockList } = tenant.exchange;
  if (policy === 'EnforceAllowList') return !ewsAllowList.some((p) => wildcardMatch(p, userAgent));
  if (policy === 'EnforceBlockList') return ewsBlockList.some((p) => wildcardMatch(p, userAgent));
  return false;
}

function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(value);
}

export type ScopeDecision = 'allowed' | 'access-policy-denied' | 'rbac-out-of-scope' | 'no-grant';

/**
 * Whether an app may touch a mailbox with a permission it holds either as an Entra role (in the token) or as an
 * RBAC-for-Applications assignment. Grants are a union: an unscoped Entra grant wins over a scoped RBAC one, and
 * Application Access Policies constrain only Entra-consented permissions.
 */
export function mailboxScope(
  tenant: TenantSpec,
  appId: string,
  mailboxAddress: string,
  entraGranted: boolean,
  rbacRoles: readonly string[],
): ScopeDecision {
  const id = appId.toLowerCase();
  const address = mailboxAddress.toLowerCase();
  if (entraGranted) {
    const policies = tenant.applicationAccessPolicies.filter((p) => p.appId.toLowerCase() === id);
    if (policies.length === 0) return 'allowed';
    const inScope = (p: (typeof policies)[number]) => p.scope.some((m) => m.toLowerCase() === address);
    const restricted = policies.filter((p) => p.accessRight === 'RestrictAccess');
    if (policies.some((p) => p.accessRight === 'DenyAccess' && inScope(p))) return 'access-policy-denied';
    if (restricted.length > 0 && !restricted.some(inScope)) return 'access-policy-denied';
    return 'allowed';
  }
  const assignments = rbacAssignments(tenant, appId, rbacRoles);
  if (assignments.length === 0) return 'no-grant';
  const covers = assignments.some(
    (a) => a.scope === 'organization' || a.scope.some((m) => m.toLowerCase() === address),
  );
  return covers ? 'allowed' : 'rbac-out-of-scope';
}

export function rbacAssignments(
  tenant: TenantSpec,
  appId: string,
  roles: readonly string[],
): TenantSpec['rbacForApps'] {
  return tenant.rbacForApps.filter((a) => a.appId.toLowerCase() === appId.toLowerCase() && roles.includes(a.role));
}
