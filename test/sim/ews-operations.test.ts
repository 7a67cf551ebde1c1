// The simulated EWS answers GetFolder, FindItem, ResolveNames and ConvertId in Exchange Online's shapes.
import { XMLParser } from 'fast-xml-parser';
import type { SimulatedCloud } from '../../sim/server';
import { accessToken, getFolderEnvelope, startSim, tenantNamed } from '../helpers/sim';

let sim: SimulatedCloud;
let token: string;
let mailbox: string;
beforeAll(async () => {
  sim = await startSim();
  const contoso = tenantNamed(sim, 'Contoso');
  token = await accessToken(sim, contoso);
  mailbox = contoso.mailboxes[0]!;
});
afterAll(() => sim.close());

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@' });

async function soap(operation: string, body: string) {
  const envelope =
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2016"/><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${mailbox}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>` +
    `<soap:Body><m:${operation}${body}</soap:Body></soap:Envelope>`;
  return send(envelope);
}

async function send(envelope: string) {
  const response = await fetch(sim.endpoints.ews, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'text/xml; charset=utf-8',
      'x-anchormailbox': mailbox,
    },
    body: envelope,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, doc: parser.parse(text) as Record<string, any> };
}

test('GetFolder carries ServerVersionInfo and Exchange front-end headers', async () => {
  const { status, headers, doc } = await send(getFolderEnvelope(mailbox));
  expect(status).toBe(200);
  expect(doc.Envelope.Header.ServerVersionInfo).toMatchObject({
    '@MajorVersion': '15',
    '@MinorVersion': '20',
    '@Version': 'V2018_01_08',
  });
  const message = doc.Envelope.Body.GetFolderResponse.ResponseMessages.GetFolderResponseMessage;
  expect(message).toMatchObject({
    '@ResponseClass': 'Success',
    ResponseCode: 'NoError',
    Folders: { Folder: { DisplayName: 'Inbox', TotalCount: 3 } },
  });
  expect(headers.get('x-backendhttpstatus')).toBe('200');
  expect(headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('FindItem lists the canary messages', async () => {
  const { doc } = await soap(
    'FindItem',
    ' Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>',
  );
  const root = doc.Envelope.Body.FindItemResponse.ResponseMessages.FindItemResponseMessage.RootFolder;
  expect(root['@TotalItemsInView']).toBe('3');
  expect(root.Items.Message).toHaveLength(3);
});

test('ResolveNames finds a mailbox and says ErrorNameResolutionNoResults for nobody', async () => {
  const found = await soap(
    'ResolveNames',
    ` ReturnFullContactData="false"><m:UnresolvedEntry>${mailbox}</m:UnresolvedEntry></m:ResolveNames>`,
  );
  expect(
    found.doc.Envelope.Body.ResolveNamesResponse.ResponseMessages.ResolveNamesResponseMessage.ResolutionSet.Resolution
      .Mailbox,
  ).toMatchObject({ EmailAddress: mailbox, RoutingType: 'SMTP' });
  const none = await soap(
    'ResolveNames',
    ' ReturnFullContactData="false"><m:UnresolvedEntry>nobody-at-all</m:UnresolvedEntry></m:ResolveNames>',
  );
  expect(none.doc.Envelope.Body.ResolveNamesResponse.ResponseMessages.ResolveNamesResponseMessage).toMatchObject({
    '@ResponseClass': 'Error',
    ResponseCode: 'ErrorNameResolutionNoResults',
  });
});

test('ConvertId answers ErrorInvalidIdMalformed for a dummy id, as exchangelib expects when it probes the version', async () => {
  const { status, doc } = await soap(
    'ConvertId',
    ` DestinationFormat="EntryId"><m:SourceIds><t:AlternateId Id="DUMMY" Format="EwsId" Mailbox="DUMMY"/></m:SourceIds></m:ConvertId>`,
  );
  expect(status).toBe(200);
  expect(doc.Envelope.Header.ServerVersionInfo).toBeDefined();
  expect(doc.Envelope.Body.ConvertIdResponse.ResponseMessages.ConvertIdResponseMessage).toMatchObject({
    '@ResponseClass': 'Error',
    ResponseCode: 'ErrorInvalidIdMalformed',
    MessageText: 'Id is malformed.',
  });
});

test('a folder of another mailbox than the impersonated one is ErrorAccessDenied', async () => {
  const other = tenantNamed(sim, 'Contoso').mailboxes[1];
  const { doc } = await soap(
    'GetFolder',
    `><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"><t:Mailbox><t:EmailAddress>${other}</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId></m:FolderIds></m:GetFolder>`,
  );
  expect(doc.Envelope.Body.GetFolderResponse.ResponseMessages.GetFolderResponseMessage).toMatchObject({
    '@ResponseClass': 'Error',
    ResponseCode: 'ErrorAccessDenied',
    MessageText: 'Access is denied. Check credentials and try again.',
  });
});

test('malformed XML and unknown operations are schema-validation faults', async () => {
  const broken = await send('<soap:Envelope><soap:Body><m:GetFolder></soap:Body>');
  expect(broken.status).toBe(500);
  expect(broken.doc.Envelope.Body.Fault.detail.ResponseCode).toBe('ErrorSchemaValidation');
  const unknown = await soap('FrobnicateItem', '/>');
  expect(unknown.doc.Envelope.Body.Fault.faultcode).toBe('a:ErrorSchemaValidation');
});

test('the throttling fault carries BackOffMilliseconds in MessageXml', async () => {
  const munsons = tenantNamed(sim, "Munson's Pickles");
  const throttledToken = await accessToken(sim, munsons);
  const response = await fetch(sim.endpoints.ews, {
    method: 'POST',
    headers: { authorization: `Bearer ${throttledToken}`, 'content-type': 'text/xml' },
    body: getFolderEnvelope(munsons.mailboxes[0]!),
  });
  const fault = (parser.parse(await response.text()) as Record<string, any>).Envelope.Body.Fault;
  expect(response.status).toBe(500);
  expect(fault.detail.MessageXml.Value).toMatchObject({ '@Name': 'BackOffMilliseconds', '#text': 297749 });
});

test('no Authorization gets the Exchange Online bearer challenge', async () => {
  const response = await fetch(sim.endpoints.ews, { method: 'POST', body: getFolderEnvelope(mailbox) });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(
    /^Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@\*"/,
  );
});

test('before the October 2026 enforcement an empty allow list with EwsEnabled=True still allows EWS', async () => {
  const early = await startSim((scenario) => {
    scenario.clock = { start: '2026-09-15T09:00:00Z' };
    const proseware = scenario.tenants.find((t) => t.name === 'Proseware')!;
    proseware.exchange = { ewsEnabled: true, ewsAllowedAppIds: [] };
  });
  try {
    const proseware = tenantNamed(early, 'Proseware');
    const earlyToken = await accessToken(early, proseware);
    const ok = await fetch(early.endpoints.ews, {
      method: 'POST',
      headers: { authorization: `Bearer ${earlyToken}` },
      body: getFolderEnvelope(proseware.mailboxes[0]!),
    });
    expect(ok.status).toBe(200);
    early.world.setNow(Date.parse('2026-10-02T09:00:00Z'));
    const expired = await fetch(early.endpoints.ews, {
      method: 'POST',
      headers: { authorization: `Bearer ${earlyToken}` },
      body: getFolderEnvelope(proseware.mailboxes[0]!),
    });
    expect(expired.status).toBe(401);
    const laterToken = await accessToken(early, proseware);
    const blocked = await fetch(early.endpoints.ews, {
      method: 'POST',
      headers: { authorization: `Bearer ${laterToken}` },
      body: getFolderEnvelope(proseware.mailboxes[0]!),
    });
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-ews-policy-reason')).toBe('EWS is blocked by policy for this user or tenant');
  } finally {
    await early.close();
  }
});
