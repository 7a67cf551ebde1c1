// ews-javascript-api, unmodified, completes GetFolder on a healthy mailbox and gets Exchange's errors on the failures.
import * as ews from 'ews-javascript-api';
import type { SimulatedCloud } from '../../sim/server';
import { accessToken, startSim, tenantNamed } from '../helpers/sim';

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());

interface Outcome {
  ok: boolean;
  status?: number;
  faultCode?: string;
  message?: string;
  displayName?: string;
  total?: number;
}

/** Folder.Bind on the inbox as an app-only caller would: OAuth token, impersonation, X-AnchorMailbox. */
async function bindInbox(tenantName: string, canary = 0): Promise<Outcome> {
  const tenant = tenantNamed(sim, tenantName);
  const mailbox = tenant.mailboxes[canary]!;
  const service = new ews.ExchangeService(ews.ExchangeVersion.Exchange2016);
  service.Url = new ews.Uri(sim.endpoints.ews);
  if (tenant.client.auth === 'basic') {
    service.Credentials = new ews.WebCredentials(mailbox, 'legacy-password');
  } else {
    service.Credentials = new ews.OAuthCredentials(await accessToken(sim, tenant, tenant.client.ewsScope));
    if (tenant.client.impersonation)
      service.ImpersonatedUserId = new ews.ImpersonatedUserId(ews.ConnectingIdType.SmtpAddress, mailbox);
  }
  service.HttpHeaders.Add('X-AnchorMailbox', mailbox);
  try {
    const folder = await ews.Folder.Bind(service, ews.WellKnownFolderName.Inbox);
    return { ok: true, displayName: folder.DisplayName, total: folder.TotalCount };
  } catch (error) {
    const e = error as { HttpStatusCode?: number; faultCode?: string; message?: string };
    return { ok: false, status: e.HttpStatusCode, faultCode: e.faultCode, message: e.message };
  }
}

test.each([
  ['Contoso', 0],
  ['Contoso', 1],
  ['Relecloud', 0],
  ['Adatum', 0],
  ['Trey Research', 0],
])('GetFolder completes on %s canary %i', async (name, canary) => {
  await expect(bindInbox(name, canary)).resolves.toEqual({ ok: true, displayName: 'Inbox', total: 3 });
});

test.each<[string, number, Partial<Outcome>]>([
  [
    'Northwind Traders',
    0,
    { status: 401, message: expect.stringContaining('2000008;reason="The token contains no permissions') },
  ],
  ['Tailspin Toys', 0, { status: 401, message: expect.stringContaining('2000008') }],
  [
    'Woodgrove Bank',
    0,
    {
      status: 401,
      message: expect.stringContaining(
        '2000003;reason="The audience claim value is invalid \'https://graph.microsoft.com\'."',
      ),
    },
  ],
  [
    'Litware',
    0,
    {
      status: 500,
      faultCode: 'a:ErrorInvalidExchangeImpersonationHeaderData',
      message: 'ExchangeImpersonation SOAP header must be present for this type of OAuth token.',
    },
  ],
  ['Adatum', 1, { status: 403, message: '' }],
  ['Trey Research', 1, { status: 403, message: '' }],
  ['Proseware', 0, { status: 403 }],
  ['Lucerne Publishing', 0, { status: 403 }],
  ["Margie's Travel", 0, { status: 403 }],
  ['Humongous Insurance', 0, { status: 403 }],
  ['Coho Winery', 0, { status: 403 }],
  [
    'Alpine Ski House',
    1,
    {
      status: 500,
      faultCode: 'a:ErrorNonExistentMailbox',
      message: 'The SMTP address has no mailbox associated with it.',
    },
  ],
  ['Wingtip Toys', 0, { status: 500, faultCode: 'a:ErrorNonExistentMailbox' }],
  [
    "Munson's Pickles",
    0,
    {
      status: 500,
      faultCode: 'a:ErrorServerBusy',
      message: 'The server cannot service this request right now. Try again later.',
    },
  ],
  ['VanArsdel', 0, { status: 401 }],
  [
    'Bellows College',
    0,
    {
      status: 401,
      message: expect.stringContaining('2000001;reason="Lifetime validation failed, the token is expired."'),
    },
  ],
])('%s canary %i fails the way Exchange Online fails', async (name, canary, expected) => {
  await expect(bindInbox(name, canary)).resolves.toMatchObject({ ok: false, ...expected });
});
