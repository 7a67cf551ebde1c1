// Entra ID refused the token request: AADSTS codes by family.
import { DOCS, FIXES } from '../fixes';
import { aadsts, type Confidence, has, type Rule } from './rule-kit';

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

export const ENTRA_RULES: readonly Rule[] = [
  aadstsRule({
    id: 'aadsts-client-secret-expired',
    cause: 'invalid_client_credentials',
    detail: 'client_secret_expired',
    codes: { 7000222: 'high' },
    phrase: /client secret keys for app .* are expired/i,
    reads: 'AADSTS7000222',
    summary: () => "The app's client secret has expired.",
    fix: (t) => FIXES.newSecret(t),
    docs: [DOCS.appCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-client-secret-wrong',
    cause: 'invalid_client_credentials',
    detail: 'client_secret_wrong',
    codes: { 7000215: 'high', 50012: 'medium', 70002: 'medium' },
    reads: 'AADSTS7000215 (or the older AADSTS50012 / AADSTS70002 "Error validating credentials")',
    summary: () =>
      "Entra ID rejected the client secret: it is wrong, or the secret's ID was stored instead of its value.",
    fix: (t) => FIXES.newSecret(t),
    docs: [DOCS.appCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-certificate',
    cause: 'invalid_client_credentials',
    detail: 'certificate_not_registered',
    codes: { 700027: 'high', 700023: 'medium' },
    phrase: /certificate with identifier used to sign the client assertion is not registered/i,
    reads: 'AADSTS700027',
    summary: () =>
      'Entra ID rejected the client assertion: the certificate that signed it is not registered on the app, or has expired.',
    fix: (t) => FIXES.certificate(t),
    docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-federated-credential',
    cause: 'invalid_client_credentials',
    detail: 'federated_credential_mismatch',
    codes: { 70021: 'high', 700211: 'high', 700212: 'high', 700213: 'high', 7002138: 'high' },
    phrase: /No matching federated identity record found/i,
    reads: 'AADSTS70021 / 700211 / 700212 / 700213',
    summary: () =>
      'No federated credential on the app matches the issuer and subject of the token tenant-health presented.',
    fix: (t) => FIXES.federated(t),
    docs: [DOCS.workloadIdentityFederation, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-assertion-time',
    cause: 'token_expired',
    detail: 'client_assertion_out_of_time_range',
    // The assertion is itself a token the app presents: out of its time range, it is expired (or not yet valid).
    codes: { 700024: 'high' },
    phrase: /Client assertion is not within its valid time range/i,
    reads: 'AADSTS700024, or AADSTS50012 saying the assertion is out of its time range',
    summary: () =>
      "The client assertion is outside its valid time range: the signing machine's clock is off, or a federated token expired before use.",
    fix: (t) => [...FIXES.refreshToken(), ...FIXES.federated(t)],
    docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-no-credential',
    cause: 'invalid_client_credentials',
    detail: 'credential_not_sent',
    codes: { 7000218: 'high', 7000216: 'high', 700025: 'high' },
    reads: 'AADSTS7000218 / 7000216',
    summary: () => 'The token request carried no client secret or assertion.',
    fix: () => FIXES.clientCredentialSent(),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-app-not-found',
    cause: 'app_or_tenant_not_found',
    detail: 'app_not_in_tenant',
    codes: { 700016: 'high', 70001: 'high', 7000229: 'high', 50194: 'medium', 7000112: 'medium' },
    phrase: /Application with identifier .* was not found in the directory/i,
    reads: 'AADSTS700016 / 70001 / 7000229 / 50194 / 7000112',
    summary: () =>
      'Entra ID does not know this client id in this tenant (not registered, not consented in the tenant, or disabled).',
    fix: (t) => FIXES.appInTenant(t),
    docs: [DOCS.adminConsent, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-tenant-not-found',
    cause: 'app_or_tenant_not_found',
    detail: 'tenant_not_found',
    codes: { 90002: 'high', 900023: 'high', 900382: 'high', 90072: 'medium', 50059: 'medium' },
    phrase: /Tenant '.*' not found/i,
    reads: 'AADSTS90002 / 900023 / 50059',
    summary: () =>
      'Entra ID does not know this tenant in this cloud: the tenant id or domain is wrong, or the tenant lives in another cloud.',
    fix: (t) => FIXES.tenantId(t),
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-conditional-access',
    cause: 'conditional_access_or_network_block',
    codes: {
      53003: 'high',
      53000: 'high',
      53001: 'high',
      53002: 'high',
      53004: 'high',
      530032: 'high',
      50076: 'medium',
      50079: 'medium',
      50158: 'medium',
      50097: 'medium',
    },
    phrase: /blocked by Conditional Access|does not meet the criteria to access this resource/i,
    reads:
      'AADSTS53003 and the 53xxx family; 50076/50079/50158 (MFA or external challenge); "blocked by Conditional Access"',
    summary: () =>
      'A Conditional Access policy blocked token issuance for this app (workload identity policy, location or IP range).',
    fix: (t) => FIXES.conditionalAccess(t),
    docs: [DOCS.workloadConditionalAccess, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-resource-not-in-tenant',
    cause: 'wrong_audience',
    detail: 'resource_principal_not_in_tenant',
    codes: { 500011: 'high', 650052: 'medium', 50001: 'medium' },
    reads: 'AADSTS500011 / 650052 / 50001',
    summary: () =>
      "The token was asked for a resource the tenant does not have: a mistyped scope or resource URI (e.g. /EWS/Exchange.asmx in the scope, or the wrong cloud's host), or Exchange Online is not provisioned in the tenant.",
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-invalid-scope',
    cause: 'wrong_audience',
    detail: 'invalid_scope',
    codes: { 70011: 'high', 1002012: 'high', 650053: 'high', 28002: 'medium' },
    phrase: /The required field 'scope' is missing/i,
    reads: 'AADSTS70011 / 1002012',
    summary: () =>
      "The scope asked of the token endpoint is not valid for client credentials: it must be the resource's URI followed by /.default.",
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-consent',
    cause: 'missing_app_permission',
    detail: 'admin_consent_missing',
    codes: { 65001: 'high', 650057: 'high', 65004: 'medium', 90094: 'medium' },
    phrase:
      /Need admin approval|needs permission to access resources in your organization that only an admin can grant/i,
    reads: 'AADSTS65001 / 65004 / 90094',
    summary: () => 'The permissions the app asks for have not been consented in this tenant.',
    fix: (t) => FIXES.consent(t),
    docs: [DOCS.adminConsent, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-grant-expired',
    cause: 'token_expired',
    detail: 'grant_expired',
    codes: { 700082: 'medium', 70008: 'medium', 50132: 'medium' },
    reads: 'AADSTS700082 / 70008 / 50132',
    summary: () => 'The refresh token or grant presented has expired or was revoked.',
    fix: () => FIXES.refreshToken(),
    docs: [DOCS.accessTokens, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-authorization-code-redeemed',
    cause: 'other',
    detail: 'authorization_code_redeemed',
    codes: { 54005: 'high' },
    reads: 'AADSTS54005 "OAuth2 Authorization code was already redeemed"',
    summary: () =>
      'A user sign-in redeemed the same authorization code twice (a retried or raced callback in the web app); app-only access never uses one.',
    fix: () => ["Redeem each authorization code once; use the refresh token (or MSAL's cache) for later tokens."],
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-user-sign-in',
    cause: 'other',
    detail: 'user_sign_in_failed',
    codes: { 50126: 'high', 50034: 'high', 50053: 'high', 50055: 'high', 50057: 'high', 50056: 'medium' },
    reads: 'AADSTS50126 / 50034 / 50053 / 50055 / 50057 (a user sign-in, not an app)',
    summary: () =>
      'A user name and password sign-in failed (wrong password, locked, disabled or expired account); app-only access does not use a user at all.',
    fix: (t) => FIXES.basicAuth(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-request-malformed',
    cause: 'other',
    detail: 'token_request_malformed',
    codes: {
      90014: 'medium',
      900144: 'medium',
      9002313: 'medium',
      90023: 'medium',
      900561: 'medium',
      50011: 'medium',
      500201: 'medium',
    },
    reads:
      'AADSTS90014 / 900144 (a required field missing), 9002313 / 90023 (malformed request), 900561 (GET to a POST endpoint), 50011 (redirect URI), 500201 (personal account on the v1 endpoint)',
    summary: () =>
      'Entra ID refused the token request as malformed: a required parameter is missing, the redirect URI does not match the app, the request used GET, or a personal account was sent to the v1 endpoint. The client builds the request wrongly; nothing in the tenant causes it.',
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  {
    id: 'user-sign-in-policy',
    cause: 'conditional_access_or_network_block',
    detail: 'user_sign_in_policy',
    reads: "a user's (delegated) token request refused without an AADSTS code that says why",
    match: (s) =>
      s.endpoint === 'token' && s.authMode === 'delegated' && s.failed ? { confidence: 'low', because: [] } : null,
    summary: () =>
      "A user's sign-in was refused without a reason the client kept: most often a Conditional Access policy (MFA, a compliant device, a location or client app), which headless clients cannot satisfy. The sign-in logs in Entra ID show the policy.",
    fix: (t) => FIXES.conditionalAccess(t),
    docs: [DOCS.workloadConditionalAccess, DOCS.aadstsCodes],
  },
  {
    id: 'user-password-refused',
    cause: 'other',
    detail: 'user_sign_in_failed',
    reads: 'a client\'s own "invalid user or password" for a user sign-in, without Entra\'s code',
    match: (s) =>
      s.endpoint === 'token' && s.authMode !== 'app-only' && has(s, /invalid (?:user(?: ?name)?|login) or password/i)
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      "The client reports the user's sign-in as a wrong user name or password; many clients say so for any refused sign-in, Conditional Access included.",
    fix: () => ['Sign in as the user in a browser: the error Entra ID shows there (and the sign-in logs) says which.'],
    docs: [DOCS.aadstsCodes],
  },
];
