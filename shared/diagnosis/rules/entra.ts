// Entra ID refused the token request: AADSTS codes by family.
import { DOCS, FIXES } from '../fixes';
import { AADSTS_CODES } from '../aadsts-codes';
import { has, type Rule } from './rule-kit';

/**
 * A rule of one AADSTS family, its codes from the table (shared/diagnosis/aadsts-codes.ts): the first of them found
 * decides confidence; a phrase of Entra's, for renderings that keep the sentence but drop the code.
 */
function aadstsRule(rule: Omit<Rule, 'match' | 'reads'> & { phrase?: RegExp; alsoReads?: string }): Rule {
  const { phrase, alsoReads, ...rest } = rule;
  const codes = AADSTS_CODES.filter((c) => c.rule === rule.id);
  return {
    ...rest,
    reads: [`AADSTS${codes.map((c) => c.code).join(' / ')}`, alsoReads].filter(Boolean).join('; '),
    match: (s) => {
      const found = codes.find((c) => s.aadsts.includes(c.code));
      if (found) return { confidence: found.confidence, because: [] };
      return phrase && has(s, phrase) ? { confidence: 'high', because: [] } : null;
    },
  };
}

export const ENTRA_RULES: readonly Rule[] = [
  aadstsRule({
    id: 'aadsts-client-secret-expired',
    cause: 'invalid_client_credentials',
    detail: 'client_secret_expired',
    phrase: /client secret keys for app .* are expired/i,
    summary: () => "The app's client secret has expired.",
    fix: (t) => FIXES.newSecret(t),
    docs: [DOCS.appCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-client-secret-wrong',
    cause: 'invalid_client_credentials',
    detail: 'client_secret_wrong',
    summary: () =>
      "Entra ID rejected the client secret: it is wrong, or the secret's ID was stored instead of its value.",
    fix: (t) => FIXES.newSecret(t),
    docs: [DOCS.appCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-certificate',
    cause: 'invalid_client_credentials',
    detail: 'certificate_not_registered',
    phrase: /certificate with identifier used to sign the client assertion is not registered/i,
    summary: () =>
      'Entra ID rejected the client assertion: the certificate that signed it is not registered on the app, or has expired.',
    fix: (t) => FIXES.certificate(t),
    docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-client-assertion-invalid',
    cause: 'invalid_client_credentials',
    detail: 'client_assertion_invalid',
    summary: () =>
      "Entra ID could not validate the client assertion: its signature, algorithm, thumbprint header (x5t / kid), issuer and subject (the client id) or the certificate's subject name do not match what the app registration holds.",
    fix: (t) => [
      ...FIXES.certificate(t),
      'Sign the assertion with RS256 or PS256 and the x5t#S256 header of that certificate, with iss and sub both set to the client id.',
    ],
    docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-federated-credential',
    cause: 'invalid_client_credentials',
    detail: 'federated_credential_mismatch',
    phrase: /No matching federated identity record found/i,
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
    phrase: /Client assertion is not within its valid time range/i,
    summary: () =>
      "The client assertion is outside its valid time range: the signing machine's clock is off, or a federated token expired before use.",
    fix: (t) => [...FIXES.refreshToken(), ...FIXES.federated(t)],
    docs: [DOCS.certificateCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-no-credential',
    cause: 'invalid_client_credentials',
    detail: 'credential_not_sent',
    summary: () => 'The token request carried no client secret or assertion.',
    fix: () => FIXES.clientCredentialSent(),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-public-client',
    cause: 'invalid_client_credentials',
    detail: 'app_is_public_client',
    summary: () =>
      'The app registration is marked as a public client, so Entra ID refuses any secret or certificate from it: a daemon needs a confidential client.',
    fix: (t) => [
      `In Entra ID > App registrations > ${t.client} > Authentication, set "Allow public client flows" to No (and remove any "Mobile and desktop" platform it does not need).`,
    ],
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-app-not-found',
    cause: 'app_or_tenant_not_found',
    detail: 'app_not_in_tenant',
    phrase: /Application with identifier .* was not found in the directory/i,
    summary: () =>
      'Entra ID does not know this client id in this tenant (not registered, not consented in the tenant, or disabled).',
    fix: (t) => FIXES.appInTenant(t),
    docs: [DOCS.adminConsent, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-tenant-not-found',
    cause: 'app_or_tenant_not_found',
    detail: 'tenant_not_found',
    phrase: /Tenant '.*' not found/i,
    summary: () =>
      'Entra ID does not know this tenant in this cloud: the tenant id or domain is wrong, or the tenant lives in another cloud.',
    fix: (t) => FIXES.tenantId(t),
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-conditional-access',
    cause: 'conditional_access_or_network_block',
    phrase: /blocked by Conditional Access|does not meet the criteria to access this resource/i,
    summary: () =>
      'A Conditional Access policy blocked token issuance for this app (workload identity policy, location or IP range).',
    fix: (t) => FIXES.conditionalAccess(t),
    docs: [DOCS.workloadConditionalAccess, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-resource-not-in-tenant',
    cause: 'wrong_audience',
    detail: 'resource_principal_not_in_tenant',
    summary: () =>
      "The token was asked for a resource the tenant does not have: a mistyped scope or resource URI (e.g. /EWS/Exchange.asmx in the scope, or the wrong cloud's host), or Exchange Online is not provisioned in the tenant.",
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-resource-disabled',
    cause: 'other',
    detail: 'resource_service_principal_disabled',
    summary: () =>
      "The resource's service principal is disabled in the tenant (Office 365 Exchange Online or Microsoft Graph), usually because its subscription lapsed or an admin disabled it; no app can get a token for it.",
    fix: () => [
      'In Entra ID > Enterprise applications, find the resource (Office 365 Exchange Online, 00000002-0000-0ff1-ce00-000000000000) and check it is enabled; check the tenant has an active Exchange Online subscription.',
    ],
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-invalid-scope',
    cause: 'wrong_audience',
    detail: 'invalid_scope',
    phrase: /The required field 'scope' is missing/i,
    summary: () =>
      "The scope asked of the token endpoint is not valid for client credentials: it must be the resource's URI followed by /.default.",
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-consent',
    cause: 'missing_app_permission',
    detail: 'admin_consent_missing',
    phrase:
      /Need admin approval|needs permission to access resources in your organization that only an admin can grant/i,
    summary: () => 'The permissions the app asks for have not been consented in this tenant.',
    fix: (t) => FIXES.consent(t),
    docs: [DOCS.adminConsent, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-grant-expired',
    cause: 'token_expired',
    detail: 'grant_expired',
    summary: () => 'The refresh token or grant presented has expired or was revoked.',
    fix: () => FIXES.refreshToken(),
    docs: [DOCS.accessTokens, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-authorization-code-redeemed',
    cause: 'other',
    detail: 'authorization_code_redeemed',
    summary: () =>
      'A user sign-in redeemed the same authorization code twice (a retried or raced callback in the web app); app-only access never uses one.',
    fix: () => ["Redeem each authorization code once; use the refresh token (or MSAL's cache) for later tokens."],
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-user-sign-in',
    cause: 'other',
    detail: 'user_sign_in_failed',
    summary: () =>
      'A user name and password sign-in failed (wrong password, locked, disabled or expired account); app-only access does not use a user at all.',
    fix: (t) => FIXES.basicAuth(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-request-malformed',
    cause: 'other',
    detail: 'token_request_malformed',
    summary: () =>
      'Entra ID refused the token request as malformed: a required parameter is missing, the redirect URI does not match the app, the request used GET, or a personal account was sent to the v1 endpoint. The client builds the request wrongly; nothing in the tenant causes it.',
    fix: (t) => FIXES.tokenScope(t),
    docs: [DOCS.clientCredentials, DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-entra-throttled',
    cause: 'throttled',
    detail: 'token_requests_throttled',
    summary: () =>
      'Entra ID is throttling token requests from this app or tenant: tokens are being requested far more often than they expire, which a token cache prevents.',
    fix: () => [
      ...FIXES.throttled().slice(0, 1),
      'Cache tokens until shortly before they expire (MSAL does this); never request one per call.',
    ],
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-entra-unavailable',
    cause: 'other',
    detail: 'entra_unavailable',
    summary: () =>
      "Entra ID failed on its side (its sign-in or directory service is unavailable): a Microsoft outage, neither the tenant's setting nor tenant-health's.",
    fix: () => FIXES.network(),
    docs: [DOCS.aadstsCodes],
  }),
  aadstsRule({
    id: 'aadsts-tls-deprecated',
    cause: 'other',
    detail: 'tls_version_deprecated',
    summary: () =>
      'Entra ID refused the connection because the client used TLS 1.0/1.1 or a 3DES cipher: TLS 1.2 or later is required.',
    fix: () => [
      'Run the caller on a runtime that negotiates TLS 1.2 or 1.3 (Node 20 and later do by default); check any TLS-intercepting proxy.',
    ],
    docs: [DOCS.aadstsCodes],
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
