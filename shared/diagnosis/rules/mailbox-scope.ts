// Mailbox scope: the app may reach some mailboxes, not this one.
import { DOCS, FIXES } from '../fixes';
import {
  code,
  has,
  MAIL_ROLES,
  mailboxOf,
  rolesOn,
  type Rule,
  scopeDetail,
  scopeFix,
  worksForAnotherMailbox,
} from './rule-kit';

export const MAILBOX_SCOPE_RULES: readonly Rule[] = [
  {
    id: 'graph-access-policy',
    cause: 'mailbox_out_of_scope',
    detail: 'outside_application_access_policy',
    reads:
      'Graph ErrorAccessDenied "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."',
    match: (s) => (has(s, /\[RAOP\]|AppOnly AccessPolicy/i) ? { confidence: 'high', because: [] } : null),
    summary: (s) =>
      `${mailboxOf(s)} is outside the Application Access Policy that limits which mailboxes this app may open.`,
    fix: (t) => FIXES.applicationAccessPolicy(t),
    docs: [DOCS.applicationAccessPolicy, DOCS.rbacForApplications],
  },
  {
    id: 'graph-odata-disabled',
    cause: 'mailbox_out_of_scope',
    detail: 'outside_application_access_policy',
    reads: 'Graph "Access to OData is disabled." without [RAOP]; other mailboxes; EWS policy blocks in the cycle',
    match: (s, cycle) => {
      if (!has(s, /Access to OData is disabled/i) || has(s, /\[RAOP\]|AppOnly AccessPolicy/i)) return null;
      if (worksForAnotherMailbox(s, cycle))
        return {
          confidence: 'high',
          because: ['another canary answers Graph in the same cycle, so the block is per mailbox'],
        };
      // An Application Access Policy names itself ([RAOP]); without it, the EWS access controls are the likelier reading.
      return { confidence: 'low', because: [] };
    },
    summary: () =>
      'Graph refused this mailbox with "Access to OData is disabled.": an Application Access Policy that excludes the mailbox usually adds "[RAOP]" to that text, but older answers did not. Test-ApplicationAccessPolicy, or whether other mailboxes answer, tells it apart from the EWS access controls.',
    fix: (t) => [...FIXES.applicationAccessPolicy(t).slice(0, 1), ...FIXES.userAgentList(t).slice(0, 1)],
    docs: [DOCS.applicationAccessPolicy, DOCS.ewsAccessControl],
  },
  {
    id: 'graph-odata-disabled-user-agent',
    cause: 'ews_disabled',
    detail: 'user_agent_not_allowed',
    reads:
      'Graph "Access to OData is disabled." without [RAOP]: the second reading, decided by EWS policy blocks and the control plane',
    match: (s, cycle) => {
      if (
        !has(s, /Access to OData is disabled/i) ||
        has(s, /\[RAOP\]|AppOnly AccessPolicy/i) ||
        worksForAnotherMailbox(s, cycle)
      )
        return null;
      if (has(s, /UserAgent (?:Allow|Block) ?List/i))
        return { confidence: 'high', because: ['the answer names a tenant-configured user-agent allow or block list'] };
      if (cycle.controlPlane?.ewsApplicationAccessPolicy)
        return {
          confidence: 'high',
          because: [`EwsApplicationAccessPolicy ${cycle.controlPlane.ewsApplicationAccessPolicy}`],
        };
      if (cycle.all.some((o) => o.endpoint === 'ews' && /blocked by policy/i.test(o.policyReason ?? '')))
        return {
          confidence: 'high',
          because: ['EWS is blocked by policy in the same cycle: the user-agent lists govern EWS and REST alike'],
        };
      return { confidence: 'medium', because: [] };
    },
    summary: (_s, m) =>
      m.confidence === 'high'
        ? 'The organization\'s user-agent list (EwsApplicationAccessPolicy EnforceAllowList/EnforceBlockList) refuses this client; it blocks Graph mail calls with "Access to OData is disabled." as well as EWS.'
        : 'Graph refused the mailbox with "Access to OData is disabled." and no "[RAOP]": most often the EWS access controls, which govern Graph mail too: the organization\'s user-agent list (EwsApplicationAccessPolicy EnforceAllowList/EnforceBlockList) refuses this client, or EWS is off for the mailbox. An Application Access Policy excluding the mailbox is the other reading; Test-ApplicationAccessPolicy, or whether other mailboxes answer, tells them apart.',
    fix: (t) => FIXES.userAgentList(t),
    docs: [DOCS.ewsAccessControl, DOCS.setOrganizationConfig],
  },
  {
    id: 'graph-access-denied-elsewhere-works',
    cause: 'mailbox_out_of_scope',
    reads: 'Graph ErrorAccessDenied "Access is denied." for one mailbox while another answers',
    match: (s, cycle) =>
      s.endpoint === 'graph' &&
      (code(s, 'ErrorAccessDenied') || has(s, /Access is denied/i)) &&
      worksForAnotherMailbox(s, cycle)
        ? {
            confidence: 'high',
            detail: scopeDetail(s),
            because: ['another canary answers Graph in the same cycle, so the app may read mail but not this mailbox'],
          }
        : null,
    summary: (s) =>
      `The app may read mail, but not ${mailboxOf(s)}: the mailbox is outside the scope of the app's RBAC for Applications grant or Application Access Policy.`,
    fix: scopeFix,
    docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy],
  },
  {
    id: 'graph-access-denied',
    cause: 'delegated_permission_only',
    detail: 'graph_token_without_mail_role',
    reads:
      'Graph ErrorAccessDenied "Access is denied. Check credentials and try again." with no mail role in the token (or no token to read)',
    match: (s, cycle) => {
      if (s.endpoint !== 'graph' || !(has(s, /Access is denied/i) || code(s, 'ErrorAccessDenied')) || has(s, /OData/i))
        return null;
      if (worksForAnotherMailbox(s, cycle)) return null;
      if (s.tokenKind === 'delegated' && s.authMode !== 'delegated')
        return { confidence: 'medium', because: [`delegated token (scp: ${s.claims?.scp ?? ''})`] };
      if (s.tokenKind === 'app' && s.roles.some((r) => MAIL_ROLES.includes(r))) return null;
      // A caller signed in as a user lacks the permission itself: it is not using a delegated grant by mistake.
      if (s.authMode === 'delegated') return { confidence: 'low', because: [] };
      // A caller that knows it runs app-only, without the token to show it, is as likely to hold no application
      // permission at all: that is then the first reading.
      if (s.authMode === 'app-only' && !s.claims) return { confidence: 'low', because: [] };
      return { confidence: 'medium', because: [`Graph token roles: ${rolesOn(s)}; no Mail.* role`] };
    },
    summary: () =>
      'Graph denied mailbox access ("Access is denied. Check credentials and try again."): the token carries no application mail permission, typically because Mail.Read was added as a delegated permission while the app runs app-only. If the token\'s roles hold Mail.Read, the mailbox is outside an RBAC for Applications scope instead.',
    fix: (t) => FIXES.grantGraphMailRole(t),
    docs: [DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'graph-access-denied-missing-role',
    cause: 'missing_app_permission',
    detail: 'graph_application_permission_missing',
    reads: 'Graph ErrorAccessDenied with no mail role: the second reading',
    match: (s, cycle) =>
      s.endpoint === 'graph' &&
      has(s, /Access is denied/i) &&
      !has(s, /OData/i) &&
      !worksForAnotherMailbox(s, cycle) &&
      !s.roles.some((r) => MAIL_ROLES.includes(r))
        ? {
            confidence: s.tokenKind === 'app' ? 'low' : 'medium',
            because:
              s.authMode === 'delegated'
                ? ['the caller signs in as a user: its scopes must include the Mail permission the call needs']
                : [],
          }
        : null,
    summary: () =>
      'Graph denied access ("Access is denied. Check credentials and try again."): the permission the call needs (Mail.Read, Mail.Send, MailboxSettings.Read...) is not granted to the app, or not consented; for a user sign-in, the requested scopes lack it.',
    fix: (t) => [
      ...FIXES.grantGraphMailRole(t),
      'For a user sign-in (delegated), request the matching delegated scope as well, and sign in again so that the new consent applies.',
    ],
    docs: [DOCS.adminConsent],
  },
  {
    id: 'graph-access-denied-with-role',
    cause: 'mailbox_out_of_scope',
    reads: 'Graph ErrorAccessDenied although the token holds a mail role, or no token to read (third reading)',
    match: (s, cycle) => {
      if (s.endpoint !== 'graph' || !has(s, /Access is denied/i) || worksForAnotherMailbox(s, cycle)) return null;
      if (s.roles.some((r) => MAIL_ROLES.includes(r)))
        return {
          confidence: 'medium',
          detail: scopeDetail(s),
          because: [`Graph token roles include ${s.roles.filter((r) => MAIL_ROLES.includes(r)).join(', ')}`],
        };
      return { confidence: 'low', detail: scopeDetail(s), because: [] };
    },
    summary: (s) =>
      `${mailboxOf(s)} may be outside the scope the app is limited to (RBAC for Applications or an Application Access Policy); Test-ServicePrincipalAuthorization tells.`,
    fix: scopeFix,
    docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy],
  },
];
