// The diagnosis engine, table-driven and without sockets: every cause from the full exchange, the body only and a
// client library's message only; honest confidence; cross-probe reasoning; fixes an admin can run; real public reports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAUSES } from '../../shared/core/causes';
import { diagnose, type Finding } from '../../shared/diagnosis/engine';
import { AADSTS_CODES } from '../../shared/diagnosis/aadsts-codes';
import { RULES } from '../../shared/diagnosis/rules';
import { readSignals } from '../../shared/diagnosis/signals';
import type { Evidence, TokenClaims } from '../../shared/core/evidence';

const TENANT = '7c1d5b2e-0f7a-4c2e-9a51-3d2f1c0b9e84';
const CLIENT = '0f4b1a9e-8d2c-4e6f-a1b3-5c7d9e0f2a4b';
const NOW = '2026-11-21T09:00:00Z';
const NOW_S = Date.parse(NOW) / 1000;
const MAILBOX = 'canary@contoso.com';

const claims = (aud: string, roles?: string[], extra: TokenClaims = {}): TokenClaims => ({
  aud,
  tid: TENANT,
  appid: CLIENT,
  idtyp: 'app',
  exp: NOW_S + 3000,
  ...(roles ? { roles } : {}),
  ...extra,
});
const EXO = 'https://outlook.office365.com';
const GRAPH = 'https://graph.microsoft.com';

function ews(
  status: number | null,
  headers: Record<string, string> = {},
  body = '',
  extra: Partial<Evidence> = {},
): Evidence {
  return {
    endpoint: 'ews',
    request: {
      method: 'POST',
      url: `${EXO}/EWS/Exchange.asmx`,
      operation: 'GetFolder',
      authMode: 'app-only',
      impersonation: true,
      mailbox: MAILBOX,
      headers: { 'x-anchormailbox': MAILBOX },
    },
    response: { status, headers, body },
    tokenClaims: claims(EXO, ['full_access_as_app']),
    observedAt: NOW,
    ...extra,
  };
}
function graph(status: number, code: string, message: string, extra: Partial<Evidence> = {}): Evidence {
  return {
    endpoint: 'graph',
    request: {
      method: 'GET',
      url: `${GRAPH}/v1.0/users/${encodeURIComponent(MAILBOX)}/mailFolders/inbox`,
      operation: 'GET /v1.0/users/{id}/mailFolders/inbox',
      authMode: 'app-only',
      mailbox: MAILBOX,
    },
    response: {
      status,
      headers: { 'request-id': 'r' },
      body: JSON.stringify({ error: { code, message, innerError: { date: '2026-11-21T09:00:00' } } }),
    },
    tokenClaims: claims(GRAPH, ['Mail.Read']),
    observedAt: NOW,
    ...extra,
  };
}
function token(status: number, error: string, description: string, library: string): Evidence {
  return {
    endpoint: 'token',
    request: {
      method: 'POST',
      url: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      operation: `client_credentials ${EXO}/.default`,
      authMode: 'app-only',
    },
    response: {
      status,
      headers: {},
      body: JSON.stringify({
        error,
        error_description: description,
        error_codes: [Number(description.match(/AADSTS(\d+)/)?.[1])],
      }),
    },
    error: { name: 'ServerError', message: library, code: error },
    observedAt: NOW,
  };
}
const soapFault = (code: string, text: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:${code}</faultcode><faultstring xml:lang="en-US">${text}</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">${code}</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">${text}</e:Message></detail></s:Fault></s:Body></s:Envelope>`;
const bodyOnly = (endpoint: Evidence['endpoint'], body: string): Evidence => ({
  endpoint,
  response: { status: null, headers: {}, body },
});
const messageOnly = (endpoint: Evidence['endpoint'], name: string, message: string): Evidence => ({
  endpoint,
  error: { name, message },
});

const BEARER_401 =
  'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", error="invalid_token",Basic Realm=""';
const diag = (code: number, reason: string, category: string) =>
  `${code};reason="${reason}";error_category="${category}"`;

/** [cause, form, evidence]: every cause in three forms (or more) a user meets it in. */
const TABLE: [string, string, Evidence][] = [
  [
    'delegated_permission_only',
    'full exchange: 2000008 and an app token without roles',
    ews(
      401,
      {
        'www-authenticate': BEARER_401,
        'x-ms-diagnostics': diag(
          2000008,
          'The token contains no permissions, or permissions can not be understood.',
          'invalid_grant',
        ),
      },
      '',
      { tokenClaims: claims(EXO) },
    ),
  ],
  [
    'delegated_permission_only',
    'body only: Graph NoPermissionsInAccessToken',
    bodyOnly(
      'graph',
      '{"error":{"code":"NoPermissionsInAccessToken","message":"The token contains no permissions, or permissions can not be understood."}}',
    ),
  ],
  [
    'delegated_permission_only',
    'library only: python-o365',
    messageOnly(
      'graph',
      'HTTPError',
      '401 Client Error: Unauthorized for url: https://graph.microsoft.com/v1.0/users/x@y.com/sendMail | Error Message: The token contains no permissions, or permissions can not be understood.',
    ),
  ],
  [
    'delegated_permission_only',
    'library only: Graph .NET ServiceException',
    messageOnly(
      'graph',
      'ServiceException',
      'Code: ErrorAccessDenied\nMessage: Access is denied. Check credentials and try again.',
    ),
  ],
  [
    'delegated_permission_only',
    'full exchange: a delegated token sent with impersonation',
    ews(
      401,
      { 'x-ms-diagnostics': diag(2000008, 'The token contains not enough scope to make this call.', 'invalid_grant') },
      '',
      { tokenClaims: { aud: EXO, scp: 'User.Read', tid: TENANT } },
    ),
  ],

  [
    'missing_app_permission',
    'full exchange: EWS 401 with a token holding Graph-only roles',
    ews(
      401,
      {
        'www-authenticate': BEARER_401,
        'x-ms-diagnostics': diag(
          2000008,
          'The token contains no permissions, or permissions can not be understood.',
          'invalid_grant',
        ),
      },
      '',
      { tokenClaims: claims(EXO, ['Mail.Read']) },
    ),
  ],
  [
    'missing_app_permission',
    'body only: Graph Authorization_RequestDenied',
    bodyOnly(
      'graph',
      '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}',
    ),
  ],
  [
    'missing_app_permission',
    'library only: Graph PowerShell',
    messageOnly(
      'graph',
      'Get-MgOrganization',
      'Insufficient privileges to complete the operation. Status: 403 (Forbidden) ErrorCode: Authorization_RequestDenied',
    ),
  ],
  [
    'missing_app_permission',
    'library only: exchangelib 401 with OAuth credentials',
    {
      endpoint: 'ews',
      request: { authMode: 'app-only' },
      error: {
        name: 'UnauthorizedError',
        message: 'Invalid credentials for https://outlook.office365.com/EWS/Exchange.asmx',
      },
    },
  ],
  [
    'missing_app_permission',
    'AADSTS line only: consent',
    messageOnly(
      'token',
      'Error',
      "AADSTS65001: The user or administrator has not consented to use the application with ID 'x'.",
    ),
  ],

  [
    'wrong_audience',
    'full exchange: Graph token sent to EWS',
    ews(
      401,
      {
        'www-authenticate': BEARER_401,
        'x-ms-diagnostics': diag(
          2000003,
          "The audience claim value is invalid 'https://graph.microsoft.com'.",
          'invalid_resource',
        ),
      },
      '',
      { tokenClaims: claims(GRAPH, ['Mail.Read']) },
    ),
  ],
  [
    'wrong_audience',
    'body only: Graph Invalid audience',
    bodyOnly(
      'graph',
      '{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}',
    ),
  ],
  [
    'wrong_audience',
    'AADSTS line only: resource principal',
    messageOnly(
      'token',
      'MsalServiceException',
      'AADSTS500011: The resource principal named https://outlook.office365.com/EWS/Exchange.asmx was not found in the tenant named Contoso.',
    ),
  ],
  [
    'wrong_audience',
    'full token exchange: invalid scope',
    token(
      400,
      'invalid_scope',
      'AADSTS1002012: The provided value for scope https://outlook.office365.com/full_access_as_app is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
      'invalid_scope: 1002012',
    ),
  ],

  [
    'missing_impersonation_header',
    'full exchange: fault without impersonation',
    ews(
      500,
      { 'x-backendhttpstatus': '500' },
      soapFault(
        'ErrorInvalidExchangeImpersonationHeaderData',
        'ExchangeImpersonation SOAP header must be present for this type of OAuth token.',
      ),
      { request: { authMode: 'app-only', impersonation: false } },
    ),
  ],
  [
    'missing_impersonation_header',
    'body only: SOAP fault',
    bodyOnly(
      'ews',
      soapFault(
        'ErrorInvalidExchangeImpersonationHeaderData',
        'ExchangeImpersonation SOAP header must be present for this type of OAuth token.',
      ),
    ),
  ],
  [
    'missing_impersonation_header',
    'library only: EWS Managed API',
    messageOnly(
      'ews',
      'Microsoft.Exchange.WebServices.Data.ServiceResponseException',
      'ExchangeImpersonation SOAP header must be present for this type of OAuth token.',
    ),
  ],
  [
    'missing_impersonation_header',
    'library only: exchangelib',
    messageOnly(
      'ews',
      'ErrorInvalidExchangeImpersonationHeaderData',
      'ExchangeImpersonation SOAP header must be present for this type of OAuth token.',
    ),
  ],

  [
    'mailbox_out_of_scope',
    'full exchange: Graph [RAOP]',
    graph(
      403,
      'ErrorAccessDenied',
      'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
    ),
  ],
  [
    'mailbox_out_of_scope',
    'body only: Graph [RAOP]',
    bodyOnly(
      'graph',
      '{"error":{"code":"ErrorAccessDenied","message":"Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."}}',
    ),
  ],
  [
    'mailbox_out_of_scope',
    'library only: exchangelib bare 403',
    messageOnly(
      'ews',
      'MalformedResponseError',
      "Unknown failure in response. Code: 403 headers: {'Content-Length': '0', 'X-BackEndHttpStatus': '403'} content: b''",
    ),
  ],
  [
    'mailbox_out_of_scope',
    'library only: EWS Managed API 403',
    messageOnly(
      'ews',
      'ServiceRequestException',
      'The request failed. The remote server returned an error: (403) Forbidden.',
    ),
  ],

  [
    'ews_disabled',
    'full exchange: X-EWS-Policy-Reason disabled',
    ews(403, { 'x-ews-policy-reason': 'EWS is disabled for this user or tenant', 'x-backendhttpstatus': '403' }),
  ],
  [
    'ews_disabled',
    'full exchange: X-EWS-Policy-Reason blocked by policy',
    ews(403, { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' }),
  ],
  [
    'ews_disabled',
    'library only: exchangelib with the headers it prints',
    messageOnly(
      'ews',
      'MalformedResponseError',
      "Unknown failure in response. Code: 403 headers: {'X-EWS-Policy-Reason': 'EWS is blocked by policy for this user or tenant', 'X-BackEndHttpStatus': '403'} content: b''",
    ),
  ],
  [
    'ews_disabled',
    'body only: the documented reason quoted',
    bodyOnly('ews', 'HTTP/1.1 403 Forbidden\nX-EWS-Policy-Reason: EWS is disabled for this user or tenant'),
  ],

  [
    'mailbox_not_found',
    'full exchange: ErrorNonExistentMailbox',
    ews(500, {}, soapFault('ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.')),
  ],
  [
    'mailbox_not_found',
    'body only: Graph MailboxNotEnabledForRESTAPI',
    bodyOnly(
      'graph',
      '{"error":{"code":"MailboxNotEnabledForRESTAPI","message":"The mailbox is either inactive, soft-deleted, or is hosted on-premise."}}',
    ),
  ],
  [
    'mailbox_not_found',
    'library only: exchangelib',
    messageOnly('ews', 'ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.'),
  ],
  [
    'mailbox_not_found',
    'full exchange: Graph ErrorInvalidUser',
    graph(404, 'ErrorInvalidUser', `The requested user '${MAILBOX}' is invalid.`),
  ],

  [
    'invalid_client_credentials',
    'full token exchange: expired secret',
    token(
      401,
      'invalid_client',
      "AADSTS7000222: The provided client secret keys for app '0f4b1a9e-8d2c-4e6f-a1b3-5c7d9e0f2a4b' are expired.",
      'Error(s): 7000222 - Description: AADSTS7000222: The provided client secret keys are expired.',
    ),
  ],
  [
    'invalid_client_credentials',
    'body only: wrong secret',
    bodyOnly(
      'token',
      '{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID"}',
    ),
  ],
  [
    'invalid_client_credentials',
    'library only: MSAL certificate',
    messageOnly(
      'token',
      'ServerError',
      'invalid_client: Error(s): 700027 - Description: AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.',
    ),
  ],
  [
    'invalid_client_credentials',
    'library only: oauthlib (exchangelib)',
    messageOnly('token', 'InvalidClientError', '(invalid_client) AADSTS7000215: Invalid client secret provided.'),
  ],

  [
    'app_or_tenant_not_found',
    'full token exchange: unknown app',
    token(
      400,
      'unauthorized_client',
      "AADSTS700016: Application with identifier '0f4b1a9e-8d2c-4e6f-a1b3-5c7d9e0f2a4b' was not found in the directory 'Contoso'.",
      'Error(s): 700016',
    ),
  ],
  [
    'app_or_tenant_not_found',
    'body only: unknown tenant',
    bodyOnly(
      'token',
      '{"error":"invalid_request","error_description":"AADSTS90002: Tenant \'contoso.onmicrosoft.de\' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."}',
    ),
  ],
  [
    'app_or_tenant_not_found',
    'library only: azure-identity',
    messageOnly(
      'token',
      'ClientAuthenticationError',
      "ClientSecretCredential.get_token failed: AADSTS900023: Specified tenant identifier 'contso' is neither a valid DNS name, nor a valid external domain.",
    ),
  ],

  [
    'throttled',
    'full exchange: Graph 429 with Retry-After',
    graph(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
      response: {
        status: 429,
        headers: { 'retry-after': '30' },
        body: '{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}',
      },
    }),
  ],
  [
    'throttled',
    'body only: ErrorServerBusy',
    bodyOnly('ews', soapFault('ErrorServerBusy', 'The server cannot service this request right now. Try again later.')),
  ],
  [
    'throttled',
    'library only: exchangelib',
    messageOnly(
      'ews',
      'ErrorServerBusy',
      'The server cannot service this request right now. Try again later. (back off 300 seconds)',
    ),
  ],
  [
    'throttled',
    'library only: Graph SDK TooManyRequests',
    messageOnly('graph', 'ODataError', 'Code: TooManyRequests Message: Too many requests'),
  ],

  [
    'basic_auth_disabled',
    'full exchange: Basic request refused',
    ews(401, { 'www-authenticate': 'Basic Realm=""', 'x-backendhttpstatus': '401' }, '', {
      request: { authMode: 'basic', impersonation: false },
      tokenClaims: undefined,
    }),
  ],
  [
    'basic_auth_disabled',
    'headers only: a Basic-only challenge',
    { endpoint: 'ews', response: { status: 401, headers: { 'WWW-Authenticate': 'Basic Realm=""' }, body: '' } },
  ],
  [
    'basic_auth_disabled',
    'library only: exchangelib with HTTPBasicAuth',
    messageOnly(
      'ews',
      'UnauthorizedError',
      'Invalid credentials for https://outlook.office365.com/EWS/Exchange.asmx Auth type: <requests.auth.HTTPBasicAuth object at 0x7f> Status code: 401',
    ),
  ],

  [
    'conditional_access_or_network_block',
    'full token exchange: 53003',
    token(
      400,
      'invalid_grant',
      'AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
      'AADSTS53003: Access has been blocked by Conditional Access policies.',
    ),
  ],
  [
    'conditional_access_or_network_block',
    'body only',
    bodyOnly(
      'token',
      '{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","suberror":"message_only"}',
    ),
  ],
  [
    'conditional_access_or_network_block',
    'library only: MSAL InteractionRequiredAuthError',
    messageOnly(
      'token',
      'InteractionRequiredAuthError',
      'AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
    ),
  ],

  [
    'token_expired',
    'full exchange: exp before the call',
    ews(401, { 'www-authenticate': BEARER_401 }, '', {
      tokenClaims: claims(EXO, ['full_access_as_app'], { exp: NOW_S - 600 }),
    }),
  ],
  [
    'token_expired',
    'body only: Graph lifetime validation',
    bodyOnly(
      'graph',
      '{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}',
    ),
  ],
  [
    'token_expired',
    'library only: Graph JavaScript SDK',
    messageOnly('graph', 'GraphError', 'Access token has expired or is not yet valid.'),
  ],

  [
    'other',
    'full exchange: auth strength too weak',
    ews(401, {
      'x-ms-diagnostics': diag(
        2000010,
        'The access token is acquired using an authentication method that is too weak to allow access for this application. Presented auth strength was 1, required is 2.',
        'insufficient_auth_strength',
      ),
    }),
  ],
  [
    'other',
    'library only: connection refused',
    messageOnly('graph', 'TypeError', 'fetch failed: connect ECONNREFUSED 127.0.0.1:443'),
  ],
  [
    'other',
    'body only: a token Graph cannot parse',
    bodyOnly(
      'graph',
      '{"error":{"code":"InvalidAuthenticationToken","message":"CompactToken parsing failed with error code: 80049217"}}',
    ),
  ],
  [
    'other',
    'body only: Graph /me with an app token',
    bodyOnly(
      'graph',
      '{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow."}}',
    ),
  ],
];

describe.each(TABLE)('%s from %s', (cause, _form, evidence) => {
  test('is the top finding', () => {
    const { verdict, findings } = diagnose([evidence]);
    expect(verdict).toBe('failing');
    expect(findings[0]?.cause).toBe(cause);
  });
});

test('the table covers every cause in at least three forms', () => {
  for (const cause of CAUSES) expect(TABLE.filter(([c]) => c === cause).length).toBeGreaterThanOrEqual(3);
});

test('every rule names a cause from the contract, the evidence it reads, and is unique', () => {
  const ids = RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of RULES) {
    expect(CAUSES).toContain(rule.cause);
    expect(rule.reads.length).toBeGreaterThan(10);
    for (const link of rule.docs) expect(link).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  }
});

test('every cause has a rule with fix steps and a docs link', () => {
  const target = { tenant: TENANT, client: CLIENT, login: 'https://login.microsoftonline.com', mailbox: MAILBOX };
  const signals = readSignals(ews(403));
  for (const cause of CAUSES) {
    const complete = RULES.filter(
      (r) =>
        r.cause === cause && r.docs.length > 0 && r.fix(target, signals, { confidence: 'low', because: [] }).length > 0,
    );
    expect([cause, complete.length > 0]).toEqual([cause, true]);
  }
});

describe('confidence is honest', () => {
  const top = (evidence: Evidence[]) => diagnose(evidence).findings;

  test('decisive evidence is high', () => {
    expect(top([ews(403, { 'x-ews-policy-reason': 'EWS is disabled for this user or tenant' })])[0]).toEqual(
      expect.objectContaining({ cause: 'ews_disabled', confidence: 'high' }),
    );
  });

  test('"Access to OData is disabled." without [RAOP] lists an access policy and a user-agent list, and says what tells them apart', () => {
    const findings = top([graph(403, 'ErrorAccessDenied', 'Access to OData is disabled.')]);
    expect(findings.map((f) => f.cause)).toEqual(['ews_disabled', 'mailbox_out_of_scope']);
    expect(findings[0]!.confidence).toBe('medium');
    expect(findings[0]!.summary).toMatch(/user-agent/);
    expect(findings[0]!.summary).toMatch(/tells them apart/);
  });

  test('a bare 403 from a library is never high and names the other reading', () => {
    const findings = top([messageOnly('ews', 'MalformedResponseError', 'Unknown failure in response. Code: 403')]);
    expect(findings[0]).toEqual(expect.objectContaining({ cause: 'mailbox_out_of_scope', confidence: 'medium' }));
    expect(findings.map((f) => f.cause)).toContain('ews_disabled');
  });

  test('"no permissions" without the token is medium, with missing consent as the second reading', () => {
    const findings = top([
      bodyOnly(
        'graph',
        '{"error":{"code":"NoPermissionsInAccessToken","message":"The token contains no permissions, or permissions can not be understood."}}',
      ),
    ]);
    expect(findings.map((f) => [f.cause, f.confidence])).toEqual([
      ['delegated_permission_only', 'medium'],
      ['missing_app_permission', 'low'],
    ]);
  });

  test('a bare EWS 401 is never more than low: password sign-in and missing permission both fit', () => {
    const findings = top([
      messageOnly(
        'ews',
        'ServiceRequestException',
        'The request failed. The remote server returned an error: (401) Unauthorized.',
      ),
    ]);
    expect(findings.map((f) => [f.cause, f.confidence])).toEqual([
      ['basic_auth_disabled', 'low'],
      ['missing_app_permission', 'low'],
    ]);
    expect(findings[0]!.summary).toMatch(/x-ms-diagnostics would say/);
  });

  test('a failure no rule explains is other, low, and says what would tell more', () => {
    const findings = top([ews(500, {}, 'something odd')]);
    expect(findings[0]).toEqual(expect.objectContaining({ cause: 'other', confidence: 'low' }));
  });

  test('evidence with nothing in it is unknown, not a guess', () => {
    expect(diagnose([{ endpoint: 'ews' }])).toEqual({
      verdict: 'unknown',
      findings: [expect.objectContaining({ cause: 'other', confidence: 'low', detail: 'no_evidence' })],
    });
  });

  test('a call that worked gives no finding', () => {
    expect(diagnose([ews(200)])).toEqual({ verdict: 'healthy', findings: [] });
  });

  test('without observedAt no rule judges the token time against the current clock', () => {
    const old = ews(401, { 'www-authenticate': BEARER_401 }, '', {
      tokenClaims: claims(EXO, ['full_access_as_app'], { exp: 1 }),
    });
    delete old.observedAt;
    expect(diagnose([old]).findings[0]!.cause).not.toBe('token_expired');
  });
});

describe('one call weighed against the others in the cycle', () => {
  const other = 'other@contoso.com';
  const worked = (e: Evidence): Evidence => ({
    ...e,
    request: { ...e.request, mailbox: other, headers: { 'x-anchormailbox': other } },
    response: { status: 200, headers: {}, body: '' },
  });

  test('a bare EWS 403 for one mailbox while another works is out of scope, with high confidence', () => {
    const failing = ews(403);
    const { verdict, findings } = diagnose([failing, worked(failing)]);
    expect(verdict).toBe('degraded');
    expect(findings[0]).toEqual(
      expect.objectContaining({
        cause: 'mailbox_out_of_scope',
        detail: 'outside_application_access_policy',
        confidence: 'high',
      }),
    );
  });

  test('without full_access_as_app in the token, a mailbox-scoped EWS refusal is an RBAC for Applications scope', () => {
    const failing = ews(403, {}, '', { tokenClaims: claims(EXO, ['Exchange.ManageAsApp']) });
    expect(diagnose([failing, worked(failing)]).findings[0]).toEqual(
      expect.objectContaining({ cause: 'mailbox_out_of_scope', detail: 'outside_rbac_scope', confidence: 'high' }),
    );
  });

  test('Graph working while EWS gives a bare 403 and the allow list lacks this app is the allow list', () => {
    const controlPlane = {
      organizationEwsEnabled: true,
      ewsAllowedAppIds: ['11111111-1111-1111-1111-111111111111'],
      appInAllowList: false,
      mailboxEwsEnabled: {},
    };
    const findings = diagnose([ews(403), graph(200, '', '', { response: { status: 200, headers: {}, body: '' } })], {
      controlPlane,
    }).findings;
    expect(findings[0]).toEqual(
      expect.objectContaining({ cause: 'ews_disabled', detail: 'app_not_in_ews_allowed_app_ids', confidence: 'high' }),
    );
  });

  test('"no permissions" on EWS while the Graph token holds roles is a missing full_access_as_app', () => {
    const refused = ews(
      401,
      {
        'x-ms-diagnostics': diag(
          2000008,
          'The token contains no permissions, or permissions can not be understood.',
          'invalid_grant',
        ),
      },
      '',
      { tokenClaims: claims(EXO) },
    );
    const graphToken: Evidence = {
      endpoint: 'token',
      request: { operation: `client_credentials ${GRAPH}/.default` },
      response: { status: 200, headers: {}, body: '' },
      tokenClaims: claims(GRAPH, ['Mail.Read']),
    };
    expect(diagnose([graphToken, refused]).findings[0]).toEqual(
      expect.objectContaining({
        cause: 'missing_app_permission',
        detail: 'full_access_as_app_not_granted',
        confidence: 'high',
      }),
    );
    expect(diagnose([refused]).findings[0]).toEqual(
      expect.objectContaining({ cause: 'delegated_permission_only', confidence: 'high' }),
    );
  });

  test('EWS blocked by policy and Graph "Access to OData is disabled." together mean the user-agent list', () => {
    const findings = diagnose([
      ews(403, { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' }),
      graph(403, 'ErrorAccessDenied', 'Access to OData is disabled.'),
    ]).findings;
    expect(findings[0]).toEqual(
      expect.objectContaining({ cause: 'ews_disabled', detail: 'user_agent_not_allowed', confidence: 'high' }),
    );
  });
});

describe('the calendar', () => {
  const blocked = (observedAt: string) =>
    ews(403, { 'x-ews-policy-reason': 'EWS is disabled for this user or tenant' }, '', { observedAt });
  const plane = {
    organizationEwsEnabled: true,
    ewsAllowedAppIds: [CLIENT],
    appInAllowList: true,
    mailboxEwsEnabled: { [MAILBOX]: null },
  };

  test('after 2027-04-01 a disabled EWS is the retirement, and the fix is to move to Graph', () => {
    const finding = diagnose([blocked('2027-04-02T00:00:00Z')], { controlPlane: plane }).findings[0]!;
    expect(finding).toEqual(expect.objectContaining({ cause: 'ews_disabled', detail: 'ews_retired' }));
    expect(finding.fix!.join(' ')).toMatch(/Microsoft Graph/);
  });

  test('from 2026-10-01, a block the settings do not explain is the mailbox licence; before, it is not', () => {
    expect(diagnose([blocked('2026-11-21T09:00:00Z')], { controlPlane: plane }).findings[0]!.detail).toBe(
      'frontline_license',
    );
    expect(diagnose([blocked('2026-09-01T09:00:00Z')], { controlPlane: plane }).findings[0]!.detail).toBe(
      'ews_disabled_for_organization_or_mailbox',
    );
  });
});

describe('fixes an admin can carry out', () => {
  const fixOf = (evidence: Evidence[], context = {}): Finding => diagnose(evidence, context).findings[0]!;

  test("a missing EWS permission names full_access_as_app and the tenant's admin-consent URL", () => {
    const fix = fixOf([
      ews(
        401,
        {
          'x-ms-diagnostics': diag(
            2000008,
            'The token contains no permissions, or permissions can not be understood.',
            'invalid_grant',
          ),
        },
        '',
        { tokenClaims: claims(EXO) },
      ),
    ]).fix!.join('\n');
    expect(fix).toContain('Office 365 Exchange Online > Application permissions, add full_access_as_app');
    expect(fix).toContain(`https://login.microsoftonline.com/${TENANT}/adminconsent?client_id=${CLIENT}`);
  });

  test('adding the app to EwsAllowedAppIDs reads, merges and writes, keeping the ids already there', () => {
    const controlPlane = {
      organizationEwsEnabled: true,
      ewsAllowedAppIds: ['aaaa'],
      appInAllowList: false,
      mailboxEwsEnabled: {},
    };
    const fix = fixOf([ews(403, { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' })], {
      controlPlane,
    }).fix!.join('\n');
    expect(fix).toMatch(/Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy/);
    expect(fix).toContain(`$merged = @($ids) + '${CLIENT}' | Sort-Object -Unique`);
    expect(fix).toContain("Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',')");
    expect(fix).toMatch(/EwsAllowedAppIDs -split ',' \| Where-Object .*# read back/);
  });

  test('EWS off for a mailbox gives Set-CASMailbox for that mailbox; off for the tenant gives Set-OrganizationConfig', () => {
    const mailboxOff = {
      organizationEwsEnabled: true,
      ewsAllowedAppIds: null,
      appInAllowList: null,
      mailboxEwsEnabled: { [MAILBOX]: false },
    };
    expect(
      fixOf([ews(403, { 'x-ews-policy-reason': 'EWS is disabled for this user or tenant' })], {
        controlPlane: mailboxOff,
      }).fix,
    ).toContain(`Set-CASMailbox -Identity ${MAILBOX} -EwsEnabled $true`);
    const orgOff = { ...mailboxOff, organizationEwsEnabled: false, mailboxEwsEnabled: {} };
    expect(
      fixOf([ews(403, { 'x-ews-policy-reason': 'EWS is disabled for this user or tenant' })], {
        controlPlane: orgOff,
      }).fix!.join('\n'),
    ).toMatch(/Set-OrganizationConfig -EwsEnabled \$true/);
  });

  test('an RBAC scope miss gives Test-ServicePrincipalAuthorization and New-ManagementRoleAssignment for this app and mailbox', () => {
    const failing = ews(403, {}, '', { tokenClaims: claims(EXO, ['Exchange.ManageAsApp']) });
    const other = {
      ...failing,
      request: { ...failing.request, mailbox: 'b@contoso.com' },
      response: { status: 200, headers: {}, body: '' },
    };
    const fix = fixOf([failing, other]).fix!.join('\n');
    expect(fix).toContain(`Test-ServicePrincipalAuthorization -Identity ${CLIENT} -Resource ${MAILBOX}`);
    expect(fix).toContain(`New-ManagementRoleAssignment -App ${CLIENT} -Role "Application EWS.AccessAsApp"`);
  });

  test('where the evidence does not name the tenant or app, the fix says so with placeholders', () => {
    expect(
      fixOf([
        messageOnly(
          'graph',
          'ServiceException',
          'Code: ErrorAccessDenied Message: Access is denied. Check credentials and try again.',
        ),
      ]).fix!.join('\n'),
    ).toContain('<tenant-id>/adminconsent?client_id=<client-id>');
  });
});

test('no token, Authorization header or secret in the evidence reaches a finding', () => {
  const jwt =
    'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
  const leaky = messageOnly(
    'ews',
    'MalformedResponseError',
    `Unknown failure in response. Code: 403 Request headers: {'Authorization': 'Bearer ${jwt}'} client_secret=s3cr3t-value&scope=x`,
  );
  const output = JSON.stringify(diagnose([leaky]));
  expect(output).not.toContain(jwt.split('.')[1]);
  expect(output).not.toContain('s3cr3t-value');
});

describe('real failures posted publicly by people outside this project', () => {
  const { cases } = JSON.parse(readFileSync(join(__dirname, '../fixtures/public-failures.json'), 'utf8')) as {
    cases: { source: string; cause: string; evidence: Evidence }[];
  };

  test.each(cases.map((c) => [c.source, c.cause, c.evidence] as const))('%s is %s', (_source, cause, evidence) => {
    expect(diagnose([evidence]).findings[0]?.cause).toBe(cause);
  });

  test('a wrong top finding is never given with high confidence', () => {
    const wrongAndSure = cases.filter((c) => {
      const top = diagnose([c.evidence]).findings[0];
      return top && top.cause !== c.cause && top.confidence === 'high';
    });
    expect(wrongAndSure.map((c) => c.source)).toEqual([]);
  });
});

describe('the differential: every reading the evidence allows, and the check that tells them apart', () => {
  const withAppToken = (evidence: Evidence, observedAt = NOW): Evidence => ({
    ...evidence,
    tokenClaims: claims(EXO, ['full_access_as_app']),
    observedAt,
  });
  const BARE_403: [string, Evidence][] = [
    ['the full exchange', ews(403)],
    [
      'a library only',
      withAppToken(messageOnly('ews', 'MalformedResponseError', 'Unknown failure in response. Code: 403')),
    ],
    [
      'pasted text',
      withAppToken(
        messageOnly('ews', 'Error', 'The request failed. The remote server returned an error: (403) Forbidden.'),
      ),
    ],
  ];

  test.each(BARE_403)(
    'a bare EWS 403 after 2026-10-01 to an app with full_access_as_app (%s) leads with ews_disabled',
    (_form, evidence) => {
      const top = diagnose([evidence]).findings[0]!;
      expect([top.cause, top.confidence]).toEqual(['ews_disabled', 'medium']);
      expect(top.candidates?.map((c) => c.cause)).toEqual(['ews_disabled', 'mailbox_out_of_scope']);
      expect(top.candidates?.[0]?.tellsApart).toMatch(/X-EWS-Policy-Reason.*EwsAllowedAppIDs/);
      expect(top.candidates?.[1]?.tellsApart).toMatch(/Test-ApplicationAccessPolicy/);
    },
  );

  test.each(BARE_403)('the same 403 before the default block (%s) leads with the mailbox scope', (_form, evidence) => {
    const top = diagnose([{ ...evidence, observedAt: '2026-09-01T09:00:00Z' }]).findings[0]!;
    expect(top.cause).toBe('mailbox_out_of_scope');
    expect(top.candidates?.map((c) => c.cause)).toContain('ews_disabled');
  });

  test('X-EWS-Policy-Reason is the first split: decisive when documented, still EWS blocked when not', () => {
    const documented = diagnose([
      ews(403, { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant' }),
    ]).findings[0]!;
    expect([documented.cause, documented.confidence, documented.candidates]).toEqual([
      'ews_disabled',
      'high',
      undefined,
    ]);
    const unknown = diagnose([ews(403, { 'x-ews-policy-reason': 'Application is not allowed' })]).findings[0]!;
    expect([unknown.cause, unknown.detail, unknown.confidence]).toEqual([
      'ews_disabled',
      'ews_policy_reason_unrecognised',
      'medium',
    ]);
  });
});

describe("the caller's own words never decide a cause", () => {
  // Each row: what the service said, and the same failure as a caller pasted it inside their own code and stack.
  const ROWS: [string, Evidence, Evidence][] = [
    [
      'a Python traceback whose functions are named for tokens',
      messageOnly('ews', 'UnauthorizedError', 'Unknown failure in response. Code: 401'),
      messageOnly(
        'ews',
        'UnauthorizedError',
        'Traceback (most recent call last):\n  File "sync.py", line 42, in refresh_oauth_token\n    account = connect(get_bearer_token())\nexchangelib.errors.UnauthorizedError: Unknown failure in response. Code: 401',
      ),
    ],
    [
      'a .NET stack with classes named for throttling',
      messageOnly(
        'ews',
        'ServiceRequestException',
        'The request failed. The remote server returned an error: (401) Unauthorized.',
      ),
      messageOnly(
        'ews',
        'ServiceRequestException',
        'The request failed. The remote server returned an error: (401) Unauthorized.\n   at Backup.Ews.ThrottlingAwareClient.BindInbox(String mailbox)\n   at Backup.Ews.ConditionalAccessRetry.Run()',
      ),
    ],
    [
      'a JavaScript stack and identifiers named for OData',
      messageOnly('graph', 'GraphError', 'Access is denied. Check credentials and try again.'),
      messageOnly(
        'graph',
        'GraphError',
        'Access is denied. Check credentials and try again. (in readOdataMailbox)\n    at readOdataMailbox (/srv/app/probe.js:12:9)',
      ),
    ],
    [
      'a PowerShell script whose variables hold phrases',
      messageOnly(
        'ews',
        'MethodInvocationException',
        'Exception calling "Bind" with "2" argument(s): "The request failed. The remote server returned an error: (403) Forbidden."',
      ),
      messageOnly(
        'ews',
        'MethodInvocationException',
        '$hint = \'not enough scope, see the wiki\'\nException calling "Bind" with "2" argument(s): "The request failed. The remote server returned an error: (403) Forbidden."',
      ),
    ],
  ];

  test.each(ROWS)('%s', (_what, service, pasted) => {
    const top = (evidence: Evidence) => {
      const finding = diagnose([evidence]).findings[0]!;
      return [finding.cause, finding.detail, finding.confidence];
    };
    expect(top(pasted)).toEqual(top(service));
  });
});

describe('rules grown from the public corpus, each in the three forms people post', () => {
  const as = (authMode: 'delegated' | 'basic' | 'app-only', evidence: Evidence): Evidence => ({
    ...evidence,
    request: { ...evidence.request, authMode },
  });
  const userEws = (status: number, body = '') => {
    const evidence = ews(status, {}, body, { tokenClaims: undefined, observedAt: '2025-03-01T09:00:00Z' });
    return as('delegated', { ...evidence, request: { ...evidence.request, impersonation: false } });
  };
  const userToken = (description: string): Evidence =>
    as('delegated', {
      ...token(400, 'invalid_grant', description, description),
      request: { method: 'POST', url: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token` },
    });
  // [what, cause, detail of the top finding, the raw HTTP exchange, a library's rendering, text pasted in a post]
  const ROWS: [string, string, string | undefined, Evidence, Evidence, Evidence][] = [
    [
      'an unlicensed mailbox (ErrorInvalidLicense)',
      'mailbox_not_found',
      'mailbox_not_licensed',
      ews(500, {}, soapFault('ErrorInvalidLicense', 'The license is invalid for this mailbox.')),
      messageOnly(
        'ews',
        'exchangelib.errors.ErrorInvalidLicense',
        "The license is invalid for this mailbox., Mailbox 'c0593cae-2dea-4178-aecf-63d6b17809e7' doesn't have a valid license.",
      ),
      messageOnly(
        'ews',
        'Error',
        'sync failed: ErrorInvalidLicense (The license is invalid for this mailbox.) on mb 3',
      ),
    ],
    [
      'a personal outlook.com account',
      'other',
      'consumer_account',
      as('delegated', {
        ...ews(403, {}, '', { tokenClaims: undefined }),
        request: { url: 'https://outlook.live.com/EWS/Exchange.asmx', authMode: 'delegated' },
      }),
      {
        endpoint: 'ews',
        request: { url: 'https://outlook.live.com/EWS/Exchange.asmx' },
        error: { name: 'ServiceRequestException', message: 'The remote server returned an error: (403) Forbidden.' },
      },
      messageOnly('ews', 'Error', 'every call fails with 403 forbidden for outlook.com (outlook.live.com) accounts'),
    ],
    [
      'a bare EWS 403 to a user token',
      'other',
      'user_token_refused',
      userEws(403),
      as(
        'delegated',
        messageOnly('ews', 'ServiceRequestException', 'The remote server returned an error: (403) Forbidden.'),
      ),
      as(
        'delegated',
        messageOnly(
          'ews',
          'Error',
          'WasProxySuccessful: false, ErrorMessage: "The remote server returned an\nerror: (403) Forbidden."',
        ),
      ),
    ],
    [
      'a bare EWS 401 to a user token',
      'delegated_permission_only',
      'user_lacks_mailbox_access',
      userEws(401),
      as(
        'delegated',
        messageOnly(
          'ews',
          'ServiceRequestException',
          'The request failed. The remote server returned an error: (401) Unauthorized.',
        ),
      ),
      as(
        'delegated',
        messageOnly(
          'ews',
          'MethodInvocationException',
          'ERROR (ThrottledFolderBind): Exception calling "Bind" with "3" argument(s): "The request failed. The remote server returned an error: (401) Unauthorized."',
        ),
      ),
    ],
    [
      'impersonation with a user token',
      'delegated_permission_only',
      'delegated_token_without_scope',
      as(
        'delegated',
        ews(
          500,
          {},
          soapFault(
            'ErrorImpersonateUserDenied',
            'The account does not have permission to impersonate the requested user.',
          ),
          { tokenClaims: undefined },
        ),
      ),
      as('delegated', {
        ...messageOnly('ews', 'ServiceResponseException', 'The request failed.'),
        request: { authMode: 'delegated', impersonation: true },
      }),
      as('delegated', {
        ...messageOnly('ews', 'Error', 'VERBOSE: FAILED to bind to folder MsgFolderRoot (a@contoso.com)'),
        request: { authMode: 'delegated', impersonation: true },
      }),
    ],
    [
      'a mailbox routed to the wrong server',
      'other',
      'mailbox_routing',
      ews(
        500,
        {},
        soapFault(
          'ErrorInternalServerError',
          "Can't connect to the mailbox of user Mailbox database guid: f22f50f7 because the ExchangePrincipal object contains outdated information. The mailbox may have been moved recently.",
        ),
      ),
      messageOnly(
        'ews',
        'ServiceResponseException',
        "Can't connect to the mailbox of user Mailbox database guid: f22f50f7-01b4 because the ExchangePrincipal object contains outdated information.",
      ),
      messageOnly(
        'ews',
        'Error',
        'got this overnight: "the ExchangePrincipal object contains outdated information. The mailbox may have been moved recently."',
      ),
    ],
    [
      'MailboxInfoStale',
      'other',
      'mailbox_backend_unavailable',
      graph(
        503,
        'MailboxInfoStale',
        "Target resource '00030000-ca28-936b-0000-000000000000' hosted on database '8d02d25d' is currently on backend 'Unknown'",
      ),
      messageOnly(
        'graph',
        'ODataError',
        "MailboxInfoStale: Target resource '00030000-ca28' hosted on database '8d02d25d' is currently on backend 'Unknown'",
      ),
      messageOnly(
        'graph',
        'Error',
        'Graph Explorer shows {"error":{"code":"MailboxInfoStale","message":"Target resource is currently on backend \'Unknown\'"}}',
      ),
    ],
    [
      'an authorization code redeemed twice',
      'other',
      'authorization_code_redeemed',
      userToken(
        'AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      ),
      as(
        'delegated',
        messageOnly('token', 'MsalUiRequiredException', 'AADSTS54005: OAuth2 Authorization code was already redeemed.'),
      ),
      as(
        'delegated',
        messageOnly(
          'token',
          'Error',
          'after an hour the login breaks: "AADSTS54005: OAuth2 Authorization code was already redeemed"',
        ),
      ),
    ],
    [
      'a malformed token request',
      'other',
      'token_request_malformed',
      token(
        400,
        'invalid_request',
        "AADSTS90014: The required field 'client_id' is missing from the credential.",
        'ServerError',
      ),
      messageOnly(
        'token',
        'ServerError',
        "invalid_request: AADSTS900144: The request body must contain the following parameter: 'client_id'.",
      ),
      messageOnly(
        'token',
        'Error',
        'Unable to fetch auth token. Error: (invalid_request) AADSTS90014: The request body must contain the following parameter.',
      ),
    ],
    [
      "a user's sign-in refused by Conditional Access without a code",
      'conditional_access_or_network_block',
      undefined,
      userToken(
        'You cannot access this right now. Your sign-in was successful but does not meet the criteria to access this resource.',
      ),
      as(
        'delegated',
        messageOnly('token', 'DavMailAuthenticationException', 'Authentication failed: invalid user or password'),
      ),
      as(
        'delegated',
        messageOnly('token', 'Error', 'the interactive window closes and the client logs "sign-in refused"'),
      ),
    ],
    [
      'a user password sign-in that Entra refused',
      'other',
      'user_sign_in_failed',
      as(
        'delegated',
        token(
          400,
          'invalid_grant',
          'AADSTS50126: Error validating credentials due to invalid username or password.',
          'ServerError',
        ),
      ),
      as(
        'delegated',
        messageOnly(
          'token',
          'AdalError',
          'AADSTS70002: Error validating credentials. AADSTS50126: Invalid username or password',
        ),
      ),
      as(
        'delegated',
        messageOnly(
          'token',
          'Error',
          'login loop, the log says AADSTS50126: Invalid username or password, Trace ID: c738f926',
        ),
      ),
    ],
    [
      'a Basic 401 with nothing from the service',
      'basic_auth_disabled',
      undefined,
      as('basic', ews(401, {}, '', { tokenClaims: undefined, observedAt: '2020-03-01T09:00:00Z' })),
      as(
        'basic',
        messageOnly(
          'ews',
          'ServiceRequestException',
          'The request failed. The remote server returned an error: (401) Unauthorized.',
        ),
      ),
      as(
        'basic',
        messageOnly('ews', 'Error', 'I was seeing multiple 401 unauthorized errors and my calendars went read-only'),
      ),
    ],
    [
      'an EWS operation that timed out',
      'other',
      'network_error',
      ews(null, {}, '', { error: { name: 'TimeoutError', message: 'The operation has timed out' } }),
      messageOnly('ews', 'ServiceRequestException', 'The request failed. The operation has timed out'),
      messageOnly(
        'ews',
        'MethodInvocationException',
        'Error (MoveItems): Exception calling "CopyItems" with "3" argument(s): "The request failed. The operation has timed out"',
      ),
    ],
    [
      'a folder a user token may not see',
      'delegated_permission_only',
      'user_lacks_mailbox_access',
      as(
        'delegated',
        graph(404, 'ErrorItemNotFound', 'The specified object was not found in the store.', { tokenClaims: undefined }),
      ),
      as(
        'delegated',
        messageOnly(
          'graph',
          'Get-MgUserMailFolder_List',
          'The specified object was not found in the store., The process failed to get the correct properties.',
        ),
      ),
      as(
        'delegated',
        messageOnly(
          'graph',
          'Error',
          'PS> Get-MgUserMailFolder -UserId other@contoso.com  →  The specified object was not found in the store.',
        ),
      ),
    ],
  ];

  describe.each(ROWS)('%s', (_what, cause, detail, raw, library, pasted) => {
    test.each([
      ['the raw HTTP exchange', raw],
      ["a library's rendering", library],
      ['text pasted in a post', pasted],
    ] as const)('%s', (_form, evidence) => {
      const topFinding = diagnose([evidence]).findings[0]!;
      expect(topFinding.cause).toBe(cause);
      if (detail) expect(topFinding.detail).toBe(detail);
    });
  });

  test("a Basic 401 is high only with the service's word for it or after Basic was switched off", () => {
    const bare = as('basic', ews(401, {}, '', { tokenClaims: undefined, observedAt: '2020-03-01T09:00:00Z' }));
    expect(diagnose([bare]).findings[0]!.confidence).toBe('medium');
    expect(diagnose([bare]).findings[0]!.candidates?.map((c) => c.cause)).toContain('other');
    const challenged = {
      ...bare,
      response: { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="outlook.office365.com"' }, body: '' },
    };
    expect(diagnose([challenged]).findings[0]!.confidence).toBe('high');
    expect(diagnose([{ ...bare, observedAt: NOW }]).findings[0]!.confidence).toBe('high');
  });

  test('a timed-out EWS operation names throttling as the other reading', () => {
    const evidence = messageOnly('ews', 'ServiceRequestException', 'The request failed. The operation has timed out');
    expect(diagnose([evidence]).findings[0]!.candidates?.map((c) => c.cause)).toEqual(['other', 'throttled']);
  });

  test('a bare EWS 403 to an app whose token is not shown keeps a missing full_access_as_app among the readings', () => {
    const evidence = as(
      'app-only',
      messageOnly(
        'ews',
        'MethodInvocationException',
        'Exception calling "Save" with "1" argument(s): "The request failed. The remote server returned an error: (403) Forbidden."',
      ),
    );
    expect(diagnose([evidence]).findings[0]!.candidates?.map((c) => c.cause)).toEqual([
      'mailbox_out_of_scope',
      'ews_disabled',
      'missing_app_permission',
    ]);
  });

  test('a user token is never read as outside an application scope', () => {
    const causes = diagnose([userEws(403)]).findings.flatMap((f) => [
      f.cause,
      ...(f.candidates ?? []).map((c) => c.cause),
    ]);
    expect(causes).not.toContain('mailbox_out_of_scope');
    expect(causes).toEqual(expect.arrayContaining(['other', 'wrong_audience', 'ews_disabled']));
  });

  test('Graph "Access is denied" to an app-only caller without its token leads with the missing permission', () => {
    const evidence = as('app-only', {
      ...graph(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
      tokenClaims: undefined,
    });
    expect(
      diagnose([evidence])
        .findings[0]!.candidates?.map((c) => c.cause)
        .slice(0, 2),
    ).toEqual(['missing_app_permission', 'delegated_permission_only']);
    const unknownMode = { ...evidence, request: { ...evidence.request, authMode: 'unknown' as const } };
    expect(diagnose([unknownMode]).findings[0]!.cause).toBe('delegated_permission_only');
  });
});

describe('the AADSTS table', () => {
  test('every code is known once, read by an existing rule, with a public source', () => {
    const codes = AADSTS_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    const ids = new Set(RULES.map((r) => r.id));
    for (const row of AADSTS_CODES) {
      expect(ids).toContain(row.rule);
      expect(row.source).toMatch(/^https:\/\//);
      expect(row.says.length).toBeGreaterThan(10);
    }
  });

  const forms = (code: number, says: string): [string, Evidence][] => [
    ['as the token endpoint answers it', token(400, 'invalid_request', `AADSTS${code}: ${says}`, 'ServerError')],
    [
      'as MSAL renders it',
      messageOnly(
        'token',
        'ServerError',
        `invalid_client: Error(s): ${code} - Timestamp: 2026-11-21 09:00:00Z - Description: AADSTS${code}: ${says} Trace ID: 1b2c Correlation ID: 3d4e`,
      ),
    ],
    [
      'as pasted in a post',
      messageOnly('token', 'Error', `got this when the job ran:\n> AADSTS${code}: ${says}\n> Trace ID: 9f8e`),
    ],
  ];
  test.each(
    AADSTS_CODES.flatMap((row) =>
      forms(row.code, row.says).map(([form, evidence]) => [row.code, form, row, evidence] as const),
    ),
  )('AADSTS%s, %s, is read as its rule reads it', (_code, _form, row, evidence) => {
    const topFinding = diagnose([evidence]).findings[0]!;
    // Entra's sentence may be decisive for the same cause through another rule (an expired token's words).
    expect(topFinding.cause).toBe(RULES.find((r) => r.id === row.rule)!.cause);
    if (topFinding.rule === row.rule) expect(topFinding.confidence).toBe(row.confidence);
  });
});
