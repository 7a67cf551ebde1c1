// What remains: malformed tokens, the network, service errors, the admin API's roles.
import { DOCS, FIXES } from '../fixes';
import { code, consumerHost, consumerMailbox, has, type Rule } from './rule-kit';

export const TRANSPORT_RULES: readonly Rule[] = [
  {
    id: 'network-error',
    cause: 'other',
    detail: 'network_error',
    reads: 'no HTTP answer: connection refused, DNS, TLS or timeout errors',
    match: (s) =>
      s.status === null &&
      has(
        s,
        /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|UND_ERR_|socket hang up|getaddrinfo|timed? ?out|certificate (?:verify|has expired|chain)|CERT_|UNABLE_TO_|self[- ]signed|SSL|TLS|network|fetch failed/i,
      )
        ? { confidence: 'medium', because: [] }
        : null,
    summary: (s) =>
      `The call${s.host ? ` to ${s.host}` : ''} got no HTTP answer${s.errorCode ? ` (${s.errorCode})` : ''}: network, DNS, proxy, TLS or timeout.`,
    fix: () => FIXES.network(),
    docs: [],
  },
  {
    id: 'exchange-transient',
    cause: 'other',
    detail: 'service_error',
    reads: '5xx, ErrorInternalServerError, ErrorMailboxStoreUnavailable, ErrorMailboxMoveInProgress',
    match: (s) =>
      (s.status !== null && s.status >= 500) ||
      code(
        s,
        'ErrorInternalServerError',
        'ErrorMailboxStoreUnavailable',
        'ErrorMailboxMoveInProgress',
        'ErrorInternalServerTransientError',
        'ErrorConnectionFailed',
      )
        ? { confidence: 'low', because: [] }
        : null,
    summary: () =>
      'The service failed on its side (a server error or a mailbox temporarily unavailable); retry later and check Microsoft 365 Service health if it persists.',
    fix: () => FIXES.network(),
    docs: [DOCS.ewsResponseCodes, DOCS.graphErrors],
  },
  {
    id: 'mailbox-backend-unavailable',
    cause: 'other',
    detail: 'mailbox_backend_unavailable',
    reads: 'Graph 503 MailboxInfoStale "Target resource … is currently on backend \'Unknown\'"',
    match: (s) =>
      code(s, 'MailboxInfoStale') || has(s, /is currently on backend 'Unknown'/i)
        ? { confidence: 'high', because: [] }
        : // Graph has answered "Resource could not be discovered" for whole regions during incidents.
          s.endpoint === 'graph' && has(s, /Resource could not be discovered/i)
          ? { confidence: 'low', because: [] }
          : null,
    summary: (_s, m) =>
      m.confidence === 'high'
        ? "Exchange could not locate the mailbox's database (MailboxInfoStale): a service-side fault, often while a mailbox is being provisioned or moved; it is not throttling and no setting of the tenant causes it."
        : 'Or a fault on Microsoft\'s side: Graph has answered "Resource could not be discovered" for mailboxes that exist during service incidents; Microsoft 365 Service health tells.',
    fix: () => [
      'Retry later; if it lasts more than a day for a mailbox, open a Microsoft 365 support case with the request-id.',
    ],
    docs: [DOCS.graphErrors],
  },
  {
    id: 'item-not-found',
    cause: 'other',
    detail: 'item_not_found',
    reads: 'EWS ErrorItemNotFound / Graph "The specified object was not found in the store."',
    match: (s) =>
      code(s, 'ErrorItemNotFound') || has(s, /specified object was not found in the store/i)
        ? { confidence: s.authMode === 'delegated' ? 'low' : 'medium', because: [] }
        : null,
    summary: () =>
      'The mailbox answered, but the folder or item asked for is not there (a stale or mistyped id, a well-known folder name the mailbox lacks, or an item already moved).',
    fix: () => [
      'Look the folder or item up again (by well-known name or a fresh FindFolder / list) instead of a stored id.',
    ],
    docs: [DOCS.ewsResponseCodes, DOCS.graphErrors],
  },
  {
    id: 'consumer-account',
    cause: 'other',
    detail: 'consumer_account',
    reads: 'EWS or Graph for an outlook.com / outlook.live.com (personal Microsoft) account',
    match: (s) =>
      // Only personal accounts are served from outlook.live.com: a call that went there is decisive.
      consumerHost(s)
        ? {
            confidence: 'high',
            because: [`the call went to ${s.host}, which serves personal (outlook.com) accounts only`],
          }
        : consumerMailbox(s)
          ? {
              confidence: 'medium',
              because: ['the call is for an outlook.com (consumer) mailbox, not Exchange Online'],
            }
          : null,
    summary: () =>
      'The mailbox is a personal outlook.com account: app-only access, EWS for custom apps and the Exchange Online controls do not apply to consumer mailboxes.',
    fix: () => [
      'Use a work or school (Microsoft 365) mailbox; for outlook.com, use Microsoft Graph with delegated sign-in of that user.',
    ],
    docs: [DOCS.graphMailApi],
  },
  {
    id: 'admin-api-forbidden',
    cause: 'missing_app_permission',
    detail: 'exchange_admin_role_missing',
    reads:
      'Exchange admin API 403; "The role assigned to application ... isn\'t supported"; "User is not allowed to call Get-..."',
    match: (s) =>
      has(s, /role assigned to application .* isn.t supported|is not allowed to call [A-Z][a-z]+-/i)
        ? { confidence: 'high', because: [] }
        : s.endpoint === 'adminapi' && s.status === 403
          ? { confidence: 'medium', because: [] }
          : null,
    summary: () =>
      'The Exchange admin API refused the cmdlet: the app has Exchange.ManageAsApp but no Exchange role (for example View-Only Configuration or Global Reader) assigned to its service principal.',
    fix: (t) => [
      `In Entra ID > Roles and administrators, assign Global Reader (or an Exchange role) to the app ${t.client}; the admin API needs a role besides Exchange.ManageAsApp.`,
    ],
    docs: ['https://learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2'],
  },
];

/** The last resort for a failure no rule explains. */
export const UNEXPLAINED: Rule = {
  id: 'unexplained',
  cause: 'other',
  detail: 'unexplained',
  reads: 'any failure no other rule matched',
  match: () => ({ confidence: 'low', because: [] }),
  summary: (s) =>
    `No rule explains this failure (${s.label}); the evidence lines show what was seen. AADSTS codes, x-ms-diagnostics, X-EWS-Policy-Reason or a SOAP/Graph error code would tell more.`,
  fix: () => [],
  docs: [DOCS.aadstsCodes, DOCS.ewsResponseCodes, DOCS.graphErrors],
};
