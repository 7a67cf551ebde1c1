// exchangelib (Debian's python3-exchangelib, under the system python) against the simulated cloud, through
// scripts/exchangelib-check.py: it fetches its own tokens, reads account.inbox.total_count with impersonation, and
// raises on the failure scenarios what it raises against Exchange Online.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { SimulatedCloud } from '../../sim/server';
import { startSim } from '../helpers/sim';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `${__dirname}/../../scripts/exchangelib-check.py`;
const installed = spawnSync(PYTHON, ['-c', 'import exchangelib']).status === 0;
if (!installed) {
  process.stderr.write(
    `exchangelib.test.ts: skipped, ${PYTHON} cannot import exchangelib (apt-get install python3-exchangelib; .ci/run installs it)\n`,
  );
}

interface Row {
  tenant: string;
  ok: boolean | null;
  total_count?: number;
  exception?: string;
  message?: string;
  skipped?: string;
}

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim?.close());

async function runCheck(args: string[]): Promise<Map<string, Row>> {
  const { stdout, stderr } = await promisify(execFile)(PYTHON, [SCRIPT, '--sim', sim.baseUrl, ...args], {
    timeout: 60_000,
  });
  expect(stderr).toBe('');
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Row)
      .map((row) => [row.tenant, row]),
  );
}

const describeIfInstalled = installed ? describe : describe.skip;

describeIfInstalled('exchangelib 4.9 from Debian', () => {
  let first: Map<string, Row>;
  let second: Map<string, Row>;
  beforeAll(async () => {
    first = await runCheck([]);
    second = await runCheck([
      '--canary',
      '1',
      '--tenant',
      'Adatum',
      '--tenant',
      'Trey Research',
      '--tenant',
      'Alpine Ski House',
    ]);
  }, 90_000);

  test.each(['Contoso', 'Relecloud', 'Adatum', 'Trey Research', 'Alpine Ski House'])(
    '%s: account.inbox.total_count works with impersonation',
    (name) => {
      expect(first.get(name)).toMatchObject({ ok: true, total_count: 3 });
    },
  );

  test.each<[string, 'first' | 'second', string, RegExp]>([
    ['Northwind Traders', 'first', 'exchangelib.errors.UnauthorizedError', /^Invalid credentials for /],
    ['Tailspin Toys', 'first', 'exchangelib.errors.UnauthorizedError', /^Invalid credentials for /],
    ['Woodgrove Bank', 'first', 'exchangelib.errors.UnauthorizedError', /^Invalid credentials for /],
    ['Bellows College', 'first', 'exchangelib.errors.UnauthorizedError', /^Invalid credentials for /],
    ['VanArsdel', 'first', 'exchangelib.errors.UnauthorizedError', /^Invalid credentials for /],
    [
      'Litware',
      'first',
      'exchangelib.errors.ErrorInvalidExchangeImpersonationHeaderData',
      /^ExchangeImpersonation SOAP header must be present/,
    ],
    ['Adatum', 'second', 'exchangelib.errors.MalformedResponseError', /^Unknown failure in response\. Code: 403/],
    [
      'Trey Research',
      'second',
      'exchangelib.errors.MalformedResponseError',
      /^Unknown failure in response\. Code: 403/,
    ],
    [
      'Proseware',
      'first',
      'exchangelib.errors.MalformedResponseError',
      /Code: 403 .*'x-ews-policy-reason': 'EWS is blocked by policy for this user or tenant'/,
    ],
    [
      'Lucerne Publishing',
      'first',
      'exchangelib.errors.MalformedResponseError',
      /Code: 403 .*'x-ews-policy-reason': 'EWS is disabled for this user or tenant'/,
    ],
    ["Margie's Travel", 'first', 'exchangelib.errors.MalformedResponseError', /Code: 403/],
    ['Humongous Insurance', 'first', 'exchangelib.errors.MalformedResponseError', /Code: 403/],
    ['Coho Winery', 'first', 'exchangelib.errors.MalformedResponseError', /Code: 403/],
    [
      'Alpine Ski House',
      'second',
      'exchangelib.errors.ErrorNonExistentMailbox',
      /^The SMTP address has no mailbox associated with it\.$/,
    ],
    [
      'Wingtip Toys',
      'first',
      'exchangelib.errors.ErrorNonExistentMailbox',
      /^The SMTP address has no mailbox associated with it\.$/,
    ],
    [
      "Munson's Pickles",
      'first',
      'exchangelib.errors.ErrorServerBusy',
      /^The server cannot service this request right now/,
    ],
    [
      'School of Fine Art',
      'first',
      'oauthlib.oauth2.rfc6749.errors.CustomOAuth2Error',
      /^\(invalid_resource\) AADSTS500011: /,
    ],
    [
      'Fourth Coffee',
      'first',
      'oauthlib.oauth2.rfc6749.errors.InvalidClientError',
      /^\(invalid_client\) AADSTS7000222: /,
    ],
    [
      'Lamna Healthcare',
      'first',
      'oauthlib.oauth2.rfc6749.errors.InvalidClientError',
      /^\(invalid_client\) AADSTS7000215: /,
    ],
    [
      'Wide World Importers',
      'first',
      'oauthlib.oauth2.rfc6749.errors.UnauthorizedClientError',
      /^\(unauthorized_client\) AADSTS700016: /,
    ],
    [
      'Consolidated Messenger',
      'first',
      'oauthlib.oauth2.rfc6749.errors.InvalidClientIdError',
      /^\(invalid_request\) AADSTS90002: /,
    ],
    [
      'Graphic Design Institute',
      'first',
      'oauthlib.oauth2.rfc6749.errors.InvalidGrantError',
      /^\(invalid_grant\) AADSTS53003: /,
    ],
  ])('%s: raises what Exchange Online makes it raise', (name, run, exception, message) => {
    const row = (run === 'first' ? first : second).get(name);
    expect(row).toMatchObject({ ok: false, exception });
    expect(row?.message).toMatch(message);
  });

  test('no access token reaches its output', () => {
    for (const row of [...first.values(), ...second.values()])
      expect(JSON.stringify(row)).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
