// The simulated Graph answers as Microsoft Graph does: mailbox reads, its error JSON and headers, throttling, $batch.
import type { SimulatedCloud } from '../../sim/server';
import { accessToken, startSim, tenantNamed } from '../helpers/sim';
import { parseFaultRule } from '../../sim/scenario';

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSim((scenario) => {
    // Munson's Pickles throttles everything; give Contoso a budget instead to see 429 after it is spent.
    const contoso = scenario.tenants.find((t) => t.name === 'Contoso')!;
    contoso.throttling = { graph: { requestsPerMinute: 1000, retryAfterSeconds: 30 } };
  });
});
afterAll(() => sim.close());

async function graph(tenantName: string, path: string, init: RequestInit = {}) {
  const tenant = tenantNamed(sim, tenantName);
  const token = await accessToken(sim, tenant, 'https://graph.microsoft.com/.default');
  const response = await fetch(`${sim.endpoints.graph}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'client-request-id': 'test-correlation', ...init.headers },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  };
}

const inbox = (tenantName: string, canary = 0) =>
  graph(tenantName, `/v1.0/users/${tenantNamed(sim, tenantName).mailboxes[canary]}/mailFolders/inbox`);

test('the inbox of a healthy mailbox, with request-id and the echoed client-request-id', async () => {
  const { status, headers, body } = await inbox('Contoso');
  expect(status).toBe(200);
  expect(body).toMatchObject({
    displayName: 'Inbox',
    totalItemCount: 3,
    '@odata.context': expect.stringContaining("users('ews-canary@contoso.onmicrosoft.com')/mailFolders/$entity"),
  });
  expect(headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(headers.get('client-request-id')).toBe('test-correlation');
});

test('messages and calendar of a healthy mailbox', async () => {
  const mailbox = tenantNamed(sim, 'Contoso').mailboxes[0];
  const messages = await graph('Contoso', `/v1.0/users/${mailbox}/messages?$top=2`);
  expect(messages.body?.value).toHaveLength(2);
  const calendar = await graph('Contoso', `/v1.0/users/${mailbox}/calendar`);
  expect(calendar.body).toMatchObject({ name: 'Calendar', isDefaultCalendar: true });
});

test.each<[string, number, number, string, string | RegExp]>([
  [
    'Northwind Traders',
    0,
    401,
    'NoPermissionsInAccessToken',
    'The token contains no permissions, or permissions can not be understood.',
  ],
  [
    'Adatum',
    1,
    403,
    'ErrorAccessDenied',
    'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
  ],
  ['Trey Research', 1, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  ['Humongous Insurance', 0, 403, 'ErrorAccessDenied', 'Access to OData is disabled.'],
  [
    'Alpine Ski House',
    1,
    404,
    'ErrorInvalidUser',
    "The requested user 'ews-canary-old@alpineskihouse.onmicrosoft.com' is invalid.",
  ],
  [
    'Wingtip Toys',
    0,
    404,
    'MailboxNotEnabledForRESTAPI',
    'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
  ],
  ["Munson's Pickles", 0, 429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
  ['Bellows College', 0, 401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'],
])('%s canary %i: %i %s', async (name, canary, status, code, message) => {
  const response = await inbox(name, canary);
  expect(response.status).toBe(status);
  expect(response.body?.error).toMatchObject({
    code,
    message,
    innerError: {
      'request-id': response.headers.get('request-id'),
      'client-request-id': 'test-correlation',
      date: expect.any(String),
    },
  });
});

test('the policy blocks that stop EWS leave Graph working (EwsAllowedAppIDs, EwsEnabled, licences)', async () => {
  for (const name of ['Proseware', 'Lucerne Publishing', "Margie's Travel", 'Coho Winery'])
    expect((await inbox(name)).status).toBe(200);
});

test('an Exchange token sent to Graph is an invalid audience', async () => {
  const contoso = tenantNamed(sim, 'Contoso');
  const token = await accessToken(sim, contoso);
  const response = await fetch(`${sim.endpoints.graph}/v1.0/organization`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({
    error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' },
  });
});

test('throttling answers 429 with Retry-After once the per-minute budget is spent', async () => {
  const response = await inbox("Munson's Pickles");
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe('120');
});

test('a mailbox serves at most four concurrent requests per app', async () => {
  sim.world.faults.push(parseFaultRule({ route: 'graph', latencyMs: 150 }));
  try {
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => inbox('Contoso')))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Slots are released when answers are sent.
    expect((await inbox('Contoso')).status).toBe(200);
  } finally {
    sim.world.faults = [];
  }
});

test('organization, service announcements and the permission inventory', async () => {
  const organization = await graph('Contoso', '/v1.0/organization');
  expect(organization.body?.value[0]).toMatchObject({
    id: tenantNamed(sim, 'Contoso').tenantId,
    displayName: 'Contoso',
  });
  const messages = await graph('Contoso', '/v1.0/admin/serviceAnnouncement/messages');
  const ewsPost = messages.body?.value.find(
    (m: { title: string }) => m.title === 'Update active Exchange Web Services Applications',
  );
  expect(ewsPost.body.content).toContain(tenantNamed(sim, 'Contoso').clientId);
  const holders = await graph(
    'Contoso',
    "/v1.0/servicePrincipals(appId='00000002-0000-0ff1-ce00-000000000000')/appRoleAssignedTo",
  );
  expect(holders.body?.value).toContainEqual(
    expect.objectContaining({
      appRoleId: 'dc890d15-9560-4a4c-9b7f-a736ec74ec40',
      principalDisplayName: 'Contoso Mail Archiver',
    }),
  );
  const app = await graph('Contoso', `/v1.0/applications(appId='${tenantNamed(sim, 'Contoso').clientId}')`);
  expect(app.body?.passwordCredentials[0]).toMatchObject({
    secretText: null,
    hint: 'sim',
    endDateTime: expect.any(String),
  });
});

test('directory reads without the permission are Authorization_RequestDenied', async () => {
  const denied = await graph('Northwind Traders', '/v1.0/organization');
  expect(denied.status).toBe(403);
  expect(denied.body?.error).toMatchObject({
    code: 'Authorization_RequestDenied',
    message: 'Insufficient privileges to complete the operation.',
  });
});

test('$batch runs each request and refuses more than 20', async () => {
  const mailbox = tenantNamed(sim, 'Contoso').mailboxes[0];
  const requests = [
    { id: '1', method: 'GET', url: `/users/${mailbox}/mailFolders/inbox` },
    { id: '2', method: 'GET', url: '/users/nobody@contoso.onmicrosoft.com/mailFolders/inbox' },
  ];
  const batch = await graph('Contoso', '/v1.0/$batch', {
    method: 'POST',
    body: JSON.stringify({ requests }),
    headers: { 'content-type': 'application/json' },
  });
  expect(batch.body?.responses.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
    ['1', 200],
    ['2', 404],
  ]);
  const tooMany = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
  const refused = await graph('Contoso', '/v1.0/$batch', {
    method: 'POST',
    body: JSON.stringify({ requests: tooMany }),
    headers: { 'content-type': 'application/json' },
  });
  expect(refused.status).toBe(400);
});
