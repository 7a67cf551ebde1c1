// The diagnosis rules as data: each names its cause, the evidence it reads, when it matches, and the fix.
// Grown by adding rows. Order matters only between matches of equal confidence: deeper causes come first.
import type { Cause } from '../causes';
import { EWS_ENFORCEMENT_START, EWS_SHUTDOWN } from '../ews-timeline';
import type { ControlPlaneFacts } from '../probes/control-plane';
import { DOCS, FIXES, type FixTarget } from './fixes';
import { audienceMismatch, audienceResource, hasFullAccessAsApp, isIdentityError, type Signals } from './signals';

export type Confidence = 'high' | 'medium' | 'low';

/** Everything seen in one tenant's cycle, for rules that weigh one call against the others. */
export interface Cycle {
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
  match: (s: Signals, cycle: Cycle) => Match | null;
  summary: (s: Signals, m: Match) => string;
  fix: (t: FixTarget, s: Signals, m: Match) => readonly string[];
  docs: readonly string[];
  /** The cause is tenant-health's own infrastructure, not the tenant (shared/diagnosis/engine.ts Finding.origin). */
  ours?: true;
}

const MAIL_ROLES = ['Mail.Read', 'Mail.ReadBasic', 'Mail.ReadBasic.All', 'Mail.ReadWrite', 'Mail.Send'];

const has = (s: Signals, pattern: RegExp) => pattern.test(s.text);
const code = (s: Signals, ...codes: string[]) => codes.some((c) => s.graphCode === c || s.soapCodes.includes(c) || new RegExp(`\\b${c}\\b`).test(s.text));
const aadsts = (s: Signals, ...codes: number[]) => codes.find((c) => s.aadsts.includes(c));
const at = (s: Signals) => (s.observedAt === undefined ? undefined : s.observedAt * 1000);
const after = (s: Signals, instant: number) => at(s) !== undefined && at(s)! >= instant;
const mailboxOf = (s: Signals) => s.mailbox ?? 'the mailbox';
const isAuthFailure = (s: Signals) => s.status === 401 || s.status === 403 || (s.status === null && s.failed);

/** Another canary answered the same kind of call in this cycle. */
const worksForAnotherMailbox = (s: Signals, cycle: Cycle) =>
  s.mailbox !== undefined && cycle.all.some((o) => o.endpoint === s.endpoint && o.ok && o.mailbox !== undefined && o.mailbox.toLowerCase() !== s.mailbox!.toLowerCase());

/** Every app-only token of the cycle, by the resource it was issued for. */
function tokensByResource(cycle: Cycle): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const o of cycle.all) {
    if (o.tokenKind !== 'app' || !o.claims?.aud) continue;
    const resource = audienceResource(o.claims.aud) ?? 'other';
    found.set(resource, [...new Set([...(found.get(resource) ?? []), ...o.roles])]);
  }
  return found;
}

const rolesOn = (s: Signals) => (s.roles.length ? s.roles.join(', ') : 'none');

/** A predicate of one AADSTS family: the first code found decides confidence. */
function aadstsRule(rule: Omit<Rule, 'match'> & { codes: Partial<Record<number, Confidence>>; phrase?: RegExp }): Rule {
  const { codes, phrase, ...rest } = rule;
  return {
    ...rest,
    match: (s) => {
      const found = aadsts(s, ...Object.keys(codes).map(Number));
      if (found !== undefined) return { confidence: codes[found]!, because: [] };
      // Some renderings keep Entra's sentence but drop the code.
      return phrase && has(s, phrase) ? { confidence: 'high', because: [] } : null;
    },
  };
}

function ewsDisabledDetail(s: Signals, cycle: Cycle): { detail: string; because: string[] } {
  const plane = cycle.controlPlane;
  if (after(s, EWS_SHUTDOWN)) return { detail: 'ews_retired', because: ['observed after 2027-04-01, when EWS in Exchange Online was switched off'] };
  if (plane?.organizationEwsEnabled === false) return { detail: 'ews_disabled_for_organization', because: ['Get-OrganizationConfig: EwsEnabled False'] };
  const mailboxSetting = s.mailbox ? Object.entries(plane?.mailboxEwsEnabled ?? {}).find(([m]) => m.toLowerCase() === s.mailbox!.toLowerCase())?.[1] : undefined;
  if (mailboxSetting === false) return { detail: 'ews_disabled_for_mailbox', because: [`Get-CASMailbox ${s.mailbox}: EwsEnabled False`] };
  if (plane?.organizationEwsEnabled !== undefined && mailboxSetting !== undefined && after(s, EWS_ENFORCEMENT_START)) {
    return { detail: 'frontline_license', because: [`EwsEnabled is ${String(plane.organizationEwsEnabled)} for the organization and ${String(mailboxSetting)} for ${s.mailbox}, so the block comes from the mailbox's licence (Kiosk, F1 or F3 lose EWS from 2026-10-01)`] };
  }
  return { detail: 'ews_disabled_for_organization_or_mailbox', because: [] };
}

function ewsBlockedDetail(s: Signals, cycle: Cycle): { detail: string; because: string[] } {
  const plane = cycle.controlPlane;
  if (after(s, EWS_SHUTDOWN)) return { detail: 'ews_retired', because: ['observed after 2027-04-01, when EWS in Exchange Online was switched off'] };
  if (plane?.appInAllowList === false) return { detail: 'app_not_in_ews_allowed_app_ids', because: [`EwsAllowedAppIDs lists ${plane.ewsAllowedAppIds?.length ?? 0} app(s), not this one`] };
  if (plane?.organizationEwsEnabled === true && !plane.ewsAllowedAppIds?.length && after(s, EWS_ENFORCEMENT_START)) {
    return { detail: 'ews_allowed_app_ids_empty', because: ['EwsEnabled True with an empty EwsAllowedAppIDs blocks every app since 2026-10-01'] };
  }
  if (plane?.ewsApplicationAccessPolicy) return { detail: 'user_agent_not_allowed', because: [`EwsApplicationAccessPolicy ${plane.ewsApplicationAccessPolicy} while the app id is allowed`] };
  const graphODataBlocked = cycle.all.some((o) => o.endpoint === 'graph' && /Access to OData is disabled\.?(?!:)/i.test(o.text) && !/RAOP|AccessPolicy/i.test(o.text));
  if (graphODataBlocked) return { detail: 'user_agent_not_allowed', because: ['Graph mail calls are refused with "Access to OData is disabled." too: the user-agent lists govern EWS and REST alike'] };
  return { detail: 'app_or_user_agent_blocked', because: [] };
}

function scopeDetail(s: Signals): string {
  // Entra consents are not narrowed by RBAC scopes, so a scoped failure with an Entra role in the token is an access policy.
  const entraRole = s.endpoint === 'ews' ? hasFullAccessAsApp(s) : s.roles.some((r) => MAIL_ROLES.includes(r));
  if (s.claims) return entraRole ? 'outside_application_access_policy' : 'outside_rbac_scope';
  return 'outside_application_access_policy_or_rbac_scope';
}

/** Graph says more about a missing mailbox than EWS or the admin API: a licence or an on-premises mailbox. */
function missingMailboxDetail(s: Signals, cycle: Cycle): Pick<Match, 'detail' | 'because'> {
  const graph = cycle.all.find((o) => o.endpoint === 'graph' && o.mailbox !== undefined && o.mailbox.toLowerCase() === s.mailbox?.toLowerCase() && /MailboxNotEnabledForRESTAPI|inactive, soft-deleted/i.test(o.text));
  return graph ? { detail: 'mailbox_not_licensed', because: ['Graph finds the user but no usable mailbox (MailboxNotEnabledForRESTAPI)'] } : { because: [] };
}

const notLicensedSummary = (s: Signals) => `The user ${mailboxOf(s)} exists but has no usable Exchange Online mailbox: no Exchange Online licence, an inactive or soft-deleted mailbox, or one hosted on-premises.`;
const noMailboxSummary = (s: Signals, m: Match) => (m.detail === 'mailbox_not_licensed' ? notLicensedSummary(s) : `Exchange has no mailbox for ${mailboxOf(s)} (a typo, a removed user, a mail user or guest, or a secondary address).`);
const missingMailboxFix = (t: FixTarget, _s: Signals, m: Match) => (m.detail === 'mailbox_not_licensed' ? [...FIXES.checkMailbox(t), `Assign an Exchange Online licence to the user if it has none: ${DOCS.assignLicenses}`] : FIXES.checkMailbox(t));

const scopeFix = (t: FixTarget, _s: Signals, m: Match) =>
  m.detail === 'outside_rbac_scope' ? FIXES.rbacScope(t) : m.detail === 'outside_application_access_policy' ? FIXES.applicationAccessPolicy(t) : [...FIXES.applicationAccessPolicy(t).slice(0, 1), ...FIXES.rbacScope(t).slice(0, 1)];

const ewsDisabledFix = (t: FixTarget, _s: Signals, m: Match): readonly string[] => {
  switch (m.detail) {
    case 'ews_retired': return FIXES.migrateToGraph();
    case 'ews_disabled_for_organization': return FIXES.enableOrganizationEws(t);
    case 'ews_disabled_for_mailbox': return FIXES.enableMailboxEws(t);
    case 'frontline_license': return FIXES.frontlineLicence(t);
    case 'app_not_in_ews_allowed_app_ids':
    case 'ews_allowed_app_ids_empty': return FIXES.allowListApp(t);
    case 'user_agent_not_allowed': return FIXES.userAgentList(t);
    case 'app_or_user_agent_blocked': return [...FIXES.allowListApp(t), ...FIXES.userAgentList(t)];
    default: return [...FIXES.enableOrganizationEws(t), ...FIXES.enableMailboxEws(t).slice(1)];
  }
};

const EWS_DISABLED_SUMMARY: Record<string, string> = {
  ews_retired: 'EWS in Exchange Online has been switched off for good (1 April 2027); no setting brings it back.',
  ews_disabled_for_organization: 'EWS is switched off for the whole organization (Set-OrganizationConfig -EwsEnabled $false).',
  ews_disabled_for_mailbox: 'EWS is switched off for this mailbox (Set-CASMailbox -EwsEnabled $false).',
  frontline_license: 'EWS is blocked for this mailbox although the organization and mailbox settings allow it: since 1 October 2026 mailboxes licensed only with Kiosk, F1 or F3 cannot use EWS.',
  ews_disabled_for_organization_or_mailbox: 'Exchange refused EWS because it is disabled for the organization or for this mailbox (X-EWS-Policy-Reason); Get-OrganizationConfig and Get-CASMailbox tell which.',
  app_not_in_ews_allowed_app_ids: 'EWS is restricted to the apps in EwsAllowedAppIDs and this app is not among them.',
  ews_allowed_app_ids_empty: 'EwsEnabled is True but EwsAllowedAppIDs is empty, which since 1 October 2026 blocks every app.',
  user_agent_not_allowed: 'The app id is allowed, but the organization\'s user-agent list (EwsApplicationAccessPolicy with EwsAllowList/EwsBlockList) refuses this client; the same lists block Graph mail calls.',
  app_or_user_agent_blocked: 'Exchange blocked EWS by policy: either this app is not in EwsAllowedAppIDs or its user agent fails the EwsAllowList/EwsBlockList; the control plane (Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy) tells which.',
};

export const RULES: readonly Rule[] = [
  // Our own infrastructure: not the tenant's fault, but nothing else can run without it.
  {
    id: 'identity-unavailable', cause: 'other', detail: 'identity_unavailable', ours: true,
    reads: '@azure/identity CredentialUnavailableError / AuthenticationError while reading Key Vault or getting a federated assertion',
    match: (s) => (s.ours && isIdentityError(s) ? { confidence: 'high', because: [] } : null),
    summary: () => 'tenant-health\'s own identity could not get a token (no managed identity on this host, its endpoint failing, or no az login on a laptop); the tenant was not checked.',
    fix: () => FIXES.ownIdentity(), docs: [DOCS.managedIdentity],
  },
  {
    id: 'key-vault-secret-missing', cause: 'other', detail: 'key_vault_secret_missing',
    reads: 'Key Vault answer 404 / SecretNotFound',
    match: (s) => (s.endpoint === 'keyvault' && (s.status === 404 || code(s, 'SecretNotFound')) ? { confidence: 'high', because: [] } : null),
    summary: () => 'The tenant\'s app credential is not in Key Vault under the name the tenant definition gives, so no check could run.',
    fix: () => FIXES.keyVaultSecret(), docs: [DOCS.keyVaultAccess],
  },
  {
    id: 'key-vault-access-denied', cause: 'other', detail: 'key_vault_access_denied', ours: true,
    reads: 'Key Vault answer 401/403 or Forbidden',
    match: (s) => (s.endpoint === 'keyvault' && (s.status === 401 || s.status === 403 || code(s, 'Forbidden')) ? { confidence: 'high', because: [] } : null),
    summary: () => 'tenant-health could not read the credential from Key Vault: its identity lacks access to the vault.',
    fix: () => FIXES.keyVaultAccess(), docs: [DOCS.keyVaultAccess],
  },
  {
    id: 'key-vault-unavailable', cause: 'other', detail: 'key_vault_unavailable', ours: true,
    reads: 'Key Vault: no answer in time, a 5xx, a network error, or an answer over the cap',
    match: (s) => (s.ours && s.endpoint === 'keyvault' ? { confidence: 'high', because: [] } : null),
    summary: (s) => `tenant-health's Key Vault did not give the credential (${s.errorName === 'DeadlineExceeded' ? 'no answer before the check deadline' : s.status !== null ? `HTTP ${s.status}` : 'no answer'}); the tenant was not checked.`,
    fix: () => FIXES.keyVaultUnavailable(), docs: [DOCS.keyVaultThrottling],
  },

  // A probe that got an answer which proves nothing, or no answer before the deadline.
  {
    id: 'deadline-exceeded', cause: 'other', detail: 'tenant_deadline_exceeded',
    reads: 'the tenant\'s check deadline cut the call off, or passed before it was sent',
    match: (s) => (s.errorCode === 'tenant_deadline_exceeded' ? { confidence: 'medium', because: [] } : null),
    summary: () => 'The tenant\'s checks did not finish within the check deadline (TENANT_DEADLINE_SECONDS): a service answered too slowly, or a throttling wait used the time up.',
    fix: () => FIXES.slowService(), docs: [DOCS.serviceHealth],
  },
  {
    id: 'unexpected-redirect', cause: 'other', detail: 'unexpected_redirect',
    reads: 'a 3xx where the service answers directly',
    match: (s) => (s.errorName === 'UnexpectedRedirect' ? { confidence: 'medium', because: [] } : null),
    summary: (s) => `${s.label} was redirected instead of answered: a proxy, captive portal or TLS-inspecting gateway between tenant-health and Microsoft, or a wrong endpoint URL.`,
    fix: () => FIXES.network(), docs: [DOCS.office365Endpoints],
  },
  {
    id: 'unreadable-answer', cause: 'other', detail: 'unreadable_answer',
    reads: 'a 2xx whose body is cut, not the expected format, too large, or without the element the probe looks for',
    match: (s) => (s.errorName === 'UnreadableAnswer' || s.errorName === 'UnexpectedAnswer' ? { confidence: 'medium', because: [], ...(s.errorCode ? { detail: s.errorCode } : {}) } : null),
    summary: (s) => `${s.label} answered, but not with what proves the call works (a cut, empty or oversized body, or the wrong content); something between us and the service may be rewriting answers, or the service is failing.`,
    fix: () => FIXES.network(), docs: [DOCS.serviceHealth],
  },

  // Entra ID refused the token request.
  aadstsRule({
    id: 'aadsts-client-secret-expired', cause: 'invalid_client_credentials', detail: 'client_secret_expired', codes: { 7000222: 'high' },
    phrase: /client secret keys for app .* are expired/i,
    reads: 'AADSTS7000222',
    summary: () => 'The app\'s client secret has expired.', fix: (t) => FIXES.newSecret(t), docs: [DOCS.appCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-client-secret-wrong', cause: 'invalid_client_credentials', detail: 'client_secret_wrong', codes: { 7000215: 'high', 50012: 'medium', 70002: 'medium' },
    reads: 'AADSTS7000215 (or the older AADSTS50012 / AADSTS70002 "Error validating credentials")',
    summary: () => 'Entra ID rejected the client secret: it is wrong, or the secret\'s ID was stored instead of its value.',
    fix: (t) => FIXES.newSecret(t), docs: [DOCS.appCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-certificate', cause: 'invalid_client_credentials', detail: 'certificate_not_registered', codes: { 700027: 'high', 700023: 'medium' },
    reads: 'AADSTS700027',
    summary: () => 'Entra ID rejected the client assertion: the certificate that signed it is not registered on the app, or has expired.',
    fix: (t) => FIXES.certificate(t), docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-federated-credential', cause: 'invalid_client_credentials', detail: 'federated_credential_mismatch', codes: { 70021: 'high', 700211: 'high', 700212: 'high', 700213: 'high' },
    reads: 'AADSTS70021 / 700211 / 700212 / 700213',
    summary: () => 'No federated credential on the app matches the issuer and subject of the token tenant-health presented.',
    fix: (t) => FIXES.federated(t), docs: [DOCS.workloadIdentityFederation, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-assertion-time', cause: 'invalid_client_credentials', detail: 'client_assertion_out_of_time_range', codes: { 700024: 'medium' },
    reads: 'AADSTS700024',
    summary: () => 'The client assertion is outside its valid time range: the signing machine\'s clock is off, or a federated token expired before use.',
    fix: (t) => [...FIXES.refreshToken(), ...FIXES.federated(t)], docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-no-credential', cause: 'invalid_client_credentials', detail: 'credential_not_sent', codes: { 7000218: 'high', 7000216: 'high' },
    reads: 'AADSTS7000218 / 7000216',
    summary: () => 'The token request carried no client secret or assertion.',
    fix: () => FIXES.clientCredentialSent(), docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-app-not-found', cause: 'app_or_tenant_not_found', detail: 'app_not_in_tenant', codes: { 700016: 'high', 70001: 'high', 7000229: 'high', 50194: 'medium', 7000112: 'medium' },
    phrase: /Application with identifier .* was not found in the directory/i,
    reads: 'AADSTS700016 / 70001 / 7000229 / 50194 / 7000112',
    summary: () => 'Entra ID does not know this client id in this tenant (not registered, not consented in the tenant, or disabled).',
    fix: (t) => FIXES.appInTenant(t), docs: [DOCS.adminConsent, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-tenant-not-found', cause: 'app_or_tenant_not_found', detail: 'tenant_not_found', codes: { 90002: 'high', 900023: 'high', 90072: 'medium', 50059: 'medium' },
    phrase: /Tenant '.*' not found/i,
    reads: 'AADSTS90002 / 900023 / 50059',
    summary: () => 'Entra ID does not know this tenant in this cloud: the tenant id or domain is wrong, or the tenant lives in another cloud.',
    fix: (t) => FIXES.tenantId(t), docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-conditional-access', cause: 'conditional_access_or_network_block', codes: { 53003: 'high', 53000: 'high', 53001: 'high', 53002: 'high', 53004: 'high', 530032: 'high', 50076: 'medium', 50079: 'medium', 50158: 'medium', 50097: 'medium' },
    phrase: /blocked by Conditional Access/i,
    reads: 'AADSTS53003 and the 53xxx family; 50076/50079/50158 (MFA or external challenge); "blocked by Conditional Access"',
    summary: () => 'A Conditional Access policy blocked token issuance for this app (workload identity policy, location or IP range).',
    fix: (t) => FIXES.conditionalAccess(t), docs: [DOCS.workloadConditionalAccess, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-resource-not-in-tenant', cause: 'wrong_audience', detail: 'resource_principal_not_in_tenant', codes: { 500011: 'high', 650052: 'medium', 50001: 'medium' },
    reads: 'AADSTS500011 / 650052 / 50001',
    summary: () => 'The token was asked for a resource the tenant does not have: a mistyped scope or resource URI (e.g. /EWS/Exchange.asmx in the scope, or the wrong cloud\'s host), or Exchange Online is not provisioned in the tenant.',
    fix: (t) => FIXES.tokenScope(t), docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-invalid-scope', cause: 'wrong_audience', detail: 'invalid_scope', codes: { 70011: 'high', 1002012: 'high', 28002: 'medium' },
    reads: 'AADSTS70011 / 1002012',
    summary: () => 'The scope asked of the token endpoint is not valid for client credentials: it must be the resource\'s URI followed by /.default.',
    fix: (t) => FIXES.tokenScope(t), docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-consent', cause: 'missing_app_permission', detail: 'admin_consent_missing', codes: { 65001: 'high', 65004: 'medium', 90094: 'medium' },
    reads: 'AADSTS65001 / 65004 / 90094',
    summary: () => 'The permissions the app asks for have not been consented in this tenant.',
    fix: (t) => FIXES.consent(t), docs: [DOCS.adminConsent, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-grant-expired', cause: 'token_expired', detail: 'grant_expired', codes: { 700082: 'medium', 70008: 'medium', 50132: 'medium' },
    reads: 'AADSTS700082 / 70008 / 50132',
    summary: () => 'The refresh token or grant presented has expired or was revoked.',
    fix: () => FIXES.refreshToken(), docs: [DOCS.accessTokens, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-user-sign-in', cause: 'other', detail: 'user_sign_in_failed', codes: { 50126: 'medium', 50034: 'medium', 50053: 'medium', 50055: 'medium', 50057: 'medium', 50056: 'medium' },
    reads: 'AADSTS50126 / 50034 / 50053 / 50055 / 50057 (a user sign-in, not an app)',
    summary: () => 'A user name and password sign-in failed (wrong password, locked, disabled or expired account); app-only access does not use a user at all.',
    fix: (t) => FIXES.basicAuth(t), docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),

  // The token reached the service but was not accepted.
  {
    id: 'token-expired-by-claims', cause: 'token_expired', detail: 'token_used_after_expiry',
    reads: 'token claim exp earlier than observedAt, on a 401',
    // An expired token is refused with 401; a 403 means the token was accepted and something else refused.
    match: (s) => (s.claims?.exp !== undefined && s.observedAt !== undefined && s.claims.exp < s.observedAt && (s.status === 401 || (s.status === null && s.failed)) && s.endpoint !== 'token'
      ? { confidence: 'high', because: [`token exp ${new Date(s.claims.exp * 1000).toISOString()} is before the call at ${new Date(s.observedAt * 1000).toISOString()}`] } : null),
    summary: () => 'The access token had expired when it was used.',
    fix: () => FIXES.refreshToken(), docs: [DOCS.accessTokens],
  },
  {
    id: 'token-expired-message', cause: 'token_expired', detail: 'token_used_after_expiry',
    reads: '"Lifetime validation failed, the token is expired." / "Access token has expired" / IDX10223',
    match: (s) => {
      if (has(s, /Lifetime validation failed|token is expired|Access token has expired|token has expired|IDX10223|ExpiredAuthenticationToken/i)) return { confidence: 'high', because: [] };
      if (has(s, /missing, malformed or expired/i)) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: (_s, m) => (m.confidence === 'high' ? 'The service rejected the access token as expired.' : 'The service rejected the access token as missing, malformed or expired; the token\'s exp claim against the call\'s time tells which.'),
    fix: () => FIXES.refreshToken(), docs: [DOCS.accessTokens],
  },
  {
    id: 'audience-by-claims', cause: 'wrong_audience',
    reads: 'token claim aud against the resource called, on a 401/403',
    match: (s) => {
      const aud = audienceMismatch(s);
      if (!aud || !isAuthFailure(s)) return null;
      const detail = s.resource === 'exchange' && audienceResource(aud) === 'graph' ? 'graph_token_sent_to_ews' : s.resource === 'graph' && audienceResource(aud) === 'exchange' ? 'exchange_token_sent_to_graph' : 'token_for_other_resource';
      return { confidence: 'high', detail, because: [`token aud ${aud}, but the call went to ${s.resource === 'exchange' ? 'Exchange Online' : 'Microsoft Graph'}`] };
    },
    summary: (s) => `The token presented was issued for ${s.claims?.aud ?? 'another resource'}, not for ${s.resource === 'exchange' ? 'Exchange Online (https://outlook.office365.com)' : 'Microsoft Graph (https://graph.microsoft.com)'}.`,
    fix: (t) => FIXES.tokenScope(t), docs: [DOCS.accessTokens, DOCS.ewsOAuth],
  },
  {
    id: 'audience-message', cause: 'wrong_audience', detail: 'token_for_other_resource',
    reads: 'x-ms-diagnostics 2000003, "Invalid audience", InvalidAudienceForResource, IDX10214',
    match: (s) => (s.diagnostics?.code === 2000003 || has(s, /audience claim value is invalid|Invalid audience|InvalidAudienceForResource|IDX10214/i) ? { confidence: 'high', because: [] } : null),
    summary: () => 'The service rejected the token because it was issued for another resource (its aud claim).',
    fix: (t) => FIXES.tokenScope(t), docs: [DOCS.accessTokens, DOCS.ewsOAuth],
  },
  {
    id: 'auth-strength', cause: 'other', detail: 'auth_strength_too_weak',
    reads: 'x-ms-diagnostics 2000010 / insufficient_auth_strength',
    match: (s) => (s.diagnostics?.code === 2000010 || has(s, /insufficient_auth_strength|authentication method that is too weak/i) ? { confidence: 'high', because: [] } : null),
    summary: () => 'The token was obtained with a credential too weak for this resource (a client secret where a certificate is required).',
    fix: (t) => FIXES.certificate(t), docs: [DOCS.certificateCredentials],
  },

  // Permissions in the token.
  {
    id: 'app-token-without-roles', cause: 'delegated_permission_only', detail: 'token_without_app_role',
    reads: 'an app-only token (no scp) without roles, refused with 401/403 (x-ms-diagnostics 2000008, NoPermissionsInAccessToken, Access is denied); the app\'s other tokens in the cycle',
    match: (s, cycle) => {
      if (s.tokenKind !== 'app' || s.roles.length > 0 || !isAuthFailure(s) || s.endpoint === 'token' || audienceMismatch(s)) return null;
      const elsewhere = [...tokensByResource(cycle)].filter(([resource, roles]) => resource !== s.resource && roles.length > 0);
      if (elsewhere.length > 0) return null; // app-permission-missing explains it: the app does use application permissions
      const resourceName = s.resource === 'graph' ? 'graph' : 'ews';
      const others = cycle.all.filter((o) => o.tokenKind === 'app' && o.claims?.aud && audienceResource(o.claims.aud) !== s.resource);
      return {
        confidence: 'high', detail: `${resourceName}_token_without_app_role`,
        because: [`app-only token for ${s.claims?.aud ?? 'the resource'} carries no roles and no scp`, ...(others.length ? ['the app\'s tokens for other resources carry no roles either'] : [])],
      };
    },
    summary: (s) => `The app-only token carries no application permission at all: the app has only delegated permissions (such as ${s.resource === 'graph' ? 'Mail.Read (delegated)' : 'EWS.AccessAsUser.All'}) or none consented, so ${s.resource === 'graph' ? 'Microsoft Graph' : 'Exchange'} refuses it.`,
    fix: (t, s) => (s.resource === 'graph' ? FIXES.grantGraphMailRole(t) : FIXES.grantFullAccessAsApp(t)), docs: [DOCS.ewsOAuth, DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'app-permission-missing', cause: 'missing_app_permission',
    reads: 'a 401/403 with an app-only token whose roles lack the role the call needs, while the app holds application roles (here or for another resource)',
    match: (s, cycle) => {
      if (s.tokenKind !== 'app' || !isAuthFailure(s) || s.endpoint === 'token' || audienceMismatch(s) || worksForAnotherMailbox(s, cycle)) return null;
      const appRoles = [...tokensByResource(cycle)].some(([, roles]) => roles.length > 0) || s.roles.length > 0;
      if (!appRoles) return null;
      if (s.endpoint === 'ews' && !hasFullAccessAsApp(s) && (s.status === 401 || s.diagnostics?.code === 2000008)) {
        return { confidence: 'high', detail: 'full_access_as_app_not_granted', because: [`Exchange token roles: ${rolesOn(s)}; no full_access_as_app`] };
      }
      if (s.endpoint === 'ews' && !hasFullAccessAsApp(s) && s.status === 403) {
        return { confidence: 'medium', detail: 'full_access_as_app_not_granted', because: [`Exchange token roles: ${rolesOn(s)}; no full_access_as_app, and no mailbox answered EWS (an RBAC for Applications grant out of scope would look the same)`] };
      }
      if (s.endpoint === 'graph' && (code(s, 'NoPermissionsInAccessToken', 'Authorization_RequestDenied') || s.diagnostics?.code === 2000008)) {
        return { confidence: 'high', detail: 'graph_application_permission_missing', because: [`Graph token roles: ${rolesOn(s)}`] };
      }
      return null;
    },
    summary: (s) => (s.endpoint === 'ews'
      ? 'The app holds application permissions, but not full_access_as_app on Office 365 Exchange Online, which app-only EWS needs.'
      : 'The app-only Graph token lacks the application permission this call needs.'),
    fix: (t, s) => (s.endpoint === 'ews' ? FIXES.grantFullAccessAsApp(t) : FIXES.grantGraphRole(t)), docs: [DOCS.ewsOAuth, DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'no-permissions-in-token', cause: 'delegated_permission_only', detail: 'token_without_app_role',
    reads: 'x-ms-diagnostics 2000008 "no permissions" / NoPermissionsInAccessToken, without token claims',
    match: (s) => (!s.claims && (code(s, 'NoPermissionsInAccessToken') || has(s, /token contains no permissions/i) || (s.diagnostics?.code === 2000008 && !/scope/i.test(s.diagnostics.reason)))
      ? { confidence: 'medium', because: [] } : null),
    summary: () => 'The token carries no permission the service understands. Usually the app was given delegated permissions (EWS.AccessAsUser.All, delegated Mail.*) but runs app-only; if it has application permissions, admin consent is missing. The token\'s roles claim (jwt.ms) tells which.',
    fix: (t, s) => (s.endpoint === 'graph' ? FIXES.grantGraphMailRole(t) : FIXES.grantFullAccessAsApp(t)), docs: [DOCS.ewsOAuth, DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'no-permissions-consent', cause: 'missing_app_permission', detail: 'admin_consent_missing',
    reads: 'the same messages: the second reading',
    match: (s) => (!s.claims && (code(s, 'NoPermissionsInAccessToken') || has(s, /token contains no permissions/i) || s.diagnostics?.code === 2000008) ? { confidence: 'low', because: [] } : null),
    summary: () => 'Or: the app has the application permission but admin consent was never granted, so the token carries no roles.',
    fix: (t) => FIXES.consent(t), docs: [DOCS.adminConsent],
  },
  {
    id: 'not-enough-scope', cause: 'delegated_permission_only', detail: 'delegated_token_without_scope',
    reads: 'x-ms-diagnostics 2000008 "not enough scope", or a delegated token (scp) where an app-only call was made',
    match: (s) => {
      if (s.tokenKind === 'delegated' && isAuthFailure(s) && s.endpoint !== 'token' && (s.impersonation === true || s.diagnostics?.code === 2000008)) {
        return { confidence: 'high', because: [`delegated token (scp: ${s.claims?.scp ?? ''}) used for an app-only call`] };
      }
      if (!s.claims && (has(s, /not enough scope/i))) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: () => 'The call carried a delegated (user) token, or one without the scope EWS needs. App-only EWS needs an application token with full_access_as_app, not EWS.AccessAsUser.All.',
    fix: (t) => FIXES.grantFullAccessAsApp(t), docs: [DOCS.ewsOAuth, DOCS.adminConsent],
  },
  {
    id: 'graph-authorization-denied', cause: 'missing_app_permission', detail: 'graph_application_permission_missing',
    reads: 'Graph Authorization_RequestDenied / "Insufficient privileges to complete the operation."',
    match: (s) => (code(s, 'Authorization_RequestDenied') || has(s, /Insufficient privileges to complete the operation/i) ? { confidence: s.tokenKind === 'app' ? 'high' : 'medium', because: [] } : null),
    summary: () => 'Microsoft Graph refused the call for lack of the application permission it needs (for example Organization.Read.All or User.Read.All), or admin consent for it.',
    fix: (t) => FIXES.grantGraphRole(t), docs: [DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'graph-me-with-app-token', cause: 'other', detail: 'me_endpoint_with_app_token',
    reads: 'Graph "/me request is only valid with delegated authentication flow"',
    match: (s) => (has(s, /\/me request is only valid with delegated authentication flow/i) ? { confidence: 'high', because: [] } : null),
    summary: () => 'An app-only token has no signed-in user, so /me does not exist: call /users/{id or UPN} instead.',
    fix: () => ['Replace /me/... with /users/{user id or UPN}/... in app-only calls.'], docs: [DOCS.clientCredentials],
  },

  // Mailbox scope: the app may reach some mailboxes, not this one.
  {
    id: 'graph-access-policy', cause: 'mailbox_out_of_scope', detail: 'outside_application_access_policy',
    reads: 'Graph ErrorAccessDenied "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."',
    match: (s) => (has(s, /\[RAOP\]|AppOnly AccessPolicy/i) ? { confidence: 'high', because: [] } : null),
    summary: (s) => `${mailboxOf(s)} is outside the Application Access Policy that limits which mailboxes this app may open.`,
    fix: (t) => FIXES.applicationAccessPolicy(t), docs: [DOCS.applicationAccessPolicy, DOCS.rbacForApplications],
  },
  {
    id: 'graph-odata-disabled', cause: 'mailbox_out_of_scope', detail: 'outside_application_access_policy',
    reads: 'Graph "Access to OData is disabled." without [RAOP]; other mailboxes; EWS policy blocks in the cycle',
    match: (s, cycle) => {
      if (!has(s, /Access to OData is disabled/i) || has(s, /\[RAOP\]|AppOnly AccessPolicy/i)) return null;
      if (worksForAnotherMailbox(s, cycle)) return { confidence: 'high', because: ['another canary answers Graph in the same cycle, so the block is per mailbox'] };
      const uaEvidence = cycle.controlPlane?.ewsApplicationAccessPolicy || cycle.all.some((o) => o.endpoint === 'ews' && /blocked by policy/i.test(o.policyReason ?? ''));
      return { confidence: uaEvidence ? 'low' : 'medium', because: [] };
    },
    summary: () => 'Graph refused this mailbox with "Access to OData is disabled.", which an Application Access Policy that excludes the mailbox returns; a user-agent allow/block list (EwsApplicationAccessPolicy) returns the same text. Test-ApplicationAccessPolicy, or whether other mailboxes answer, tells them apart.',
    fix: (t) => [...FIXES.applicationAccessPolicy(t).slice(0, 1), ...FIXES.userAgentList(t).slice(0, 1)], docs: [DOCS.applicationAccessPolicy, DOCS.ewsAccessControl],
  },
  {
    id: 'graph-odata-disabled-user-agent', cause: 'ews_disabled', detail: 'user_agent_not_allowed',
    reads: 'Graph "Access to OData is disabled." without [RAOP]: the second reading, decided by EWS policy blocks and the control plane',
    match: (s, cycle) => {
      if (!has(s, /Access to OData is disabled/i) || has(s, /\[RAOP\]|AppOnly AccessPolicy/i) || worksForAnotherMailbox(s, cycle)) return null;
      if (cycle.controlPlane?.ewsApplicationAccessPolicy) return { confidence: 'high', because: [`EwsApplicationAccessPolicy ${cycle.controlPlane.ewsApplicationAccessPolicy}`] };
      if (cycle.all.some((o) => o.endpoint === 'ews' && /blocked by policy/i.test(o.policyReason ?? ''))) return { confidence: 'high', because: ['EWS is blocked by policy in the same cycle: the user-agent lists govern EWS and REST alike'] };
      return { confidence: 'low', because: [] };
    },
    summary: () => 'The organization\'s user-agent list (EwsApplicationAccessPolicy EnforceAllowList/EnforceBlockList) refuses this client; it blocks Graph mail calls with "Access to OData is disabled." as well as EWS.',
    fix: (t) => FIXES.userAgentList(t), docs: [DOCS.ewsAccessControl, DOCS.setOrganizationConfig],
  },
  {
    id: 'graph-access-denied-elsewhere-works', cause: 'mailbox_out_of_scope',
    reads: 'Graph ErrorAccessDenied "Access is denied." for one mailbox while another answers',
    match: (s, cycle) => (s.endpoint === 'graph' && (code(s, 'ErrorAccessDenied') || has(s, /Access is denied/i)) && worksForAnotherMailbox(s, cycle)
      ? { confidence: 'high', detail: scopeDetail(s), because: ['another canary answers Graph in the same cycle, so the app may read mail but not this mailbox'] } : null),
    summary: (s) => `The app may read mail, but not ${mailboxOf(s)}: the mailbox is outside the scope of the app's RBAC for Applications grant or Application Access Policy.`,
    fix: scopeFix, docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy],
  },
  {
    id: 'graph-access-denied', cause: 'delegated_permission_only', detail: 'graph_token_without_mail_role',
    reads: 'Graph ErrorAccessDenied "Access is denied. Check credentials and try again." with no mail role in the token (or no token to read)',
    match: (s, cycle) => {
      if (s.endpoint !== 'graph' || !(has(s, /Access is denied/i) || code(s, 'ErrorAccessDenied')) || has(s, /OData/i)) return null;
      if (worksForAnotherMailbox(s, cycle)) return null;
      if (s.tokenKind === 'delegated') return { confidence: 'medium', because: [`delegated token (scp: ${s.claims?.scp ?? ''})`] };
      if (s.tokenKind === 'app' && s.roles.some((r) => MAIL_ROLES.includes(r))) return null;
      return { confidence: 'medium', because: s.tokenKind === 'app' ? [`Graph token roles: ${rolesOn(s)}; no Mail.* role`] : [] };
    },
    summary: () => 'Graph denied mailbox access ("Access is denied. Check credentials and try again."): the token carries no application mail permission, typically because Mail.Read was added as a delegated permission while the app runs app-only. If the token\'s roles hold Mail.Read, the mailbox is outside an RBAC for Applications scope instead.',
    fix: (t) => FIXES.grantGraphMailRole(t), docs: [DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'graph-access-denied-missing-role', cause: 'missing_app_permission', detail: 'graph_application_permission_missing',
    reads: 'Graph ErrorAccessDenied with no mail role: the second reading',
    match: (s, cycle) => (s.endpoint === 'graph' && has(s, /Access is denied/i) && !worksForAnotherMailbox(s, cycle) && !s.roles.some((r) => MAIL_ROLES.includes(r)) ? { confidence: 'low', because: [] } : null),
    summary: () => 'Or: the application permission (Mail.Read) is there but admin consent was not granted.',
    fix: (t) => FIXES.consent(t), docs: [DOCS.adminConsent],
  },
  {
    id: 'graph-access-denied-with-role', cause: 'mailbox_out_of_scope',
    reads: 'Graph ErrorAccessDenied although the token holds a mail role, or no token to read (third reading)',
    match: (s, cycle) => {
      if (s.endpoint !== 'graph' || !has(s, /Access is denied/i) || worksForAnotherMailbox(s, cycle)) return null;
      if (s.roles.some((r) => MAIL_ROLES.includes(r))) return { confidence: 'medium', detail: scopeDetail(s), because: [`Graph token roles include ${s.roles.filter((r) => MAIL_ROLES.includes(r)).join(', ')}`] };
      return { confidence: 'low', detail: scopeDetail(s), because: [] };
    },
    summary: (s) => `${mailboxOf(s)} may be outside the scope the app is limited to (RBAC for Applications or an Application Access Policy); Test-ServicePrincipalAuthorization tells.`,
    fix: scopeFix, docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy],
  },

  // EWS access controls and the retirement.
  {
    id: 'ews-policy-disabled', cause: 'ews_disabled',
    reads: 'X-EWS-Policy-Reason "EWS is disabled for this user or tenant"; control-plane EwsEnabled; the date',
    match: (s, cycle) => (/disabled for this user or tenant/i.test(s.policyReason ?? '') ? { confidence: 'high', ...ewsDisabledDetail(s, cycle) } : null),
    summary: (_s, m) => EWS_DISABLED_SUMMARY[m.detail ?? ''] ?? EWS_DISABLED_SUMMARY.ews_disabled_for_organization_or_mailbox!,
    fix: ewsDisabledFix, docs: [DOCS.ewsAccessControl, DOCS.setOrganizationConfig, DOCS.setCasMailbox, DOCS.ewsRetirement],
  },
  {
    id: 'ews-policy-blocked', cause: 'ews_disabled',
    reads: 'X-EWS-Policy-Reason "EWS is blocked by policy for this user or tenant"; control-plane EwsAllowedAppIDs and EwsApplicationAccessPolicy; Graph answers',
    match: (s, cycle) => (/blocked by policy/i.test(s.policyReason ?? '') ? { confidence: 'high', ...ewsBlockedDetail(s, cycle) } : null),
    summary: (_s, m) => EWS_DISABLED_SUMMARY[m.detail ?? ''] ?? EWS_DISABLED_SUMMARY.app_or_user_agent_blocked!,
    fix: ewsDisabledFix, docs: [DOCS.ewsAccessControl, DOCS.setOrganizationConfig, DOCS.ewsRetirement],
  },
  {
    id: 'ews-bare-403-scope', cause: 'mailbox_out_of_scope',
    reads: 'EWS 403 without X-EWS-Policy-Reason or SOAP body (exchangelib "Unknown failure in response. Code: 403", EWS Managed API "(403) Forbidden"); other mailboxes; the allow list',
    match: (s, cycle) => {
      if (s.endpoint !== 'ews' || s.status !== 403 || s.policyReason || s.soapCodes.some((c) => c.startsWith('Error'))) return null;
      if (worksForAnotherMailbox(s, cycle)) return { confidence: 'high', detail: scopeDetail(s), because: ['another canary answers EWS in the same cycle, so the app is refused for this mailbox only'] };
      if (cycle.controlPlane?.appInAllowList === false) return null;
      return { confidence: 'medium', detail: scopeDetail(s), because: [] };
    },
    summary: (s, m) => (m.confidence === 'high'
      ? `The app may use EWS, but not on ${mailboxOf(s)}: the mailbox is outside its RBAC for Applications scope or Application Access Policy.`
      : `Exchange refused EWS with a bare 403 (no X-EWS-Policy-Reason): most often the mailbox is outside the app's Application Access Policy or RBAC scope. An X-EWS-Policy-Reason header on the same answer would mean the EWS access controls instead; Test-ServicePrincipalAuthorization / Test-ApplicationAccessPolicy tell.`),
    fix: scopeFix, docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy, DOCS.ewsAccessControl],
  },
  {
    id: 'ews-bare-403-controls', cause: 'ews_disabled',
    reads: 'EWS 403 without X-EWS-Policy-Reason: the second reading, decided by the allow list and the date',
    match: (s, cycle) => {
      if (s.endpoint !== 'ews' || s.status !== 403 || s.policyReason || s.soapCodes.some((c) => c.startsWith('Error')) || worksForAnotherMailbox(s, cycle)) return null;
      if (cycle.controlPlane?.appInAllowList === false) {
        const graphWorks = cycle.all.some((o) => o.endpoint === 'graph' && o.ok);
        return { confidence: 'high', detail: 'app_not_in_ews_allowed_app_ids', because: [`EwsAllowedAppIDs does not list this app${graphWorks ? ', while Graph answers' : ''}`] };
      }
      if (after(s, EWS_SHUTDOWN)) return { confidence: 'medium', detail: 'ews_retired', because: ['observed after 2027-04-01'] };
      return { confidence: after(s, EWS_ENFORCEMENT_START) ? 'medium' : 'low', detail: 'app_or_user_agent_blocked', because: [] };
    },
    summary: (_s, m) => EWS_DISABLED_SUMMARY[m.detail ?? ''] ?? EWS_DISABLED_SUMMARY.app_or_user_agent_blocked!,
    fix: ewsDisabledFix, docs: [DOCS.ewsAccessControl, DOCS.ewsRetirement],
  },
  {
    id: 'ews-access-denied', cause: 'mailbox_out_of_scope',
    reads: 'EWS ErrorAccessDenied; other mailboxes',
    match: (s, cycle) => (s.endpoint === 'ews' && s.soapCodes.includes('ErrorAccessDenied')
      ? { confidence: worksForAnotherMailbox(s, cycle) ? 'high' : 'medium', detail: scopeDetail(s), because: [] } : null),
    summary: (s) => `Exchange denied the app access to ${mailboxOf(s)} (ErrorAccessDenied): the mailbox is outside the app's scope, or the app lacks rights for the operation.`,
    fix: scopeFix, docs: [DOCS.rbacForApplications, DOCS.applicationAccessPolicy, DOCS.ewsResponseCodes],
  },
  {
    id: 'ews-impersonation-denied', cause: 'missing_app_permission', detail: 'impersonation_not_permitted',
    reads: 'EWS ErrorImpersonateUserDenied "The account does not have permission to impersonate the requested user."',
    match: (s) => (code(s, 'ErrorImpersonateUserDenied') || has(s, /does not have permission to impersonate/i)
      ? (hasFullAccessAsApp(s) ? null : { confidence: 'medium', because: [] }) : null),
    summary: () => 'The caller may not impersonate the mailbox. The ApplicationImpersonation role was retired in February 2025: move to an app-only token with full_access_as_app (or RBAC for Applications "Application EWS.AccessAsApp").',
    fix: (t) => FIXES.grantFullAccessAsApp(t), docs: [DOCS.ewsImpersonation, DOCS.ewsOAuth],
  },
  {
    id: 'ews-impersonation-denied-scope', cause: 'mailbox_out_of_scope',
    reads: 'EWS ErrorImpersonateUserDenied with full_access_as_app in the token',
    match: (s) => ((code(s, 'ErrorImpersonateUserDenied') || has(s, /does not have permission to impersonate/i)) && hasFullAccessAsApp(s)
      ? { confidence: 'medium', detail: scopeDetail(s), because: ['the token holds full_access_as_app'] } : null),
    summary: (s) => `The app holds full_access_as_app but may not open ${mailboxOf(s)}: an Application Access Policy or RBAC scope excludes it.`,
    fix: scopeFix, docs: [DOCS.applicationAccessPolicy, DOCS.rbacForApplications],
  },
  {
    id: 'ews-impersonation-header-missing', cause: 'missing_impersonation_header', detail: 'exchange_impersonation_header_missing',
    reads: 'ErrorInvalidExchangeImpersonationHeaderData / "ExchangeImpersonation SOAP header must be present for this type of OAuth token."; whether impersonation was sent',
    match: (s) => (code(s, 'ErrorInvalidExchangeImpersonationHeaderData') || has(s, /ExchangeImpersonation SOAP header must be present/i)
      ? { confidence: 'high', because: s.impersonation === false ? ['the request carried no ExchangeImpersonation header'] : [] } : null),
    summary: () => 'App-only EWS calls must say which mailbox they act on: the ExchangeImpersonation SOAP header (and the X-AnchorMailbox HTTP header) was missing.',
    fix: (t) => FIXES.addImpersonation(t), docs: [DOCS.ewsOAuth, DOCS.ewsImpersonation],
  },
  {
    id: 'ews-impersonation-header-unexpected', cause: 'missing_impersonation_header', detail: 'anchor_mailbox_missing',
    reads: '"ExchangeImpersonation SOAP header must not exist for this type of OAuth token."',
    match: (s) => (has(s, /ExchangeImpersonation SOAP header must not exist/i) ? { confidence: 'medium', because: [] } : null),
    summary: () => 'Exchange did not accept the impersonation on this token: most often the X-AnchorMailbox header is missing so the call was routed away from the mailbox; with a delegated (user) token, impersonation must not be sent at all.',
    fix: (t) => FIXES.addImpersonation(t), docs: [DOCS.ewsImpersonation],
  },

  // Mailboxes that are not there.
  {
    id: 'ews-no-mailbox', cause: 'mailbox_not_found', detail: 'no_such_mailbox',
    reads: 'ErrorNonExistentMailbox "The SMTP address has no mailbox associated with it." / ErrorInvalidSmtpAddress / ErrorNonPrimarySmtpAddress; Graph on the same mailbox',
    match: (s, cycle) => {
      if (code(s, 'ErrorNonExistentMailbox', 'ErrorInvalidSmtpAddress', 'ErrorMailboxNotFound') || has(s, /has no mailbox associated with it/i)) return { confidence: 'high', ...missingMailboxDetail(s, cycle) };
      if (code(s, 'ErrorNonPrimarySmtpAddress')) return { confidence: 'medium', detail: 'not_primary_smtp_address', because: [] };
      return null;
    },
    summary: noMailboxSummary, fix: missingMailboxFix, docs: [DOCS.ewsResponseCodes],
  },
  {
    id: 'admin-api-no-mailbox', cause: 'mailbox_not_found', detail: 'no_such_mailbox',
    reads: 'Exchange admin API ManagementObjectNotFoundException "couldn\'t be found" for a mailbox',
    match: (s, cycle) => (s.endpoint === 'adminapi' && s.mailbox && (has(s, /ManagementObjectNotFoundException|couldn't be found/i)) ? { confidence: 'high', ...missingMailboxDetail(s, cycle) } : null),
    summary: noMailboxSummary, fix: missingMailboxFix, docs: [DOCS.setCasMailbox],
  },
  {
    id: 'graph-no-user', cause: 'mailbox_not_found', detail: 'no_such_mailbox',
    reads: 'Graph ErrorInvalidUser "The requested user … is invalid." / Request_ResourceNotFound / 404 on /users/{id}',
    match: (s) => {
      if (code(s, 'ErrorInvalidUser') || has(s, /The requested user '.*' is invalid/i)) return { confidence: 'high', because: [] };
      if (code(s, 'Request_ResourceNotFound')) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: (s) => `No user ${mailboxOf(s)} exists in the tenant, so Graph has no mailbox for it.`,
    fix: (t) => FIXES.checkMailbox(t), docs: [DOCS.graphErrors],
  },
  {
    id: 'graph-mailbox-not-enabled', cause: 'mailbox_not_found', detail: 'mailbox_not_licensed',
    reads: 'Graph MailboxNotEnabledForRESTAPI "The mailbox is either inactive, soft-deleted, or is hosted on-premise." / "REST API is not yet supported for this mailbox." / ResourceNotFound "Resource could not be discovered."',
    match: (s) => {
      if (code(s, 'MailboxNotEnabledForRESTAPI', 'MailboxNotSupportedForRESTAPI') || has(s, /inactive, soft-deleted, or is hosted on-premise|REST API is not yet supported for this mailbox/i)) return { confidence: 'high', because: [] };
      if (s.endpoint === 'graph' && (code(s, 'ResourceNotFound') && has(s, /could not be discovered/i))) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: notLicensedSummary, fix: (t, s) => missingMailboxFix(t, s, { confidence: 'high', because: [], detail: 'mailbox_not_licensed' }), docs: [DOCS.graphMailApi, DOCS.assignLicenses],
  },
  {
    id: 'graph-404-user', cause: 'mailbox_not_found', detail: 'no_such_mailbox',
    reads: 'Graph 404 on a /users/{id} path with no error code to read',
    match: (s) => (s.endpoint === 'graph' && s.status === 404 && !s.graphCode && s.mailbox ? { confidence: 'medium', because: [] } : null),
    summary: (s) => `Graph answered 404 for ${mailboxOf(s)}: no such user or mailbox.`,
    fix: (t) => FIXES.checkMailbox(t), docs: [DOCS.graphErrors],
  },

  // Load.
  {
    id: 'throttled', cause: 'throttled',
    reads: '429 with Retry-After; ApplicationThrottled / TooManyRequests / activityLimitReached; ErrorServerBusy with BackOffMilliseconds; ErrorExceededConnectionCount; 503',
    match: (s) => {
      const decisive = s.status === 429 || code(s, 'ApplicationThrottled', 'TooManyRequests', 'activityLimitReached', 'throttledRequest', 'ErrorServerBusy', 'ErrorExceededConnectionCount', 'ErrorExceededSubscriptionCount', 'ErrorTooManyObjectsOpened')
        || has(s, /MailboxConcurrency|Application is over its|server cannot service this request right now|exceeded the available concurrent connections|throttl/i);
      if (decisive) return { confidence: 'high', because: [s.retryAfterSeconds !== undefined ? `Retry-After ${s.retryAfterSeconds} s` : s.backOffMilliseconds !== undefined ? `BackOffMilliseconds ${s.backOffMilliseconds}` : ''].filter(Boolean) };
      if (s.status === 503 || code(s, 'serviceNotAvailable')) return { confidence: 'medium', because: s.retryAfterSeconds !== undefined ? [`Retry-After ${s.retryAfterSeconds} s`] : [] };
      return null;
    },
    summary: () => 'The service is throttling this app (or is too busy) and asked it to back off.',
    fix: () => FIXES.throttled(), docs: [DOCS.graphThrottling, DOCS.ewsThrottling],
  },

  // Basic authentication.
  {
    id: 'basic-auth', cause: 'basic_auth_disabled',
    reads: '401 to a Basic (user name and password) request; a Basic-only WWW-Authenticate challenge; exchangelib "Invalid credentials" with a password',
    match: (s) => {
      if (s.endpoint === 'token' || s.endpoint === 'keyvault') return null;
      if (s.authMode === 'basic' && (s.status === 401 || s.status === 403 || has(s, /Invalid credentials|Unauthorized|LogonDenied/i))) return { confidence: 'high', because: ['the request authenticated with a user name and password'] };
      if (s.status === 401 && s.basicChallenge && !s.bearerChallenge) return { confidence: 'high', because: ['WWW-Authenticate offers Basic only'] };
      if (has(s, /basic auth(?:entication)? (?:is )?(?:disabled|deprecated|turned off|blocked)/i)) return { confidence: 'high', because: [] };
      if (s.authMode === 'unknown' && has(s, /UnauthorizedError|Invalid credentials for|Wrong username or password/i) && !has(s, /OAuth|Bearer|token/i)) return { confidence: 'medium', because: [] };
      return null;
    },
    summary: () => 'Exchange Online refused a user name and password: Basic authentication is switched off for EWS; apps must use OAuth.',
    fix: (t) => FIXES.basicAuth(t), docs: [DOCS.basicAuthRetirement, DOCS.ewsOAuth],
  },

  // A bare 401: without x-ms-diagnostics the token cannot be judged, so the readings stay low.
  {
    id: 'ews-401-password', cause: 'basic_auth_disabled',
    reads: 'EWS 401 with no sign of OAuth in the evidence: read first as a password sign-in, then as a missing permission',
    match: (s) => (s.endpoint === 'ews' && s.status === 401 && !s.diagnostics && !s.claims && !s.bearerChallenge && !has(s, /OAuth|Bearer|access token/i) && s.authMode === 'unknown' ? { confidence: 'low', because: [] } : null),
    summary: () => 'EWS refused the sign-in (401) and nothing shows an OAuth token: if the app signs in with a user name and password, Basic authentication to Exchange Online is switched off. With an OAuth token, x-ms-diagnostics would say what is wrong with it.',
    fix: (t) => FIXES.basicAuth(t), docs: [DOCS.basicAuthRetirement],
  },
  {
    id: 'ews-401-oauth-unexplained', cause: 'missing_app_permission', detail: 'full_access_as_app_not_granted',
    reads: 'EWS 401 with an OAuth token and no x-ms-diagnostics (exchangelib "Invalid credentials", EWS Managed API "(401) Unauthorized")',
    match: (s) => {
      if (s.endpoint !== 'ews' || s.status !== 401 || s.diagnostics || s.authMode === 'basic' || hasFullAccessAsApp(s)) return null;
      return { confidence: 'low', because: s.claims ? [`Exchange token roles: ${rolesOn(s)}`] : [] };
    },
    summary: () => 'EWS refused the token (401) without saying why. Most often the app lacks full_access_as_app on Office 365 Exchange Online (or its admin consent); a token for another resource or an expired one look the same. The x-ms-diagnostics response header, or the token\'s aud and roles at jwt.ms, tell which.',
    fix: (t) => [...FIXES.grantFullAccessAsApp(t).slice(0, 2), ...FIXES.tokenScope(t).slice(1)], docs: [DOCS.ewsOAuth, DOCS.accessTokens],
  },
  {
    id: 'malformed-token', cause: 'other', detail: 'malformed_token',
    reads: 'Graph "CompactToken parsing failed", "Access token is empty.", IDX14100 "JWT is not well formed"',
    match: (s) => (has(s, /CompactToken parsing failed|Access token is empty|IDX14100|JWT is not well formed|token is malformed/i) ? { confidence: 'medium', because: [] } : null),
    summary: () => 'The service could not read the access token at all: it was empty, cut, not a JWT (an ID token, a refresh token, or a personal-account token), or sent without the "Bearer " prefix.',
    fix: (t) => FIXES.tokenScope(t), docs: [DOCS.accessTokens],
  },

  // What remains.
  {
    id: 'network-error', cause: 'other', detail: 'network_error',
    reads: 'no HTTP answer: connection refused, DNS, TLS or timeout errors',
    match: (s) => (s.status === null && has(s, /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|UND_ERR_|socket hang up|getaddrinfo|timed? ?out|certificate|self[- ]signed|network|fetch failed/i)
      ? { confidence: 'medium', because: [] } : null),
    summary: () => 'The call got no HTTP answer (network, DNS, proxy, TLS or timeout).',
    fix: () => FIXES.network(), docs: [],
  },
  {
    id: 'exchange-transient', cause: 'other', detail: 'service_error',
    reads: '5xx, ErrorInternalServerError, ErrorMailboxStoreUnavailable, ErrorMailboxMoveInProgress',
    match: (s) => ((s.status !== null && s.status >= 500) || code(s, 'ErrorInternalServerError', 'ErrorMailboxStoreUnavailable', 'ErrorMailboxMoveInProgress', 'ErrorInternalServerTransientError', 'ErrorConnectionFailed')
      ? { confidence: 'low', because: [] } : null),
    summary: () => 'The service failed on its side (a server error or a mailbox temporarily unavailable); retry later and check Microsoft 365 Service health if it persists.',
    fix: () => FIXES.network(), docs: [DOCS.ewsResponseCodes, DOCS.graphErrors],
  },
  {
    id: 'admin-api-forbidden', cause: 'missing_app_permission', detail: 'exchange_admin_role_missing',
    reads: 'Exchange admin API 403',
    match: (s) => (s.endpoint === 'adminapi' && s.status === 403 ? { confidence: 'medium', because: [] } : null),
    summary: () => 'The Exchange admin API refused the cmdlet: the app has Exchange.ManageAsApp but no Exchange role (for example View-Only Configuration or Global Reader) assigned to its service principal.',
    fix: (t) => [`In Entra ID > Roles and administrators, assign Global Reader (or an Exchange role) to the app ${t.client}; the admin API needs a role besides Exchange.ManageAsApp.`],
    docs: ['https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2'],
  },
];

/** The last resort for a failure no rule explains. */
export const UNEXPLAINED: Rule = {
  id: 'unexplained', cause: 'other', detail: 'unexplained',
  reads: 'any failure no other rule matched',
  match: () => ({ confidence: 'low', because: [] }),
  summary: (s) => `No rule explains this failure (${s.label}); the evidence lines show what was seen. AADSTS codes, x-ms-diagnostics, X-EWS-Policy-Reason or a SOAP/Graph error code would tell more.`,
  fix: () => [], docs: [DOCS.aadstsCodes, DOCS.ewsResponseCodes, DOCS.graphErrors],
};
