// A bare 401: without x-ms-diagnostics the token cannot be judged, so the readings stay low.
import { DOCS, FIXES } from '../fixes';
import { hasFullAccessAsApp } from '../signals';
import { has, rolesOn, type Rule } from './rule-kit';

export const BARE_401_RULES: readonly Rule[] = [
  {
    id: 'ews-401-password',
    cause: 'basic_auth_disabled',
    reads:
      'EWS 401 with no sign of OAuth in the evidence: read first as a password sign-in, then as a missing permission',
    match: (s) =>
      s.endpoint === 'ews' &&
      s.status === 401 &&
      !s.diagnostics &&
      !s.claims &&
      !s.bearerChallenge &&
      !has(s, /OAuth|Bearer|access token/i) &&
      s.authMode === 'unknown'
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      'EWS refused the sign-in (401) and nothing shows an OAuth token: if the app signs in with a user name and password, Basic authentication to Exchange Online is switched off. With an OAuth token, x-ms-diagnostics would say what is wrong with it.',
    fix: (t) => FIXES.basicAuth(t),
    docs: [DOCS.basicAuthRetirement],
  },
  {
    id: 'ews-401-oauth-unexplained',
    cause: 'missing_app_permission',
    detail: 'full_access_as_app_not_granted',
    reads:
      'EWS 401 with an OAuth token and no x-ms-diagnostics (exchangelib "Invalid credentials", EWS Managed API "(401) Unauthorized")',
    match: (s) => {
      if (
        s.endpoint !== 'ews' ||
        s.status !== 401 ||
        s.diagnostics ||
        s.authMode === 'basic' ||
        s.authMode === 'delegated' ||
        hasFullAccessAsApp(s)
      )
        return null;
      return { confidence: 'low', because: s.claims ? [`Exchange token roles: ${rolesOn(s)}`] : [] };
    },
    summary: () =>
      "EWS refused the token (401) without saying why. Most often the app lacks full_access_as_app on Office 365 Exchange Online (or its admin consent); a token for another resource or an expired one look the same. The x-ms-diagnostics response header, or the token's aud and roles at jwt.ms, tell which.",
    fix: (t) => [...FIXES.grantFullAccessAsApp(t).slice(0, 2), ...FIXES.tokenScope(t).slice(1)],
    docs: [DOCS.ewsOAuth, DOCS.accessTokens],
  },
  {
    id: 'ews-401-user-token',
    cause: 'delegated_permission_only',
    detail: 'user_lacks_mailbox_access',
    reads: 'EWS 401 to a user (delegated) token with no x-ms-diagnostics',
    match: (s) =>
      s.endpoint === 'ews' && s.status === 401 && !s.diagnostics && s.authMode === 'delegated'
        ? { confidence: 'low', because: ['the call carried a user (delegated) token'] }
        : null,
    summary: () =>
      "EWS refused a user's token (401) without saying why: a user token opens only the mailboxes that user has rights on (FullAccess), and needs the EWS.AccessAsUser.All scope. To act on any mailbox, use an app-only token with full_access_as_app.",
    fix: (t) => FIXES.grantFullAccessAsApp(t),
    docs: [DOCS.ewsOAuth, DOCS.ewsImpersonation],
  },
  {
    id: 'malformed-token',
    cause: 'other',
    detail: 'malformed_token',
    reads: 'Graph "CompactToken parsing failed", "Access token is empty.", IDX14100 "JWT is not well formed"',
    match: (s) =>
      has(s, /CompactToken parsing failed|Access token is empty|IDX14100|JWT is not well formed|token is malformed/i)
        ? { confidence: 'medium', because: [] }
        : null,
    summary: () =>
      'The service could not read the access token at all: it was empty, cut, not a JWT (an ID token, a refresh token, or a personal-account token), or sent without the "Bearer " prefix.',
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.accessTokens],
  },
];
