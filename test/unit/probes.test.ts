// Every probe against undici's MockAgent: what it sends, what evidence it keeps, when it retries; no sockets.
import type { MockAgent } from 'undici';
import { probeControlPlane } from '../../shared/probes/control-plane';
import { probeEwsGetFolder, readEwsBody } from '../../shared/probes/ews';
import { probeGraphInbox, probeGraphOrganization, readDirectory } from '../../shared/probes/graph';
import { RETRY_WAIT_BUDGET_MS } from '../../shared/probes/probe-kit';
import { tenantDefinitionSchema, type TenantDefinition } from '../../shared/core/tenants';
import { mockAgent, probeContext } from '../helpers/mock-agent';

const TENANT_ID = 'f23cddea-55fd-4126-89ea-dd5fb1c542e9';
const CLIENT_ID = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
const MAILBOX = 'canary@contoso.onmicrosoft.com';
const tenant = (checks: object = {}): TenantDefinition =>
  tenantDefinitionSchema.parse({
    tenantId: TENANT_ID,
    name: 'Contoso',
    clientId: CLIENT_ID,
    credential: { type: 'secret', keyVaultSecretName: 'contoso' },
    canaries: [MAILBOX],
    checks,
  });
const TOKEN = 'header.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlMzY1LmNvbSJ9.signature';
const bearer = {
  kind: 'bearer' as const,
  token: TOKEN,
  claims: { aud: 'https://outlook.office365.com', roles: ['full_access_as_app'] },
};

const GETFOLDER_OK =
  '<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>';
const busy = (ms: number) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode><faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode><t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:Value Name="BackOffMilliseconds">${ms}</t:Value></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>`;

let agent: MockAgent;
beforeEach(() => {
  agent = mockAgent();
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});
const exchange = () => agent.get('https://outlook.office365.com');
const graph = () => agent.get('https://graph.microsoft.com');

describe('EWS GetFolder', () => {
  test('sends the token, ExchangeImpersonation and X-AnchorMailbox, and keeps no Authorization in evidence', async () => {
    let seen: { headers: Record<string, string>; body: string } | undefined;
    exchange()
      .intercept({ path: '/EWS/Exchange.asmx', method: 'POST' })
      .reply(200, (options) => {
        seen = { headers: options.headers as Record<string, string>, body: options.body as string };
        return GETFOLDER_OK;
      });
    const { result, evidence } = await probeEwsGetFolder(probeContext(agent), tenant(), MAILBOX, bearer);
    expect(result).toMatchObject({ name: 'ews.getFolder', mailbox: MAILBOX, ok: true, status: 200 });
    expect(seen?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen?.headers['x-anchormailbox']).toBe(MAILBOX);
    expect(seen?.body).toContain(
      `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${MAILBOX}</t:PrimarySmtpAddress>`,
    );
    expect(evidence).toMatchObject({
      endpoint: 'ews',
      request: { operation: 'GetFolder', authMode: 'app-only', impersonation: true },
      tokenClaims: bearer.claims,
      observedAt: '2026-11-21T09:00:00.000Z',
    });
    expect(JSON.stringify(evidence)).not.toContain(TOKEN);
    expect(JSON.stringify(evidence).toLowerCase()).not.toContain('authorization');
  });

  test('a 403 with X-EWS-Policy-Reason fails the probe and keeps the header', async () => {
    exchange()
      .intercept({ path: '/EWS/Exchange.asmx', method: 'POST' })
      .reply(403, '', {
        headers: { 'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant', 'set-cookie': 'x=1' },
      });
    const { result, evidence } = await probeEwsGetFolder(probeContext(agent), tenant(), MAILBOX, bearer);
    expect(result).toMatchObject({ ok: false, status: 403 });
    expect(evidence?.response?.headers).toEqual({
      'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant',
    });
  });

  test('ErrorServerBusy within the deadline is waited out once, as BackOffMilliseconds asks', async () => {
    exchange().intercept({ path: '/EWS/Exchange.asmx', method: 'POST' }).reply(500, busy(1500));
    exchange().intercept({ path: '/EWS/Exchange.asmx', method: 'POST' }).reply(200, GETFOLDER_OK);
    const context = probeContext(agent);
    const { result, evidence } = await probeEwsGetFolder(context, tenant(), MAILBOX, bearer);
    expect(context.waits).toEqual([1500]);
    expect(result.ok).toBe(true);
    expect(evidence?.retry).toEqual({ waitMs: 1500, honoured: true });
  });

  test('a back-off longer than the wait budget is not waited for, so a throttled tenant costs no more than another', async () => {
    exchange()
      .intercept({ path: '/EWS/Exchange.asmx', method: 'POST' })
      .reply(500, busy(RETRY_WAIT_BUDGET_MS + 1000));
    const context = probeContext(agent);
    const { result, evidence } = await probeEwsGetFolder(context, tenant(), MAILBOX, bearer);
    expect(context.waits).toEqual([]);
    expect(result).toMatchObject({ ok: false, status: 500 });
    expect(evidence?.retry).toEqual({ waitMs: RETRY_WAIT_BUDGET_MS + 1000, honoured: false });
  });

  test('a back-off beyond the deadline is not waited for', async () => {
    exchange().intercept({ path: '/EWS/Exchange.asmx', method: 'POST' }).reply(500, busy(297749));
    const context = probeContext(agent);
    const { result, evidence } = await probeEwsGetFolder(context, tenant(), MAILBOX, bearer);
    expect(context.waits).toEqual([]);
    expect(result).toMatchObject({ ok: false, status: 500 });
    expect(evidence?.retry).toEqual({ waitMs: 297749, honoured: false });
  });

  test('an app configured without impersonation sends none; Basic sends a Basic header', async () => {
    const bodies: string[] = [];
    const headers: Record<string, string>[] = [];
    exchange()
      .intercept({ path: '/EWS/Exchange.asmx', method: 'POST' })
      .reply(500, (o) => {
        bodies.push(o.body as string);
        return '';
      })
      .times(1);
    exchange()
      .intercept({ path: '/EWS/Exchange.asmx', method: 'POST' })
      .reply(401, (o) => {
        headers.push(o.headers as Record<string, string>);
        return '';
      });
    const noImpersonation = await probeEwsGetFolder(
      probeContext(agent),
      tenant({ ews: { impersonation: false } }),
      MAILBOX,
      bearer,
    );
    expect(bodies[0]).not.toContain('ExchangeImpersonation');
    expect(noImpersonation.evidence?.request?.impersonation).toBe(false);
    const basic = await probeEwsGetFolder(probeContext(agent), tenant({ ews: { auth: 'basic' } }), MAILBOX, {
      kind: 'basic',
      username: MAILBOX,
      password: 'pw-value',
    });
    expect(headers[0]?.authorization).toBe(`Basic ${Buffer.from(`${MAILBOX}:pw-value`).toString('base64')}`);
    expect(basic.evidence?.request?.authMode).toBe('basic');
    expect(JSON.stringify(basic.evidence)).not.toContain('pw-value');
  });

  test.each([
    ['a success', GETFOLDER_OK, { kind: 'response', responseClass: 'Success', responseCode: 'NoError' }],
    [
      'a fault',
      busy(30000),
      { kind: 'fault', faultCode: 'ErrorServerBusy', responseCode: 'ErrorServerBusy', backOffMs: 30000 },
    ],
    ['an empty body', '', { kind: 'none' }],
    ['an HTML error page', '<html><body>Service Unavailable', { kind: 'none' }],
  ])('reads %s', (_what, body, expected) => {
    expect(readEwsBody(body)).toMatchObject(expected);
  });
});

describe('Graph', () => {
  const claims = { aud: 'https://graph.microsoft.com', roles: ['Mail.Read'] };
  test('the inbox of the canary; 429 with Retry-After is waited out once', async () => {
    const path = `/v1.0/users/${encodeURIComponent(MAILBOX)}/mailFolders/inbox?$select=id,displayName,totalItemCount`;
    graph()
      .intercept({ path, method: 'GET' })
      .reply(
        429,
        { error: { code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' } },
        { headers: { 'retry-after': '2' } },
      );
    graph().intercept({ path, method: 'GET' }).reply(200, { id: 'AAMk', displayName: 'Inbox', totalItemCount: 3 });
    const context = probeContext(agent);
    const { result, evidence } = await probeGraphInbox(context, tenant(), MAILBOX, { token: 'graph-token', claims });
    expect(context.waits).toEqual([2000]);
    expect(result).toMatchObject({ name: 'graph.inbox', ok: true, status: 200 });
    expect(evidence).toMatchObject({ endpoint: 'graph', retry: { waitMs: 2000, honoured: true } });
  });

  test('a 403 keeps the error body and request-id as evidence', async () => {
    graph()
      .intercept({ path: '/v1.0/organization?$select=id,displayName,verifiedDomains', method: 'GET' })
      .reply(
        403,
        {
          error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
        },
        { headers: { 'request-id': 'r-1', 'content-type': 'application/json' } },
      );
    const { result, evidence } = await probeGraphOrganization(probeContext(agent), tenant(), {
      token: 'graph-token',
      claims,
    });
    expect(result).toMatchObject({ name: 'graph.organization', ok: false, status: 403 });
    expect(evidence?.response).toMatchObject({
      headers: { 'request-id': 'r-1' },
      body: expect.stringContaining('Authorization_RequestDenied'),
    });
  });
});

describe('Exchange control plane', () => {
  const claims = { aud: 'https://outlook.office365.com', roles: ['Exchange.ManageAsApp'] };
  // The reads go out together, so each answer is matched to its cmdlet, not to the order the requests arrive in.
  const invoke = (cmdlet: string) =>
    exchange().intercept({
      path: `/adminapi/beta/${TENANT_ID}/InvokeCommand`,
      method: 'POST',
      body: (body: string) => body.includes(`"CmdletName":"${cmdlet}"`),
    });
  test('reads org EwsEnabled, whether the allow list names the app, and the canaries EwsEnabled', async () => {
    invoke('Get-OrganizationConfig').reply(200, {
      value: [
        {
          EwsEnabled: true,
          EwsAllowedAppIDs: `9f2d3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f,${CLIENT_ID.toUpperCase()}`,
          EwsApplicationAccessPolicy: null,
        },
      ],
    });
    invoke('Get-CASMailbox').reply(200, { value: [{ PrimarySmtpAddress: MAILBOX, EwsEnabled: false }] });
    const { probes, facts } = await probeControlPlane(probeContext(agent), tenant(), { token: 'exo-token', claims });
    expect(probes.map((p) => [p.result.name, p.result.ok])).toEqual([
      ['adminapi.organizationConfig', true],
      ['adminapi.casMailbox', true],
    ]);
    expect(facts).toEqual({
      organizationEwsEnabled: true,
      ewsAllowedAppIds: ['9f2d3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f', CLIENT_ID],
      appInAllowList: true,
      ewsApplicationAccessPolicy: null,
      mailboxEwsEnabled: { [MAILBOX]: false },
    });
  });

  test('a 403 with an empty body (no Exchange role) fails the probe and leaves the facts unknown', async () => {
    invoke('Get-OrganizationConfig').reply(403, '');
    invoke('Get-CASMailbox').reply(403, '');
    const { probes, facts } = await probeControlPlane(probeContext(agent), tenant(), { token: 'exo-token', claims });
    expect(probes.map((p) => p.result)).toEqual([
      expect.objectContaining({ name: 'adminapi.organizationConfig', ok: false, status: 403 }),
    ]);
    expect(facts).toEqual({ mailboxEwsEnabled: {} });
  });
});

test("the organization's answer gives the tenant's name and verified domains, the default first", () => {
  // The shape of GET /v1.0/organization as Microsoft Graph's reference documents it.
  const body = JSON.stringify({
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#organization',
    value: [
      {
        id: '84841066-274d-4ec0-a5c1-276be684bdd3',
        displayName: 'Contoso',
        verifiedDomains: [
          {
            capabilities: 'Email, OfficeCommunicationsOnline',
            isDefault: false,
            isInitial: true,
            name: 'contoso.onmicrosoft.com',
            type: 'Managed',
          },
          { capabilities: 'Email', isDefault: true, isInitial: false, name: 'Contoso.com', type: 'Managed' },
        ],
      },
    ],
  });
  expect(readDirectory(body)).toEqual({ displayName: 'Contoso', domains: ['contoso.com', 'contoso.onmicrosoft.com'] });
  expect(readDirectory('{"value":[]}')).toBeUndefined();
  expect(readDirectory('<html>not json</html>')).toBeUndefined();
});
