// `npx tenant-health diagnose FILE|-` per docs/contracts/diagnosis.md: findings for one object or an array in order,
// standard input, exit 2 naming the problem for input that is not JSON or not evidence, and no crash on any JSON.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

const BIN = join(__dirname, '../../bin/tenant-health.js');
const dir = mkdtempSync(join(tmpdir(), 'th-diagnose-'));
let files = 0;
const file = (content: string) => {
  const path = join(dir, `input-${files++}.json`);
  writeFileSync(path, content);
  return path;
};

const run = (args: string[], stdin = '') => runCli(['diagnose', ...args], stdin);

const POLICY_BLOCK = {
  endpoint: 'ews',
  response: { status: 403, headers: { 'X-EWS-Policy-Reason': 'EWS is disabled for this user or tenant' }, body: '' },
};
const EXCHANGELIB_403 = {
  endpoint: 'ews',
  error: { name: 'MalformedResponseError', message: 'Unknown failure in response. Code: 403' },
};

test('one evidence object gives one findings object, and nothing else on stdout', async () => {
  const { code, stdout, stderr } = await run([file(JSON.stringify(POLICY_BLOCK)), '--json']);
  expect(code).toBe(0);
  expect(stderr).toBe('');
  const result = JSON.parse(stdout) as {
    verdict: string;
    findings: { cause: string; confidence: string; fix: string[]; docs: string[] }[];
  };
  expect(result.verdict).toBe('failing');
  expect(result.findings[0]).toEqual(
    expect.objectContaining({
      cause: 'ews_disabled',
      confidence: 'high',
      fix: expect.any(Array),
      docs: expect.any(Array),
    }),
  );
});

test('an array gives an array of findings objects in the same order', async () => {
  const { code, stdout } = await run([
    file(
      JSON.stringify([
        EXCHANGELIB_403,
        POLICY_BLOCK,
        { endpoint: 'token', error: 'AADSTS7000215: Invalid client secret provided.' },
      ]),
    ),
    '--json',
  ]);
  expect(code).toBe(0);
  const results = JSON.parse(stdout) as { findings: { cause: string }[] }[];
  expect(results.map((r) => r.findings[0]!.cause)).toEqual([
    'mailbox_out_of_scope',
    'ews_disabled',
    'invalid_client_credentials',
  ]);
});

test('a tenant result saved from a run is diagnosed as one cycle, with its control-plane facts', async () => {
  const tenant = {
    tenantId: 'contoso.onmicrosoft.com',
    controlPlane: {
      organizationEwsEnabled: true,
      ewsAllowedAppIds: ['aaaa'],
      appInAllowList: false,
      mailboxEwsEnabled: {},
    },
    evidence: [
      { endpoint: 'ews', request: { mailbox: 'a@contoso.com' }, response: { status: 403, headers: {}, body: '' } },
    ],
  };
  const { stdout } = await run([file(JSON.stringify(tenant)), '--json']);
  expect(JSON.parse(stdout).findings[0]).toEqual(
    expect.objectContaining({ cause: 'ews_disabled', detail: 'app_not_in_ews_allowed_app_ids' }),
  );
});

test('without --json the findings are written for a person: cause, confidence, what was seen, the fix and docs', async () => {
  const { code, stdout } = await run([file(JSON.stringify(EXCHANGELIB_403))]);
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /^failing\n1\. mailbox_out_of_scope \/ outside_application_access_policy_or_rbac_scope \(medium confidence\)/,
  );
  expect(stdout).toMatch(/seen: ews HTTP 403/);
  expect(stdout).toMatch(/fix:\n {5}- /);
  expect(stdout).toMatch(/2\. ews_disabled/);
});

test('- reads standard input (through the real command line)', () => {
  const result = spawnSync(process.execPath, [BIN, 'diagnose', '-', '--json'], {
    input: JSON.stringify(POLICY_BLOCK),
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.status).toBe(0);
  expect((JSON.parse(result.stdout) as { findings: { cause: string }[] }).findings[0]!.cause).toBe('ews_disabled');
});

test.each([
  ['text that is not JSON', 'Unknown failure in response. Code: 403', /diagnose: .* is not JSON: /],
  ['an empty file', '', /diagnose: .* is empty/],
  ['a number', '42', /is not evidence: expected an object with "endpoint", got number/],
  [
    'an object without endpoint',
    '{"response":{"status":403}}',
    /is not evidence: "endpoint" must be one of ews, graph, token, adminapi, keyvault \(it is missing\)/,
  ],
  ['an unknown endpoint', '{"endpoint":"smtp"}', /"endpoint" must be one of .*, not "smtp"/],
  ['an empty array', '[]', /is an empty array/],
  [
    'an array with one bad element',
    '[{"endpoint":"ews"}, null]',
    /\[1\] is not evidence: expected an object with "endpoint", got null/,
  ],
])('%s exits 2 naming the problem, with nothing on stdout', async (_what, content, message) => {
  const { code, stdout, stderr } = await run([file(content), '--json']);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toMatch(message);
});

test.each([
  [[], /give one FILE with evidence/],
  [['a.json', 'b.json'], /unexpected argument "b\.json": diagnose takes at most 1/],
])('%j is a usage error', async (args, message) => {
  const { code, stderr } = await run(args);
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
});

test('a missing file exits 2 naming it', async () => {
  const { code, stderr } = await run(['/nonexistent/evidence.json']);
  expect(code).toBe(2);
  expect(stderr).toMatch(/cannot read \/nonexistent\/evidence.json: ENOENT/);
});

test('any JSON is answered without a crash: odd field types are read or ignored', async () => {
  const odd: unknown[] = [
    {
      endpoint: 'EWS',
      response: { status: '403', headers: [['x', 'y']], body: { error: { code: 'ErrorAccessDenied' } } },
    },
    {
      endpoint: 'graph',
      response: { status: 'forbidden', headers: { 'Retry-After': 30, 'X-Many': ['a', 'b'] }, body: null },
      error: 42,
    },
    {
      endpoint: 'token',
      tokenClaims: { roles: 'Mail.Read Mail.Send', exp: '1795000000', aud: 7 },
      observedAt: 'yesterday',
    },
    { endpoint: 'adminapi', request: 'POST', response: 'Unauthorized', error: { message: { nested: true } } },
    {
      endpoint: 'keyvault',
      request: { headers: null, impersonation: 'yes' },
      response: { status: 1e9, body: 'x'.repeat(200_000) },
    },
    { endpoint: 'ews', tokenClaims: [], error: [], unknownField: { deep: [1, 2, 3] } },
  ];
  const { code, stdout, stderr } = await run([file(JSON.stringify(odd)), '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const results = JSON.parse(stdout) as { verdict: string; findings: unknown[] }[];
  expect(results).toHaveLength(odd.length);
  for (const result of results) expect(['healthy', 'degraded', 'failing', 'unknown']).toContain(result.verdict);
  expect((results[0]!.findings[0] as { cause: string }).cause).toBe('mailbox_out_of_scope');
});

test('an undecided finding lists every reading with what tells them apart, in the text and in --json', async () => {
  const path = file(JSON.stringify(EXCHANGELIB_403));
  const text = await run([path]);
  expect(text.stdout).toMatch(
    /what tells them apart:\n\s+- mailbox_out_of_scope \(medium\): Test-ApplicationAccessPolicy/,
  );
  expect(text.stdout).toMatch(/- ews_disabled \(low\): Look for an X-EWS-Policy-Reason header/);
  const json = JSON.parse((await run([path, '--json'])).stdout) as {
    findings: { candidates?: { cause: string; tellsApart: string }[] }[];
  };
  expect(json.findings[0]!.candidates?.map((c) => c.cause)).toEqual([
    'mailbox_out_of_scope',
    'ews_disabled',
    'missing_app_permission',
  ]);
});
