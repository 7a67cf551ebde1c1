// Permissions in the token: app roles, delegated scopes, consent.
import { DOCS, FIXES } from '../fixes';
import { audienceMismatch, audienceResource, hasFullAccessAsApp } from '../signals';
import { code, type CycleEvidence, has, isAuthFailure, rolesOn, type Rule, worksForAnotherMailbox } from './rule-kit';

/** Every app-only token of the cycle, by the resource it was issued for. */
function tokensByResource(cycle: CycleEvidence): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const o of cycle.all) {
    if (o.tokenKind !== 'app' || !o.claims?.aud) continue;
    const resource = audienceResource(o.claims.aud) ?? 'other';
    found.set(resource, [...new Set([...(found.get(resource) ?? []), ...o.roles])]);
  }
  return found;
}

export const PERMISSION_RULES: readonly Rule[] = [
  {
    id: 'app-token-without-roles',
    cause: 'delegated_permission_only',
    detail: 'token_without_app_role',
    reads:
      "an app-only token (no scp) without roles, refused with 401/403 (x-ms-diagnostics 2000008, NoPermissionsInAccessToken, Access is denied); the app's other tokens in the cycle",
    match: (s, cycle) => {
      if (
        s.tokenKind !== 'app' ||
        s.roles.length > 0 ||
        !isAuthFailure(s) ||
        s.endpoint === 'token' ||
        audienceMismatch(s)
      )
        return null;
      const elsewhere = [...tokensByResource(cycle)].filter(
        ([resource, roles]) => resource !== s.resource && roles.length > 0,
      );
      if (elsewhere.length > 0) return null; // app-permission-missing explains it: the app does use application permissions
      const resourceName = s.resource === 'graph' ? 'graph' : 'ews';
      const others = cycle.all.filter(
        (o) => o.tokenKind === 'app' && o.claims?.aud && audienceResource(o.claims.aud) !== s.resource,
      );
      return {
        confidence: 'high',
        detail: `${resourceName}_token_without_app_role`,
        because: [
          `app-only token for ${s.claims?.aud ?? 'the resource'} carries no roles and no scp`,
          ...(others.length ? ["the app's tokens for other resources carry no roles either"] : []),
        ],
      };
    },
    summary: (s) =>
      `The app-only token carries no application permission at all: the app has only delegated permissions (such as ${s.resource === 'graph' ? 'Mail.Read (delegated)' : 'EWS.AccessAsUser.All'}) or none consented, so ${s.resource === 'graph' ? 'Microsoft Graph' : 'Exchange'} refuses it.`,
    fix: (t, s) => (s.resource === 'graph' ? FIXES.grantGraphMailRole(t) : FIXES.grantFullAccessAsApp(t)),
    docs: [DOCS.ewsOAuth, DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'app-permission-missing',
    cause: 'missing_app_permission',
    reads:
      'a 401/403 with an app-only token whose roles lack the role the call needs, while the app holds application roles (here or for another resource)',
    match: (s, cycle) => {
      if (
        s.tokenKind !== 'app' ||
        !isAuthFailure(s) ||
        s.endpoint === 'token' ||
        audienceMismatch(s) ||
        worksForAnotherMailbox(s, cycle)
      )
        return null;
      const appRoles = [...tokensByResource(cycle)].some(([, roles]) => roles.length > 0) || s.roles.length > 0;
      if (!appRoles) return null;
      if (s.endpoint === 'ews' && !hasFullAccessAsApp(s) && (s.status === 401 || s.diagnostics?.code === 2000008)) {
        return {
          confidence: 'high',
          detail: 'full_access_as_app_not_granted',
          because: [`Exchange token roles: ${rolesOn(s)}; no full_access_as_app`],
        };
      }
      if (s.endpoint === 'ews' && !hasFullAccessAsApp(s) && s.status === 403) {
        return {
          confidence: 'medium',
          detail: 'full_access_as_app_not_granted',
          because: [
            `Exchange token roles: ${rolesOn(s)}; no full_access_as_app, and no mailbox answered EWS (an RBAC for Applications grant out of scope would look the same)`,
          ],
        };
      }
      if (
        s.endpoint === 'graph' &&
        (code(s, 'NoPermissionsInAccessToken', 'Authorization_RequestDenied') || s.diagnostics?.code === 2000008)
      ) {
        return {
          confidence: 'high',
          detail: 'graph_application_permission_missing',
          because: [`Graph token roles: ${rolesOn(s)}`],
        };
      }
      return null;
    },
    summary: (s) =>
      s.endpoint === 'ews'
        ? 'The app holds application permissions, but not full_access_as_app on Office 365 Exchange Online, which app-only EWS needs.'
        : 'The app-only Graph token lacks the application permission this call needs.',
    fix: (t, s) => (s.endpoint === 'ews' ? FIXES.grantFullAccessAsApp(t) : FIXES.grantGraphRole(t)),
    docs: [DOCS.ewsOAuth, DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'no-permissions-in-token',
    cause: 'delegated_permission_only',
    detail: 'token_without_app_role',
    reads: 'x-ms-diagnostics 2000008 "no permissions" / NoPermissionsInAccessToken, without token claims',
    match: (s) =>
      !s.claims &&
      (code(s, 'NoPermissionsInAccessToken') ||
        has(s, /token contains no permissions/i) ||
        (s.diagnostics?.code === 2000008 && !/scope/i.test(s.diagnostics.reason)))
        ? { confidence: 'medium', because: [] }
        : null,
    summary: () =>
      "The token carries no permission the service understands. Usually the app was given delegated permissions (EWS.AccessAsUser.All, delegated Mail.*) but runs app-only; if it has application permissions, admin consent is missing. The token's roles claim (jwt.ms) tells which.",
    fix: (t, s) => (s.endpoint === 'graph' ? FIXES.grantGraphMailRole(t) : FIXES.grantFullAccessAsApp(t)),
    docs: [DOCS.ewsOAuth, DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'no-permissions-consent',
    cause: 'missing_app_permission',
    detail: 'admin_consent_missing',
    reads: 'the same messages: the second reading',
    match: (s) =>
      !s.claims &&
      (code(s, 'NoPermissionsInAccessToken') ||
        has(s, /token contains no permissions/i) ||
        s.diagnostics?.code === 2000008)
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      'Or: the app has the application permission but admin consent was never granted, so the token carries no roles.',
    fix: (t) => FIXES.consent(t),
    docs: [DOCS.adminConsent],
  },
  {
    id: 'not-enough-scope',
    cause: 'delegated_permission_only',
    detail: 'delegated_token_without_scope',
    reads: 'x-ms-diagnostics 2000008 "not enough scope", or a delegated token (scp) where an app-only call was made',
    match: (s) => {
      if (
        s.tokenKind === 'delegated' &&
        isAuthFailure(s) &&
        s.endpoint !== 'token' &&
        (s.impersonation === true || s.diagnostics?.code === 2000008)
      ) {
        return {
          confidence: 'high',
          because: [`delegated token (scp: ${s.claims?.scp ?? ''}) used for an app-only call`],
        };
      }
      if (!s.claims && has(s, /not enough scope/i)) return { confidence: 'medium', because: [] };
      // Impersonation belongs to app-only tokens: a user sign-in that impersonates is refused whatever it holds.
      if (s.endpoint === 'ews' && s.failed && s.authMode === 'delegated' && s.impersonation === true)
        return { confidence: 'medium', because: ['the request impersonated a mailbox with a user (delegated) token'] };
      return null;
    },
    summary: () =>
      'The call carried a delegated (user) token, or one without the scope EWS needs. App-only EWS needs an application token with full_access_as_app, not EWS.AccessAsUser.All.',
    fix: (t) => FIXES.grantFullAccessAsApp(t),
    docs: [DOCS.ewsOAuth, DOCS.adminConsent],
  },
  {
    id: 'graph-authorization-denied',
    cause: 'missing_app_permission',
    detail: 'graph_application_permission_missing',
    reads: 'Graph Authorization_RequestDenied / "Insufficient privileges to complete the operation."',
    match: (s) =>
      code(s, 'Authorization_RequestDenied') || has(s, /Insufficient privileges to complete the operation/i)
        ? { confidence: s.tokenKind === 'app' ? 'high' : 'medium', because: [] }
        : null,
    summary: () =>
      'Microsoft Graph refused the call for lack of the application permission it needs (for example Organization.Read.All or User.Read.All), or admin consent for it.',
    fix: (t) => FIXES.grantGraphRole(t),
    docs: [DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'graph-authorization-denied-delegated',
    cause: 'delegated_permission_only',
    detail: 'graph_token_without_app_role',
    reads: 'Graph Authorization_RequestDenied with no token to read: the second reading',
    match: (s) =>
      !s.claims &&
      (code(s, 'Authorization_RequestDenied') || has(s, /Insufficient privileges to complete the operation/i))
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      "Or the permission was added as a delegated one while the app runs app-only: the token's roles claim (jwt.ms) tells.",
    fix: (t) => FIXES.grantGraphRole(t),
    docs: [DOCS.graphPermissions, DOCS.adminConsent],
  },
  {
    id: 'user-token-object-not-found',
    cause: 'delegated_permission_only',
    detail: 'user_lacks_mailbox_access',
    reads: 'ErrorItemNotFound / "The specified object was not found in the store." to a user (delegated) token',
    match: (s) =>
      s.authMode === 'delegated' &&
      (code(s, 'ErrorItemNotFound') || has(s, /specified object was not found in the store/i))
        ? { confidence: 'low', because: ['the call carried a user (delegated) token'] }
        : null,
    summary: () =>
      'Exchange hides the folders of mailboxes a user token may not open: with a delegated token, another user\'s folders are "not found" unless that user shared them. App-only access with Mail.Read (or full_access_as_app) reaches them.',
    fix: (t) => FIXES.grantGraphMailRole(t),
    docs: [DOCS.graphPermissions, DOCS.clientCredentials],
  },
  {
    id: 'graph-me-with-app-token',
    cause: 'other',
    detail: 'me_endpoint_with_app_token',
    reads: 'Graph "/me request is only valid with delegated authentication flow"',
    match: (s) =>
      has(s, /\/me request is only valid with delegated authentication flow/i)
        ? { confidence: 'high', because: [] }
        : null,
    summary: () => 'An app-only token has no signed-in user, so /me does not exist: call /users/{id or UPN} instead.',
    fix: () => ['Replace /me/... with /users/{user id or UPN}/... in app-only calls.'],
    docs: [DOCS.clientCredentials],
  },
];
