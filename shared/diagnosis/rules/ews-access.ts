// EWS access controls and the retirement: EwsEnabled, EwsAllowedAppIDs, user-agent lists, impersonation.
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN } from '../../core/ews-timeline';
import { DOCS, FIXES, type FixTarget } from '../fixes';
import { hasFullAccessAsApp, type Signals } from '../signals';
import {
  after,
  code,
  consumerMailbox,
  type CycleEvidence,
  has,
  mailboxOf,
  type Match,
  type Rule,
  scopeDetail,
  scopeFix,
  worksForAnotherMailbox,
} from './rule-kit';

function ewsDisabledDetail(s: Signals, cycle: CycleEvidence): { detail: string; because: string[] } {
  const plane = cycle.controlPlane;
  if (after(s, EWS_SHUTDOWN))
    return {
      detail: 'ews_retired',
      because: ['observed after 2027-04-01, when EWS in Exchange Online was switched off'],
    };
  if (plane?.organizationEwsEnabled === false)
    return { detail: 'ews_disabled_for_organization', because: ['Get-OrganizationConfig: EwsEnabled False'] };
  const mailboxSetting = s.mailbox
    ? Object.entries(plane?.mailboxEwsEnabled ?? {}).find(([m]) => m.toLowerCase() === s.mailbox!.toLowerCase())?.[1]
    : undefined;
  if (mailboxSetting === false)
    return { detail: 'ews_disabled_for_mailbox', because: [`Get-CASMailbox ${s.mailbox}: EwsEnabled False`] };
  if (plane?.organizationEwsEnabled !== undefined && mailboxSetting !== undefined && after(s, EWS_ENFORCEMENT_START)) {
    return {
      detail: 'frontline_license',
      because: [
        `EwsEnabled is ${String(plane.organizationEwsEnabled)} for the organization and ${String(mailboxSetting)} for ${s.mailbox}, so the block comes from the mailbox's licence (Kiosk, F1 or F3 lose EWS from 2026-10-01)`,
      ],
    };
  }
  return { detail: 'ews_disabled_for_organization_or_mailbox', because: [] };
}

function ewsBlockedDetail(s: Signals, cycle: CycleEvidence): { detail: string; because: string[] } {
  const plane = cycle.controlPlane;
  if (after(s, EWS_SHUTDOWN))
    return {
      detail: 'ews_retired',
      because: ['observed after 2027-04-01, when EWS in Exchange Online was switched off'],
    };
  if (plane?.appInAllowList === false)
    return {
      detail: 'app_not_in_ews_allowed_app_ids',
      because: [`EwsAllowedAppIDs lists ${plane.ewsAllowedAppIds?.length ?? 0} app(s), not this one`],
    };
  if (plane?.organizationEwsEnabled === true && !plane.ewsAllowedAppIds?.length && after(s, EWS_ENFORCEMENT_START)) {
    return {
      detail: 'ews_allowed_app_ids_empty',
      because: ['EwsEnabled True with an empty EwsAllowedAppIDs blocks every app since 2026-10-01'],
    };
  }
  if (plane?.ewsApplicationAccessPolicy)
    return {
      detail: 'user_agent_not_allowed',
      because: [`EwsApplicationAccessPolicy ${plane.ewsApplicationAccessPolicy} while the app id is allowed`],
    };
  const graphODataBlocked = cycle.all.some(
    (o) =>
      o.endpoint === 'graph' &&
      /Access to OData is disabled\.?(?!:)/i.test(o.text) &&
      !/RAOP|AccessPolicy/i.test(o.text),
  );
  if (graphODataBlocked)
    return {
      detail: 'user_agent_not_allowed',
      because: [
        'Graph mail calls are refused with "Access to OData is disabled." too: the user-agent lists govern EWS and REST alike',
      ],
    };
  return { detail: 'app_or_user_agent_blocked', because: [] };
}

const ewsDisabledFix = (t: FixTarget, _s: Signals, m: Match): readonly string[] => {
  switch (m.detail) {
    case 'ews_retired':
      return FIXES.migrateToGraph();
    case 'ews_disabled_for_organization':
      return FIXES.enableOrganizationEws(t);
    case 'ews_disabled_for_mailbox':
      return FIXES.enableMailboxEws(t);
    case 'frontline_license':
      return FIXES.frontlineLicence(t);
    case 'app_not_in_ews_allowed_app_ids':
    case 'ews_allowed_app_ids_empty':
      return FIXES.allowListApp(t);
    case 'user_agent_not_allowed':
      return FIXES.userAgentList(t);
    case 'app_or_user_agent_blocked':
      return [...FIXES.allowListApp(t), ...FIXES.userAgentList(t)];
    default:
      return [...FIXES.enableOrganizationEws(t), ...FIXES.enableMailboxEws(t).slice(1)];
  }
};

const EWS_DISABLED_SUMMARY: Record<string, string> = {
  ews_retired: 'EWS in Exchange Online has been switched off for good (1 April 2027); no setting brings it back.',
  ews_disabled_for_organization:
    'EWS is switched off for the whole organization (Set-OrganizationConfig -EwsEnabled $false).',
  ews_disabled_for_mailbox: 'EWS is switched off for this mailbox (Set-CASMailbox -EwsEnabled $false).',
  frontline_license:
    'EWS is blocked for this mailbox although the organization and mailbox settings allow it: since 1 October 2026 mailboxes licensed only with Kiosk, F1 or F3 cannot use EWS.',
  ews_disabled_for_organization_or_mailbox:
    'Exchange refused EWS because it is disabled for the organization or for this mailbox (X-EWS-Policy-Reason); Get-OrganizationConfig and Get-CASMailbox tell which.',
  app_not_in_ews_allowed_app_ids: 'EWS is restricted to the apps in EwsAllowedAppIDs and this app is not among them.',
  ews_allowed_app_ids_empty:
    'EwsEnabled is True but EwsAllowedAppIDs is empty, which since 1 October 2026 blocks every app.',
  user_agent_not_allowed:
    "The app id is allowed, but the organization's user-agent list (EwsApplicationAccessPolicy with EwsAllowList/EwsBlockList) refuses this client; the same lists block Graph mail calls.",
  app_or_user_agent_blocked:
    'Exchange blocked EWS by policy: either this app is not in EwsAllowedAppIDs or its user agent fails the EwsAllowList/EwsBlockList; the control plane (Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy) tells which.',
};

/** An EWS 403 with nothing to read: no X-EWS-Policy-Reason, no SOAP response code. */
const bare403 = (s: Signals) =>
  s.endpoint === 'ews' && s.status === 403 && !s.policyReason && !s.soapCodes.some((c) => c.startsWith('Error'));

/** A bare EWS 403 that no other canary's answer narrows to this mailbox: the readings of the call alone. */
const bare403Everywhere = (s: Signals, cycle: CycleEvidence) => bare403(s) && !worksForAnotherMailbox(s, cycle);

export const EWS_ACCESS_RULES: readonly Rule[] = [
  {
    id: 'ews-policy-disabled',
    cause: 'ews_disabled',
    reads: 'X-EWS-Policy-Reason "EWS is disabled for this user or tenant"; control-plane EwsEnabled; the date',
    match: (s, cycle) =>
      /disabled for this user or tenant/i.test(s.policyReason ?? '')
        ? { confidence: 'high', ...ewsDisabledDetail(s, cycle) }
        : null,
    summary: (_s, m) =>
      EWS_DISABLED_SUMMARY[m.detail ?? ''] ?? EWS_DISABLED_SUMMARY.ews_disabled_for_organization_or_mailbox!,
    fix: ewsDisabledFix,
    docs: [DOCS.ewsAccessControl, DOCS.setOrganizationConfig, DOCS.setCasMailbox, DOCS.ewsRetirement],
  },
  {
    id: 'ews-policy-blocked',
    cause: 'ews_disabled',
    reads:
      'X-EWS-Policy-Reason "EWS is blocked by policy for this user or tenant"; control-plane EwsAllowedAppIDs and EwsApplicationAccessPolicy; Graph answers',
    match: (s, cycle) =>
      /blocked by policy/i.test(s.policyReason ?? '') ? { confidence: 'high', ...ewsBlockedDetail(s, cycle) } : null,
    summary: (_s, m) => EWS_DISABLED_SUMMARY[m.detail ?? ''] ?? EWS_DISABLED_SUMMARY.app_or_user_agent_blocked!,
    fix: ewsDisabledFix,
    docs: [DOCS.ewsAccessControl, DOCS.setOrganizationConfig, DOCS.ewsRetirement],
  },
  {
    id: 'ews-policy-unrecognised',
    cause: 'ews_disabled',
    detail: 'ews_policy_reason_unrecognised',
    reads: 'X-EWS-Policy-Reason with a value other than the two Microsoft documents',
    match: (s) =>
      s.policyReason && !/disabled for this user or tenant|blocked by policy/i.test(s.policyReason)
        ? {
            confidence: 'medium',
            because: ['Exchange sends X-EWS-Policy-Reason only when an EWS access control refused the call'],
          }
        : null,
    summary: (s) =>
      `Exchange refused EWS by policy (X-EWS-Policy-Reason: ${s.policyReason ?? ''}), with a reason Microsoft does not document; Get-OrganizationConfig and Get-CASMailbox tell which control it is.`,
    fix: (t) => [...FIXES.enableOrganizationEws(t), ...FIXES.allowListApp(t)],
    docs: [DOCS.ewsAccessControl, DOCS.ewsRetirement],
  },
  {
    id: 'ews-bare-403-scope',
    cause: 'mailbox_out_of_scope',
    reads:
      'EWS 403 without X-EWS-Policy-Reason or SOAP body (exchangelib "Unknown failure in response. Code: 403", EWS Managed API "(403) Forbidden"); other mailboxes; the allow list',
    match: (s, cycle) => {
      // Application Access Policies and RBAC for Applications scope app-only tokens of work or school mailboxes only.
      if (!bare403(s) || s.authMode === 'delegated' || consumerMailbox(s)) return null;
      if (worksForAnotherMailbox(s, cycle))
        return {
          confidence: 'high',
          detail: scopeDetail(s),
          because: ['another canary answers EWS in the same cycle, so the app is refused for this mailbox only'],
        };
      if (cycle.controlPlane?.appInAllowList === false) return null;
      // Since the default block of 2026-10-01, a bare 403 to an app holding full_access_as_app is more often EWS blocked.
      const blockedIsLikelier =
        after(s, EWS_ENFORCEMENT_START) && hasFullAccessAsApp(s) && cycle.controlPlane?.appInAllowList !== true;
      return { confidence: blockedIsLikelier ? 'low' : 'medium', detail: scopeDetail(s), because: [] };
    },
    summary: (s, m) =>
      m.confidence === 'high'
        ? `The app may use EWS, but not on ${mailboxOf(s)}: the mailbox is outside its RBAC for Applications scope or Application Access Policy.`
        : `Exchange refused EWS with a bare 403 (no X-EWS-Policy-Reason): most often the mailbox is outside the app's Application Access Policy or RBAC scope. An X-EWS-Policy-Reason header on the same answer would mean the EWS access controls instead; Test-ServicePrincipalAuthorization / Test-ApplicationAccessPolicy tell.`,
    fix: scopeFix,
    docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy, DOCS.ewsAccessControl],
  },
  {
    id: 'ews-bare-403-user-token',
    cause: 'other',
    detail: 'user_token_refused',
    reads: 'EWS 403 without X-EWS-Policy-Reason or SOAP body to a user (delegated) token',
    match: (s, cycle) =>
      bare403Everywhere(s, cycle) && s.authMode === 'delegated'
        ? { confidence: 'low', because: ['the call carried a user (delegated) token, which no app scope limits'] }
        : null,
    summary: () =>
      "Exchange refused a user's token with a bare 403. For a user sign-in this is most often an account EWS does not serve (a personal outlook.com account, a mailbox without Exchange Online) or an Outlook add-in's EWS proxy refusing the call; a token issued for another resource, or EWS blocked by the tenant's access controls, look the same.",
    fix: (t) => [
      'Decode the access token (jwt.ms): aud must be https://outlook.office365.com and scp must hold EWS.AccessAsUser.All.',
      ...FIXES.allowListApp(t).slice(0, 1),
    ],
    docs: [DOCS.ewsOAuth, DOCS.ewsAccessControl],
  },
  {
    id: 'ews-bare-403-user-token-audience',
    cause: 'wrong_audience',
    detail: 'user_token_for_another_resource',
    reads: 'EWS 403 without X-EWS-Policy-Reason to a user token whose audience is not shown',
    match: (s, cycle) =>
      bare403Everywhere(s, cycle) && s.authMode === 'delegated' && !s.claims
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      'A user token asked with a short scope (EWS.AccessAsUser.All without the resource) is issued for Microsoft Graph, and EWS refuses it with 403; the scope must be https://outlook.office365.com/EWS.AccessAsUser.All.',
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.ewsOAuth, DOCS.accessTokens],
  },
  {
    id: 'ews-bare-403-controls',
    cause: 'ews_disabled',
    reads: 'EWS 403 without X-EWS-Policy-Reason: the second reading, decided by the allow list and the date',
    match: (s, cycle) => {
      if (!bare403Everywhere(s, cycle)) return null;
      if (cycle.controlPlane?.appInAllowList === false) {
        const graphWorks = cycle.all.some((o) => o.endpoint === 'graph' && o.ok);
        return {
          confidence: 'high',
          detail: 'app_not_in_ews_allowed_app_ids',
          because: [`EwsAllowedAppIDs does not list this app${graphWorks ? ', while Graph answers' : ''}`],
        };
      }
      if (after(s, EWS_SHUTDOWN))
        return { confidence: 'medium', detail: 'ews_retired', because: ['observed after 2027-04-01'] };
      const allowed =
        cycle.controlPlane?.appInAllowList === true && cycle.controlPlane.organizationEwsEnabled !== false;
      return {
        confidence: after(s, EWS_ENFORCEMENT_START) && !allowed ? 'medium' : 'low',
        detail: 'app_or_user_agent_blocked',
        because:
          after(s, EWS_ENFORCEMENT_START) && hasFullAccessAsApp(s) && !allowed
            ? [
                'observed after 2026-10-01, when EWS became blocked by default for apps not on EwsAllowedAppIDs, with full_access_as_app in the token',
              ]
            : [],
      };
    },
    summary: (_s, m) => EWS_DISABLED_SUMMARY[m.detail ?? ''] ?? EWS_DISABLED_SUMMARY.app_or_user_agent_blocked!,
    fix: ewsDisabledFix,
    docs: [DOCS.ewsAccessControl, DOCS.ewsRetirement],
  },
  {
    id: 'ews-bare-403-no-role',
    cause: 'missing_app_permission',
    detail: 'full_access_as_app_not_granted',
    reads: 'EWS 403 without X-EWS-Policy-Reason to an app whose token roles are not shown: the third reading',
    match: (s, cycle) =>
      bare403Everywhere(s, cycle) && s.authMode !== 'delegated' && !s.claims
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      "Or the app holds no full_access_as_app (or its admin consent): the token's roles claim (jwt.ms) tells.",
    fix: (t) => FIXES.grantFullAccessAsApp(t),
    docs: [DOCS.ewsOAuth, DOCS.adminConsent],
  },
  {
    id: 'ews-access-denied',
    cause: 'mailbox_out_of_scope',
    reads: 'EWS ErrorAccessDenied; other mailboxes',
    match: (s, cycle) =>
      s.endpoint === 'ews' && s.soapCodes.includes('ErrorAccessDenied')
        ? { confidence: worksForAnotherMailbox(s, cycle) ? 'high' : 'medium', detail: scopeDetail(s), because: [] }
        : null,
    summary: (s) =>
      `Exchange denied the app access to ${mailboxOf(s)} (ErrorAccessDenied): the mailbox is outside the app's scope, or the app lacks rights for the operation.`,
    fix: scopeFix,
    docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy, DOCS.ewsResponseCodes],
  },
  {
    id: 'ews-impersonation-denied',
    cause: 'missing_app_permission',
    detail: 'impersonation_not_permitted',
    reads: 'EWS ErrorImpersonateUserDenied "The account does not have permission to impersonate the requested user."',
    match: (s) =>
      code(s, 'ErrorImpersonateUserDenied') || has(s, /does not have permission to impersonate/i)
        ? hasFullAccessAsApp(s)
          ? null
          : { confidence: 'medium', because: [] }
        : null,
    summary: () =>
      'The caller may not impersonate the mailbox. The ApplicationImpersonation role was retired in February 2025: move to an app-only token with full_access_as_app (or RBAC for Applications "Application EWS.AccessAsApp").',
    fix: (t) => FIXES.grantFullAccessAsApp(t),
    docs: [DOCS.ewsImpersonation, DOCS.ewsOAuth],
  },
  {
    id: 'ews-impersonation-denied-scope',
    cause: 'mailbox_out_of_scope',
    reads: 'EWS ErrorImpersonateUserDenied with full_access_as_app in the token',
    match: (s) =>
      (code(s, 'ErrorImpersonateUserDenied') || has(s, /does not have permission to impersonate/i)) &&
      hasFullAccessAsApp(s)
        ? { confidence: 'medium', detail: scopeDetail(s), because: ['the token holds full_access_as_app'] }
        : null,
    summary: (s) =>
      `The app holds full_access_as_app but may not open ${mailboxOf(s)}: an Application Access Policy or RBAC scope excludes it.`,
    fix: scopeFix,
    docs: [DOCS.applicationAccessPolicy, DOCS.rbacForApplications],
  },
  {
    id: 'ews-impersonation-header-missing',
    cause: 'missing_impersonation_header',
    detail: 'exchange_impersonation_header_missing',
    reads:
      'ErrorInvalidExchangeImpersonationHeaderData / "ExchangeImpersonation SOAP header must be present for this type of OAuth token."; whether impersonation was sent',
    match: (s) =>
      code(s, 'ErrorInvalidExchangeImpersonationHeaderData') ||
      has(s, /ExchangeImpersonation SOAP header must be present/i)
        ? {
            confidence: 'high',
            because: s.impersonation === false ? ['the request carried no ExchangeImpersonation header'] : [],
          }
        : null,
    summary: () =>
      'App-only EWS calls must say which mailbox they act on: the ExchangeImpersonation SOAP header (and the X-AnchorMailbox HTTP header) was missing.',
    fix: (t) => FIXES.addImpersonation(t),
    docs: [DOCS.ewsOAuth, DOCS.ewsImpersonation],
  },
  {
    id: 'ews-impersonation-header-unexpected',
    cause: 'missing_impersonation_header',
    detail: 'anchor_mailbox_missing',
    reads: '"ExchangeImpersonation SOAP header must not exist for this type of OAuth token."',
    match: (s) =>
      has(s, /ExchangeImpersonation SOAP header must not exist/i) ? { confidence: 'medium', because: [] } : null,
    summary: () =>
      'Exchange did not accept the impersonation on this token: most often the X-AnchorMailbox header is missing so the call was routed away from the mailbox; with a delegated (user) token, impersonation must not be sent at all.',
    fix: (t) => FIXES.addImpersonation(t),
    docs: [DOCS.ewsImpersonation],
  },
  {
    id: 'ews-mailbox-routing',
    cause: 'other',
    detail: 'mailbox_routing',
    reads:
      '"ExchangeImpersonation SOAP header must not exist for this type of OAuth token." (second reading); "the ExchangePrincipal object contains outdated information"',
    match: (s) =>
      has(s, /ExchangePrincipal object contains outdated information|mailbox may have been moved recently/i)
        ? { confidence: 'medium', because: [] }
        : has(s, /ExchangeImpersonation SOAP header must not exist/i)
          ? { confidence: 'low', because: [] }
          : null,
    summary: () =>
      "Exchange routed the call to a server that does not hold the mailbox (it moved between servers or forests); this clears on Microsoft's side, sooner with X-AnchorMailbox and X-PreferServerAffinity on every request.",
    fix: (t) => FIXES.addImpersonation(t),
    docs: [DOCS.ewsImpersonation],
  },
];
