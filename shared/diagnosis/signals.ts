// What one piece of evidence says, read alike from headers, a body, or a client library's rendering of either.
import { CLOUDS, FIRST_PARTY_APP_IDS, FULL_ACCESS_AS_APP } from '../core/clouds';
import type { AuthMode, Evidence, EvidenceEndpoint, TokenClaims } from '../core/evidence';

export interface Signals {
  endpoint: EvidenceEndpoint;
  /** HTTP status from the response, else from a library's message ("Code: 403", "(401) Unauthorized"). */
  status: number | null;
  /** Whether the call failed: an error, a 4xx/5xx, an error code in the body, or only a message to go on. */
  failed: boolean;
  /** Whether the call demonstrably worked. */
  ok: boolean;
  authMode: AuthMode;
  impersonation?: boolean;
  anchorMailbox?: string;
  mailbox?: string;
  userAgent?: string;
  /** x-ms-diagnostics, wherever it appeared. */
  diagnostics?: { code: number; reason: string; category?: string };
  /** X-EWS-Policy-Reason, or its documented text quoted in a message. */
  policyReason?: string;
  bearerChallenge: boolean;
  basicChallenge: boolean;
  backendStatus?: number;
  retryAfterSeconds?: number;
  backOffMilliseconds?: number;
  /** Graph's error.code and error.message, from JSON or a library's "Code: X Message: Y". */
  graphCode?: string;
  graphMessage?: string;
  /** SOAP faultcode / ResponseCode values (without prefix) and the fault or message text. */
  soapCodes: string[];
  soapMessage?: string;
  aadsts: number[];
  /** OAuth error ("invalid_client", "invalid_grant", ...) from a token endpoint answer. */
  oauthError?: string;
  claims?: TokenClaims;
  /** app: an app-only token (roles, no scp); delegated: a user token (scp). */
  tokenKind?: 'app' | 'delegated';
  roles: string[];
  /** Seconds since the epoch when the call was made, when known. */
  observedAt?: number;
  /** The resource a token for this call must be issued for. */
  resource?: 'exchange' | 'graph';
  loginHost: string;
  /** The host the call went to, from the request URL. */
  host?: string;
  tenantId?: string;
  clientId?: string;
  /** What the client reported instead of (or about) an answer: its error's name and code. */
  errorName?: string;
  errorCode?: string;
  /** The client's own words for the failure, as it reported them. */
  errorMessage?: string;
  /** The failure is tenant-health's own infrastructure (its vault, its identity), which says nothing about the tenant. */
  ours: boolean;
  /** Every text the evidence carries (body, error, header values), for codes. */
  text: string;
  /** The same without the caller's words (stack frames, code lines, identifiers), for phrase rules. */
  serviceText: string;
  /** A one-line description of where this came from, for findings' evidence lines. */
  label: string;
}

/** What @azure/identity throws when tenant-health's own managed identity (or az login) cannot give a token. */
const IDENTITY_ERRORS =
  /^(CredentialUnavailableError|AuthenticationError|AuthenticationRequiredError|AggregateAuthenticationError)$/;
export const isIdentityError = (s: Pick<Signals, 'errorName'>) => IDENTITY_ERRORS.test(s.errorName ?? '');

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const EXCHANGE_AUDIENCES = new Set([
  FIRST_PARTY_APP_IDS.exchange,
  'https://outlook.office.com',
  'https://outlook.office365.com',
  ...Object.values(CLOUDS).map((c) => c.exchange),
  'https://webmail.apps.mil',
  'https://outlook.office.de',
]);
const GRAPH_AUDIENCES = new Set([
  FIRST_PARTY_APP_IDS.graph,
  'https://graph.windows.net',
  ...Object.values(CLOUDS).map((c) => c.graph),
  'https://graph.microsoft.de',
]);

const normaliseAudience = (aud: string) => aud.trim().replace(/\/+$/, '').toLowerCase();
export const audienceResource = (aud: string | undefined): 'exchange' | 'graph' | 'other' | undefined => {
  if (!aud) return undefined;
  const value = normaliseAudience(aud);
  if (EXCHANGE_AUDIENCES.has(value)) return 'exchange';
  if (GRAPH_AUDIENCES.has(value)) return 'graph';
  return 'other';
};

const firstMatch = (text: string, patterns: RegExp[]): RegExpMatchArray | null => {
  for (const pattern of patterns) {
    const found = text.match(pattern);
    if (found) return found;
  }
  return null;
};

const STATUS_PATTERNS = [
  /\bCode:\s*(\d{3})\b/, // exchangelib: "Unknown failure in response. Code: 403"
  /\bStatus code:\s*(\d{3})\b/i,
  /\((\d{3})\)\s*[A-Z][a-z]/, // .NET WebException: "(401) Unauthorized"
  /\b(\d{3}) Client Error\b/,
  /\b(\d{3}) Server Error\b/, // python requests
  /"?status(?:Code)?"?\s*[:=]\s*"?(\d{3})\b/i,
  /\bHTTP\/\d(?:\.\d)?\s+(\d{3})\b/,
  /\b(\d{3})\s*:\s*(?:Unauthorized|Forbidden|Not Found|Too Many Requests|Service Unavailable)\b/i,
  /\b(401|403|404|429|503)\s+(?:Unauthorized|Forbidden|Not Found|Too Many Requests|Service Unavailable)\b/i,
  /\b(?:Unauthorized|Forbidden)\s*\((\d{3})\)/i,
];

/** Libraries that name the status instead of giving its number (exchangelib's UnauthorizedError, "Forbidden"). */
function statusFromWords(text: string): number | null {
  if (/\bUnauthorized(?:Error|Exception|AccessException)?\b|\bInvalid credentials for\b/.test(text)) return 401;
  if (/\bForbidden\b/.test(text)) return 403;
  if (/\bToo ?Many ?Requests\b/i.test(text)) return 429;
  return null;
}

function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  // Evidence arrives as parsed JSON, so it has no cycles to make this throw.
  return JSON.stringify(value) ?? '';
}

function headerMap(raw: unknown): Record<string, string> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.map(stringOf).join(', ') : stringOf(value),
    ]),
  );
}

function graphError(body: string): { code?: string; message?: string } {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { error?: unknown; code?: unknown; message?: unknown };
      const error = (typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : parsed) as {
        code?: unknown;
        message?: unknown;
      };
      if (typeof error.code === 'string')
        return { code: error.code, ...(typeof error.message === 'string' ? { message: error.message } : {}) };
    } catch {
      // A cut or rendered body: the patterns below still read it.
    }
  }
  const code = firstMatch(body, [
    /["']code["']\s*:\s*["']([A-Za-z_][\w.]*)["']/, // JSON or a Python dict
    /\b(?:Error ?code|ErrorCode|Code)\s*[:=]\s*'?([A-Za-z_][\w.]*)/i, // .NET, Java, PowerShell, Go and Python SDK renderings
  ]);
  const message = firstMatch(body, [
    /["']message["']\s*:\s*"((?:[^"\\]|\\.)*)"/,
    /["']message["']\s*:\s*'((?:[^'\\]|\\.)*)'/,
    /\b(?:Error message|Message)\s*[:=]\s*'?(.+)/i,
  ]);
  return { ...(code ? { code: code[1] } : {}), ...(message ? { message: message[1]!.trim() } : {}) };
}

// Words of the form Error… that are field names in renderings, not Exchange response codes.
const NOT_CODES = new Set([
  'ErrorCode',
  'ErrorMessage',
  'ErrorDetails',
  'ErrorDescription',
  'ErrorResponse',
  'ErrorInfo',
  'ErrorType',
]);

function soapParts(text: string): { codes: string[]; message?: string; backOff?: number } {
  const codes = new Set<string>();
  for (const found of text.matchAll(/<(?:\w+:)?(?:ResponseCode|faultcode)[^>]*>\s*(?:\w+:)?(\w+)\s*</g))
    codes.add(found[1]!);
  // Library renderings name the code as an exception or in prose: "ErrorNonExistentMailbox: The SMTP address…".
  for (const found of text.matchAll(/\b(Error[A-Z][A-Za-z]+)\b/g)) if (!NOT_CODES.has(found[1]!)) codes.add(found[1]!);
  const message = firstMatch(text, [/<faultstring[^>]*>([^<]+)</, /<(?:\w+:)?MessageText>([^<]+)</]);
  const backOff = firstMatch(text, [/BackOffMilliseconds["']?\s*>?\s*(\d+)/, /back[ _-]?off[^\d]{0,20}(\d+)/i]);
  return {
    codes: [...codes],
    ...(message ? { message: message[1]!.trim() } : {}),
    ...(backOff ? { backOff: Number(backOff[1]) } : {}),
  };
}

function inferAuthMode(request: Evidence['request'], claims: TokenClaims | undefined, text: string): AuthMode {
  if (request?.authMode && ['app-only', 'delegated', 'basic', 'unknown'].includes(request.authMode))
    return request.authMode;
  if (claims?.scp) return 'delegated';
  if (claims) return 'app-only';
  if (/HTTPBasicAuth|\bNTLM\b|WebCredentials|NetworkCredential|basic auth/i.test(text)) return 'basic';
  if (
    /client[_ ]credentials|OAuth2Credentials|acquire_token_for_client|AcquireTokenForClient|ConfidentialClient/i.test(
      text,
    )
  )
    return 'app-only';
  return 'unknown';
}

function tokenKindOf(claims: TokenClaims | undefined): Signals['tokenKind'] {
  if (!claims) return undefined;
  if (claims.scp) return 'delegated';
  return 'app';
}

function resourceOf(endpoint: EvidenceEndpoint, request: Evidence['request']): Signals['resource'] {
  if (endpoint === 'ews' || endpoint === 'adminapi') return 'exchange';
  if (endpoint === 'graph') return 'graph';
  if (endpoint === 'token') {
    const scope = request?.operation ?? request?.url ?? '';
    if (/outlook\.office|office365\.us|partner\.outlook\.cn|00000002-0000-0ff1-ce00/i.test(scope)) return 'exchange';
    if (/graph\.microsoft|microsoftgraph|00000003-0000-0000-c000/i.test(scope)) return 'graph';
  }
  return undefined;
}

function loginHostOf(url: string | undefined): string {
  const host = Object.values(CLOUDS).find(
    (c) => url && (url.startsWith(c.login) || url.startsWith(c.exchange) || url.startsWith(c.graph)),
  );
  return host?.login ?? CLOUDS.worldwide.login;
}

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** Lines that are the caller's: stack frames, code, prompts and the commands typed at them. */
const CALLER_LINES = [
  /^\s*at\s+[\w$.<>[\]`]+\s*(\(|$)/, // JavaScript, .NET and Java stack frames
  /^\s*File "[^"]+", line \d+/, // Python stack frames
  /^\s*(Traceback|Stack ?trace|Call stack)\b/i,
  /^\s*(def|function|class|import|from|return|const|let|var|async|await|try|except|catch|finally|public|private|static|void|using|namespace)\b/,
  /^\s*(\$[\w:]+\s*=|>>>|PS [A-Z]:\\|\w+@[\w-]+:[~/])/, // assignments in PowerShell, prompts
  /^\s*[\w.$[\]]+\s*=\s*[\w.$]+\(/, // x = call(...)
];
/**
 * Words of the service, and of the client libraries' own error codes (MSAL), that look like identifiers: kept where
 * the caller's identifiers are set aside.
 */
const SERVICE_IDENTIFIERS = new Set([
  'network_error',
  'endpoints_resolution_error',
  'no_network_connectivity',
  'untrusted_authority',
  'authority_mismatch',
  'invalid_client',
  'invalid_grant',
  'invalid_request',
  'invalid_scope',
  'invalid_resource',
  'unauthorized_client',
  'unsupported_grant_type',
  'interaction_required',
  'access_denied',
  'temporarily_unavailable',
  'invalid_token',
  'insufficient_auth_strength',
  'insufficient_claims',
  'full_access_as_app',
  'client_credentials',
  'client_secret',
  'client_assertion',
  'client_id',
  'access_token',
  'error_description',
  'error_codes',
  'error_category',
]);

/**
 * The evidence's text without the caller's own words: stack frames and code lines are dropped, and names in the
 * caller's code (snake_case or camelCase identifiers) are blanked, so that a function called check_ews_disabled or a
 * variable mailboxNotFound never decides a cause. Service codes (PascalCase such as ErrorNonExistentMailbox, AADSTS
 * numbers) and the OAuth vocabulary stay.
 */
export function serviceWords(text: string): string {
  return (
    text
      .split('\n')
      // A client library puts its exception's name before the first line: the caller's code may follow it.
      .filter(
        (line) => !CALLER_LINES.some((pattern) => pattern.test(line.replace(/^\s*[\w.]+(?:Exception|Error): /, ''))),
      )
      .join('\n')
      .replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g, (word) =>
        SERVICE_IDENTIFIERS.has(word) ? word : ' ',
      )
  );
}

export function readSignals(evidence: Evidence): Signals {
  const request = evidence.request;
  const response = evidence.response;
  const headers = headerMap(response?.headers);
  const requestHeaders = headerMap(request?.headers);
  const body = stringOf(response?.body);
  const error = evidence.error;
  const errorText = error
    ? [error.name, error.code, error.message].filter((part) => typeof part === 'string' && part).join(': ')
    : '';
  const headerText = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  const text = [headerText, body, errorText].filter(Boolean).join('\n');

  const rawStatus = response?.status as unknown;
  const statusFromResponse =
    typeof rawStatus === 'number'
      ? rawStatus
      : typeof rawStatus === 'string' && /^\d{3}$/.test(rawStatus.trim())
        ? Number(rawStatus)
        : null;
  const statusFromText = statusFromResponse === null ? firstMatch(`${errorText}\n${body}`, STATUS_PATTERNS) : null;
  const status =
    statusFromResponse ?? (statusFromText ? Number(statusFromText[1]) : statusFromWords(`${errorText}\n${body}`));

  const diagnosticsSource = headers['x-ms-diagnostics'] ?? text;
  const diagnostics = diagnosticsSource.match(
    /(2\d{6})\s*;\s*reason\s*=\s*\\?"([^"\\]*)\\?"(?:\s*;\s*error_category\s*=\s*\\?"([^"\\]*)\\?")?/,
  );
  const policyHeader =
    headers['x-ews-policy-reason'] ?? text.match(/X-EWS-Policy-Reason['"]?\s*[:=]\s*['"]?([^'"\n,}]+)/i)?.[1];
  const policyText = text.match(/EWS is (?:disabled|blocked by policy) for this user or tenant/i)?.[0];
  const wwwAuthenticate = headers['www-authenticate'] ?? '';
  const backend = headers['x-backendhttpstatus']?.match(/\d{3}/)?.[0];
  const retryAfter = headers['retry-after'] ?? text.match(/Retry-After['"]?\s*[:=]\s*['"]?(\d+)/i)?.[1];
  const graph = evidence.endpoint === 'token' ? {} : graphError(`${body}\n${errorText}`);
  const soap = soapParts(text);
  const aadsts = [
    ...new Set(
      [...text.matchAll(/AADSTS(\d{5,7})/g), ...text.matchAll(/Error\(s\):\s*(\d{5,7})/g)].map((m) => Number(m[1])),
    ),
  ];
  const oauthError = text.match(
    /\b(invalid_client|invalid_grant|invalid_request|invalid_scope|invalid_resource|unauthorized_client|unsupported_grant_type|interaction_required|access_denied|temporarily_unavailable)\b/,
  )?.[1];

  const claims = evidence.tokenClaims && typeof evidence.tokenClaims === 'object' ? evidence.tokenClaims : undefined;
  const roles = Array.isArray(claims?.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  const observed = evidence.observedAt ? Date.parse(evidence.observedAt) : Number.NaN;

  const requestHost = request?.url?.match(/^\w+:\/\/([^/:?#]+)/)?.[1]?.toLowerCase();
  const anchorMailbox = requestHeaders['x-anchormailbox'];
  const urlMailbox = request?.url?.match(/\/users\/([^/?#]+)/)?.[1];
  const quotedMailbox = text.match(/user '([^'@\s]+@[^'\s]+)'/)?.[1] ?? text.match(/object '([^'@\s]+@[^'\s]+)'/)?.[1];
  const mailbox = request?.mailbox ?? anchorMailbox ?? (urlMailbox ? decode(urlMailbox) : undefined) ?? quotedMailbox;

  const tenantId =
    claims?.tid ??
    request?.url?.match(new RegExp(`/(${GUID}|[\\w-]+(?:\\.[\\w-]+)+)/(?:oauth2|adminapi|InvokeCommand)`))?.[1] ??
    request?.url?.match(new RegExp(`/adminapi/[^/]+/(${GUID})/`))?.[1] ??
    text.match(new RegExp(`Tenant '(${GUID})'`))?.[1];
  const clientId =
    claims?.appid ??
    claims?.azp ??
    text.match(new RegExp(`(?:app|application|identifier|client(?: id)?)\\s*'?(${GUID})'?`, 'i'))?.[1];

  const hasErrorCodes =
    Boolean(graph.code) ||
    soap.codes.some((c) => c !== 'NoError') ||
    aadsts.length > 0 ||
    Boolean(diagnostics) ||
    Boolean(policyHeader ?? policyText);
  const soapError = soap.codes.some((c) => c.startsWith('Error'));
  const failed =
    Boolean(error) ||
    (status !== null && status >= 400) ||
    soapError ||
    (status === null && hasErrorCodes) ||
    (status === null && !claims && text.trim().length > 0);
  const ok = !failed && ((status !== null && status < 400) || (status === null && Boolean(claims)));

  const endpoint = evidence.endpoint;
  const errorName = typeof error?.name === 'string' ? error.name : undefined;
  const errorCode = typeof error?.code === 'string' ? error.code : undefined;
  const ours =
    failed &&
    // An identity error carrying an AADSTS code is Entra's answer about the tenant or app, not our identity failing.
    (((endpoint === 'keyvault' || endpoint === 'token') &&
      isIdentityError({ ...(errorName ? { errorName } : {}) }) &&
      aadsts.length === 0) ||
      // The vault answering (200) with a value that cannot be used is the stored credential's problem, not the vault's.
      (endpoint === 'keyvault' && status !== 404 && status !== 200 && !/SecretNotFound/.test(text)));
  const tokenKind = tokenKindOf(claims);
  const resource = resourceOf(endpoint, request);
  const label = [
    endpoint,
    request?.operation,
    mailbox ? `for ${mailbox}` : undefined,
    status !== null ? `HTTP ${status}` : error ? 'no HTTP answer' : undefined,
  ]
    .filter(Boolean)
    .join(' ');

  return {
    endpoint,
    status,
    failed,
    ok,
    authMode: inferAuthMode(request, claims, text),
    ...(typeof request?.impersonation === 'boolean' ? { impersonation: request.impersonation } : {}),
    ...(anchorMailbox ? { anchorMailbox } : {}),
    ...(mailbox ? { mailbox } : {}),
    ...(requestHeaders['user-agent'] ? { userAgent: requestHeaders['user-agent'] } : {}),
    ...(diagnostics
      ? {
          diagnostics: {
            code: Number(diagnostics[1]),
            reason: diagnostics[2]!,
            ...(diagnostics[3] ? { category: diagnostics[3] } : {}),
          },
        }
      : {}),
    ...((policyHeader ?? policyText) ? { policyReason: (policyHeader ?? policyText)!.trim() } : {}),
    bearerChallenge: /\bBearer\b/i.test(wwwAuthenticate),
    basicChallenge: /\bBasic\s+realm/i.test(wwwAuthenticate),
    ...(backend ? { backendStatus: Number(backend) } : {}),
    ...(retryAfter && Number.isFinite(Number(retryAfter)) ? { retryAfterSeconds: Number(retryAfter) } : {}),
    ...(soap.backOff !== undefined ? { backOffMilliseconds: soap.backOff } : {}),
    ...(graph.code ? { graphCode: graph.code } : {}),
    ...(graph.message ? { graphMessage: graph.message } : {}),
    soapCodes: soap.codes,
    ...(soap.message ? { soapMessage: soap.message } : {}),
    aadsts,
    ...(oauthError ? { oauthError } : {}),
    ...(claims ? { claims } : {}),
    ...(tokenKind ? { tokenKind } : {}),
    roles,
    ...(Number.isNaN(observed) ? {} : { observedAt: Math.floor(observed / 1000) }),
    ...(resource ? { resource } : {}),
    loginHost: loginHostOf(request?.url),
    ...(requestHost ? { host: requestHost } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(clientId ? { clientId } : {}),
    serviceText: serviceWords(text),
    ...(errorName ? { errorName } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(typeof error?.message === 'string' && error.message ? { errorMessage: error.message } : {}),
    ours,
    text,
    label,
  };
}

/** Whether the token presented was issued for the resource this call reached. */
export function audienceMismatch(s: Signals): string | undefined {
  const aud = s.claims?.aud;
  if (!aud || !s.resource || s.endpoint === 'token') return undefined;
  const resource = audienceResource(aud);
  return resource !== s.resource ? aud : undefined;
}

export const hasFullAccessAsApp = (s: Signals) => s.roles.includes(FULL_ACCESS_AS_APP.value);
