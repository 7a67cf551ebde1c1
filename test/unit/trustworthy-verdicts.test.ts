// Verdicts that can be trusted, without sockets: an answer that proves nothing is a named failure, our own vault and
// identity are never the tenant's fault, staleness and the fleet going silent are seen, and redaction keeps to secrets.
import { conditionsOf, fleetStaleCondition, operatorConditionsOf } from '../../shared/alerts/decisions';
import { diagnose } from '../../shared/diagnosis/engine';
import type { Evidence } from '../../shared/core/evidence';
import { redact } from '../../shared/core/redact';
import { scheduleIntervalMinutes } from '../../shared/core/settings';

const NOW = '2026-12-02T09:00:00Z';
const MAILBOX = 'canary@contoso.com';
const ok = (endpoint: Evidence['endpoint'], mailbox?: string): Evidence => ({
  endpoint,
  request: { operation: 'GET', ...(mailbox ? { mailbox } : {}) },
  response: { status: 200, headers: {}, body: '' },
  observedAt: NOW,
});
const failed = (
  endpoint: Evidence['endpoint'],
  status: number | null,
  error: Evidence['error'],
  mailbox = MAILBOX,
): Evidence => ({
  endpoint,
  request: { operation: 'GetFolder', mailbox },
  response: { status, headers: {}, body: '' },
  error,
  observedAt: NOW,
});

/** [what happened, the evidence, the verdict, the top finding's detail, whether it is our own infrastructure] */
const ROWS: [string, Evidence[], string, string, boolean][] = [
  [
    'EWS redirected',
    [
      failed('ews', 302, {
        name: 'UnexpectedRedirect',
        code: 'unexpected_redirect',
        message: 'answered 302 redirecting to https://portal.proxy.example/login',
      }),
      ok('graph', MAILBOX),
    ],
    'failing',
    'unexpected_redirect',
    false,
  ],
  [
    'EWS 200 with a cut body',
    [
      failed('ews', 200, {
        name: 'UnexpectedAnswer',
        code: 'expected_answer_missing',
        message: 'EWS answered 200 but the body is not a SOAP GetFolderResponse',
      }),
    ],
    'failing',
    'expected_answer_missing',
    false,
  ],
  [
    'a body over the cap',
    [
      failed('graph', 200, {
        name: 'UnreadableAnswer',
        code: 'body_over_cap',
        message: 'the answer was larger than the cap',
      }),
    ],
    'failing',
    'body_over_cap',
    false,
  ],
  [
    'the tenant deadline',
    [failed('graph', null, { name: 'DeadlineExceeded', code: 'tenant_deadline_exceeded', message: 'cut off' })],
    'failing',
    'tenant_deadline_exceeded',
    false,
  ],
  [
    'Key Vault timing out',
    [failed('keyvault', null, { name: 'DeadlineExceeded', code: 'tenant_deadline_exceeded', message: 'cut off' }, '')],
    'unknown',
    'key_vault_unavailable',
    true,
  ],
  [
    'Key Vault 503',
    [failed('keyvault', 503, { name: 'RestError', message: 'Service Unavailable' }, '')],
    'unknown',
    'key_vault_unavailable',
    true,
  ],
  [
    'Key Vault left alone after failing',
    [
      failed(
        'keyvault',
        null,
        { name: 'KeyVaultUnavailable', code: 'key_vault_unavailable', message: 'not asked: Key Vault failed at ...' },
        '',
      ),
    ],
    'unknown',
    'key_vault_unavailable',
    true,
  ],
  [
    'Key Vault denying our identity',
    [failed('keyvault', 403, { name: 'RestError', message: 'Forbidden' }, '')],
    'unknown',
    'key_vault_access_denied',
    true,
  ],
  [
    'our managed identity failing',
    [
      failed(
        'keyvault',
        null,
        { name: 'CredentialUnavailableError', message: 'ManagedIdentityCredential: no managed identity endpoint' },
        '',
      ),
    ],
    'unknown',
    'identity_unavailable',
    true,
  ],
  [
    'no az login on a laptop',
    [
      failed(
        'keyvault',
        null,
        {
          name: 'AggregateAuthenticationError',
          message: 'ChainedTokenCredential authentication failed. AzureCliCredential: Please run az login',
        },
        '',
      ),
    ],
    'unknown',
    'identity_unavailable',
    true,
  ],
  [
    'the federated assertion without an identity',
    [
      failed(
        'token',
        null,
        { name: 'CredentialUnavailableError', message: 'ManagedIdentityCredential: unavailable' },
        '',
      ),
    ],
    'unknown',
    'identity_unavailable',
    true,
  ],
  [
    'a secret missing from the vault (the tenant definition is wrong, not our vault)',
    [failed('keyvault', 404, { name: 'CredentialError', message: 'no secret named x' }, '')],
    'failing',
    'key_vault_secret_missing',
    false,
  ],
];

test('our own failures and a stored credential in the wrong form say the exact reason the evidence holds', () => {
  const noLogin = diagnose([
    failed(
      'keyvault',
      null,
      {
        name: 'AggregateAuthenticationError',
        message:
          "ChainedTokenCredential authentication failed. AzureCliCredential: Azure CLI could not be found. Please run 'az login'.",
      },
      '',
    ),
  ]).findings[0]!;
  expect(noLogin.summary).toMatch(/az login/);
  const wrongForm = diagnose([
    failed(
      'keyvault',
      200,
      {
        name: 'CredentialError',
        message: 'secret contoso-app holds no usable certificate: the PEM has no PRIVATE KEY block',
      },
      '',
    ),
  ]);
  expect(wrongForm.verdict).toBe('failing');
  expect(wrongForm.findings[0]).toMatchObject({ cause: 'other', detail: 'credential_unusable' });
  expect(wrongForm.findings[0]!.origin).toBeUndefined();
  expect(wrongForm.findings[0]!.summary).toMatch(/the PEM has no PRIVATE KEY block/);
});

describe.each(ROWS)('%s', (_what, evidence, verdict, detail, ours) => {
  test(`is ${verdict}, led by ${detail}${ours ? ', named as our own infrastructure' : ''}`, () => {
    const diagnosis = diagnose(evidence);
    expect(diagnosis.verdict).toBe(verdict);
    expect(diagnosis.findings[0]).toMatchObject({ detail, cause: 'other' });
    expect(diagnosis.findings[0]!.origin).toBe(ours ? 'monitoring_infrastructure' : undefined);
  });
});

test('healthy only when every call succeeded; one answer that proved nothing is enough to say failing', () => {
  expect(diagnose([ok('ews', MAILBOX), ok('graph', MAILBOX)]).verdict).toBe('healthy');
  expect(
    diagnose([
      ok('ews', MAILBOX),
      failed('graph', 200, { name: 'UnexpectedAnswer', code: 'expected_answer_missing', message: 'no id' }),
    ]).verdict,
  ).toBe('failing');
});

describe('alerts from our own outage', () => {
  const result = (findings: ReturnType<typeof diagnose>['findings'], verdict: string) =>
    ({
      tenantId: 't',
      name: 'Contoso',
      verdict,
      findings,
      readiness: { urgency: { band: 'final_quarter' }, daysToShutdown: 120 },
      app: { clientId: 'c' },
    }) as unknown as Parameters<typeof conditionsOf>[0];

  test('give the tenant no condition (nothing opens, nothing clears) and the operator one', () => {
    const outage = result(
      diagnose([
        failed(
          'keyvault',
          null,
          { name: 'DeadlineExceeded', code: 'tenant_deadline_exceeded', message: 'cut off' },
          '',
        ),
      ]).findings,
      'unknown',
    );
    expect(conditionsOf(outage, Date.parse(NOW))).toEqual([]);
    expect(operatorConditionsOf(outage)).toEqual([
      expect.objectContaining({
        check: 'keyvault',
        cause: 'other',
        detail: 'key_vault_unavailable',
        origin: 'monitoring_infrastructure',
        severity: 'error',
      }),
    ]);
  });

  test('a tenant failure gives the operator nothing', () => {
    const tenantFailure = result(
      diagnose([
        failed('ews', 302, { name: 'UnexpectedRedirect', code: 'unexpected_redirect', message: 'answered 302' }),
      ]).findings,
      'failing',
    );
    expect(operatorConditionsOf(tenantFailure)).toEqual([]);
    expect(conditionsOf(tenantFailure, Date.parse(NOW))).toHaveLength(1);
  });
});

test('the fleet is silent only when every tenant is stale, and then the operator gets one critical condition', () => {
  const now = Date.parse(NOW);
  const thirty = 30 * 60_000;
  const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();
  expect(fleetStaleCondition([], now, thirty)).toBeNull();
  expect(fleetStaleCondition([minutesAgo(45), minutesAgo(10)], now, thirty)).toBeNull();
  expect(fleetStaleCondition([minutesAgo(45), minutesAgo(31), 'not a time'], now, thirty)).toMatchObject({
    severity: 'critical',
    detail: 'checks_stopped',
    origin: 'monitoring_infrastructure',
  });
});

test.each([
  ['0 */15 * * * *', 15],
  ['0 */5 * * * *', 5],
  ['0 0 * * * *', 60],
  ['0 30 */6 * * *', 360],
  ['0 0 6 * * *', 1440],
  ['0 0 6 * * 1-5', 4320],
  ['0 */7,*/11 * * * *', 4320],
])('the schedule %s runs every %i minutes (stale after twice that)', (schedule, minutes) => {
  expect(scheduleIntervalMinutes(schedule)).toBe(minutes);
});

describe('redaction', () => {
  test('keeps ordinary words: "Basic authentication", "Bearer token", "password reset"', () => {
    for (const prose of [
      'Basic authentication is disabled for this tenant.',
      'Send a Bearer token with full_access_as_app.',
      'Require a password reset for the user.',
    ]) {
      expect(redact(prose)).toBe(prose);
    }
  });

  test('removes credentials after the scheme, tokens and key=value secrets', () => {
    expect(redact('Authorization: Basic dXNlcjpwYXNzd29yZA==')).not.toContain('dXNlcjpwYXNzd29yZA');
    expect(redact('Basic dXNlcjpwYXNz')).toBe('Basic <redacted>');
    expect(redact('client_secret=abc.DEF~123&scope=x')).toBe('client_secret=<redacted>&scope=x');
  });

  test('removes a known secret wherever and however it appears: as is, URL- or form-encoded, or escaped in JSON', () => {
    const secret = 'Q~8a/b+c d"e';
    const echoed = `raw ${secret} url ${encodeURIComponent(secret)} form ${encodeURIComponent(secret).replace(/%20/g, '+')} json ${JSON.stringify(secret)}`;
    const clean = redact(echoed, [secret]);
    expect(clean).not.toContain('8a/b');
    expect(clean).not.toContain('8a%2Fb');
    expect(clean.match(/<redacted secret>/g)).toHaveLength(4);
  });
});
