// The command line as people use it: help on every command, the version, suggestions for typos, surplus arguments
// refused, and bad input at the edge named with exit 2, never a stack overflow or a raw storage error.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTable } from '../../cli/report';
import { readSettings } from '../../shared/core/settings';
import type { TenantResult } from '../../shared/service/pipeline';
import { runCli } from '../helpers/cli';

const COMMANDS = ['demo', 'check', 'readiness', 'fleet', 'diagnose', 'alerts', 'watch', 'onboard', 'sim'];
const VERSION = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string })
  .version;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'th-cli-'));
});
const file = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

describe.each(COMMANDS)('%s', (command) => {
  test.each(['--help', '-h'])('%s prints its usage, options and examples on stdout and exits 0', async (flag) => {
    const { code, stdout, stderr } = await runCli([command, flag]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^usage: tenant-health ${command}\\b`));
    expect(stdout).toMatch(/\noptions:\n/);
    expect(stdout).toMatch(/-h, --help +show this help and exit/);
    expect(stdout).toMatch(/\nexamples:\n {2}tenant-health /);
  });

  test('--help wins over anything else on the line, even a mistake', async () => {
    const { code, stdout } = await runCli([command, '--no-such-option', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: /);
  });
});

test('help COMMAND is COMMAND --help', async () => {
  expect(await runCli(['help', 'check'])).toEqual(await runCli(['check', '--help']));
});

test('the program lists every command on --help, and prints its version on --version', async () => {
  const help = await runCli(['--help']);
  expect(help.code).toBe(0);
  for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`\\n {2}${command} +\\S`));
  for (const flag of ['--version', '-V'])
    expect(await runCli([flag])).toEqual({ code: 0, stdout: `tenant-health ${VERSION}`, stderr: '' });
  const none = await runCli([]);
  expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/^usage: tenant-health <command>/)]);
});

test.each([
  [['chek'], /unknown command "chek" \(did you mean check\?\)/],
  [['readines'], /did you mean readiness\?/],
  [['xyzzy'], /unknown command "xyzzy"; tenant-health --help lists the commands$/],
  [['demo', '--jsn'], /unknown option --jsn \(did you mean --json\?\); tenant-health demo --help lists its options/],
  [['fleet', '--script', 'x'], /did you mean --scripts\?/],
  [['alerts', 'snoze'], /unknown action "snoze" \(did you mean snooze\?\)/],
  [['check', '--config'], /--config needs a value \(FILE\)/],
])('a typo, %j, exits 2 with the nearest real name', async (args, message) => {
  const { code, stdout, stderr } = await runCli(args);
  expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  expect(stderr).toMatch(message);
});

test.each([
  [['readiness', 'run.json'], /unexpected argument "run\.json": readiness takes no arguments, only options/],
  [['demo', '--json', 'extra'], /unexpected argument "extra"/],
  [['diagnose', 'a.json', 'b.json'], /unexpected argument "b\.json": diagnose takes at most 1/],
  [['alerts', 'list', 'extra'], /unexpected argument "extra" after alerts list/],
  [['alerts', 'unsnooze', 'a', 'b'], /unexpected argument "b" after alerts unsnooze/],
  [['onboard', '--tenant', 'contoso.com', 'extra'], /unexpected argument "extra"/],
  [['check', '--config', 'a.json', '--config', 'b.json'], /--config is given more than once; give it once/],
  [['demo', '--json', '--wide'], /--json and --wide cannot be combined/],
  [['alerts', 'snooze', '--status', 'dead'], /--status does not apply to alerts snooze/],
  [['alerts', 'redeliver', 'key-1', '--all-dead'], /either idempotency keys or --all-dead, not both/],
])('surplus, repeated or conflicting arguments, %j, are refused with exit 2, not ignored', async (args, message) => {
  const { code, stderr } = await runCli(args);
  expect([code, stderr]).toEqual([2, expect.stringMatching(message)]);
});

describe('input at the edge', () => {
  const tenant = (overrides: Record<string, unknown> = {}) => ({
    tenants: [
      {
        tenantId: 'contoso.onmicrosoft.com',
        name: 'Contoso',
        clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b',
        credential: { type: 'secret', keyVaultSecretName: 'contoso-app' },
        canaries: ['canary@contoso.onmicrosoft.com'],
        ...overrides,
      },
    ],
  });
  const evidence = JSON.stringify({
    endpoint: 'ews',
    request: { method: 'POST', url: 'https://outlook.office365.com/EWS/Exchange.asmx' },
    response: { status: 403, headers: { 'x-ews-policy-reason': 'App not in EwsAllowedAppIDs' }, body: '' },
  });

  test('a file that starts with a UTF-8 byte order mark is read like any other', async () => {
    const path = await file('bom.json', `\uFEFF${evidence}`);
    const { code, stdout } = await runCli(['diagnose', path, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(expect.objectContaining({ verdict: expect.any(String) }));
  });

  test('deeply nested JSON is refused by its depth, not by a stack overflow', async () => {
    const path = await file('deep.json', `${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    const { code, stderr } = await runCli(['diagnose', path]);
    expect([code, stderr]).toEqual([2, expect.stringMatching(/nests arrays and objects more than 64 deep/)]);
  });

  test.each([
    [['sim', '--port', '0x50'], /--port must be a whole number from 0 to 65535, got "0x50"/],
    [['sim', '--port', '1e3'], /--port must be a whole number/],
    [['sim', '--synthetic', '10.0'], /--synthetic must be a whole number of tenants/],
    [['readiness', '--at', '2027-02-30'], /--at must be a date such as 2027-03-15.*got "2027-02-30"/],
    [['readiness', '--at', '2027-03-15T24:00:00Z'], /--at must be a date/],
    [['fleet', '--at', 'next week'], /--at must be a date/],
  ])('%j exits 2 naming the value', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect([code, stderr]).toEqual([2, expect.stringMatching(message)]);
  });

  test.each([
    ['a 40 KB tenant name', tenant({ name: 'x'.repeat(40_000) }), /tenants\[0\] \(x{59}…\)\.name: .*256/],
    [
      'a user agent with CRLF',
      tenant({ userAgent: 'Archiver/1.0\r\nX-Injected: 1' }),
      /userAgent: may not hold control/,
    ],
    [
      'a canary with NUL',
      tenant({ canaries: ['canary\u0000@contoso.onmicrosoft.com'] }),
      /canaries\.0: expected an SMTP/,
    ],
    ['a name with terminal escapes', tenant({ name: 'Contoso\u001b[2J' }), /\.name: may not hold control characters/],
  ])('%s is refused, named, and never echoed raw', async (_, definitions, message) => {
    const path = await file('tenants.json', JSON.stringify(definitions));
    const { code, stderr } = await runCli(['check', '--config', path, '--sim']);
    expect([code, stderr]).toEqual([2, expect.stringMatching(message)]);
    expect(stderr).not.toMatch(/\p{Cc}(?<!\n)|x{100}/u);
  });

  test.each([
    ['file:///etc/passwd', /keyVaultUrl must be https/],
    ['http://169.254.169.254/', /keyVaultUrl must be https/],
    ['https://169.254.169.254/', /keyVaultUrl must be a Key Vault \(a host under vault\.azure\.net/],
    ['https://evil.example.com', /keyVaultUrl must be a Key Vault/],
    ['https://kv.vault.azure.net/secrets/x', /keyVaultUrl must be just the vault/],
  ])('keyVaultUrl %s is refused: only Key Vaults of our clouds', async (keyVaultUrl, message) => {
    const path = await file('vault.json', JSON.stringify({ keyVaultUrl, ...tenant() }));
    const { code, stderr } = await runCli(['check', '--config', path]);
    expect([code, stderr]).toEqual([2, expect.stringMatching(message)]);
  });

  test('an unknown option or key holding terminal escapes is shown escaped, never raw', async () => {
    const option = await runCli(['sim', '--\u001b[31mx']);
    expect([option.code, option.stderr]).toEqual([2, expect.stringContaining('unknown option --\\u001b[31mx')]);
    const path = await file('escapes.json', JSON.stringify({ ...tenant(), '\u001b]0;pwned\u0007': 1 }));
    const key = await runCli(['check', '--config', path, '--sim']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('\\u001b]0;pwned\\u0007');
    expect(key.stderr).not.toMatch(/\p{Cc}(?<!\n)/u);
  });

  test('a JSON input that never ends (a device) is cut at the limit, not read into memory whole', async () => {
    const { code, stderr } = await runCli(['diagnose', '/dev/zero']);
    expect([code, stderr]).toEqual([2, expect.stringMatching(/\/dev\/zero is more than the \d+-byte limit/)]);
  }, 30_000);

  test('a proxy setting that cannot be used is a settings problem named by its variable, and calls go direct', () => {
    const { problems } = readSettings({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      https_proxy: 'http://[bad',
    });
    expect(problems).toEqual([
      'https_proxy is not a proxy URL (expected http://proxy.example.com:8080); calls go direct, not through a proxy, until it is fixed',
    ]);
  });

  test.each([
    ['http://127.0.0.1:8200/', false, /is on loopback, which only tests may use \(TENANT_HEALTH_ALLOW_LOOPBACK=true\)/],
    ['http://127.0.0.1:8200/', true, null],
    ['https://kv.vault.azure.net:8443/', false, /on the default port/],
    ['https://kv.vault.usgovcloudapi.net', false, null],
  ])('KEY_VAULT_URL %s (loopback allowed: %s)', (url, allow, problem) => {
    const { problems } = readSettings({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      KEY_VAULT_URL: url,
      ...(allow ? { TENANT_HEALTH_ALLOW_LOOPBACK: 'true' } : {}),
    });
    if (problem) expect(problems).toEqual([expect.stringMatching(problem)]);
    else expect(problems).toEqual([]);
  });

  test('a tenants file of more entries than one file may hold is refused before any is checked', async () => {
    const entries = Array.from({ length: 100_001 }, () => tenant().tenants[0]);
    const path = await file('huge.json', JSON.stringify({ tenants: entries }));
    const { code, stderr } = await runCli(['check', '--config', path, '--sim']);
    expect([code, stderr]).toEqual([
      2,
      expect.stringMatching(/100001 entries, more than the 100000 one file may hold/),
    ]);
  });

  test.each([
    [['alerts', 'unsnooze', '../../x'], /unsnooze: "\.\.\/\.\.\/x" is not a snooze id/],
    [['alerts', 'snooze', '--all-tenants', '--until', '+2d', '--reason', 'a\nb'], /--reason may not hold control/],
    [['alerts', 'snooze', '--all-tenants', '--until', '2026-02-30', '--reason', 'x'], /--until must be a date/],
    [['alerts', 'outbox', '--status', 'lost'], /--status must be pending, dead or delivered/],
    [['watch', '--remove', '../x'], /--remove: "\.\.\/x" is not a tenant id/],
  ])('%j is refused before any storage is opened', async (args, message) => {
    const { code, stderr } = await runCli([...args, '--storage', 'not a connection string']);
    expect([code, stderr]).toEqual([2, expect.stringMatching(message)]);
  });
});

describe('the run table', () => {
  const result = (name: string, cause: string) =>
    ({
      name,
      app: { clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b', name: 'Northwind Mail Archiver for Exchange Online' },
      verdict: 'failing',
      readiness: { score: 40, band: 'critical' },
      findings: [{ cause, detail: 'app_not_in_ews_allowed_app_ids', confidence: 'high' }],
      probes: [
        { name: 'token.exchange', ok: true, ms: 120 },
        { name: 'ews.getFolder', mailbox: 'ews-canary@northwind.onmicrosoft.com', ok: false, status: 403, ms: 80 },
        { name: 'graph.inbox', mailbox: 'ews-canary@northwind.onmicrosoft.com', ok: false, status: 403, ms: 60 },
      ],
    }) as unknown as TenantResult;
  const tenants = [result('Northwind Traders International Holdings', 'ews_disabled'), result('Contoso', 'throttled')];

  test.each([80, 100, 132])(
    'fits a terminal %i columns wide, leaving out the least important columns first',
    (width) => {
      const { lines, hidden } = runTable(tenants, width);
      expect(lines.filter((line) => line.length > width)).toEqual([]);
      expect(lines[0]).toMatch(/^Tenant +.*Verdict +.*Top cause/);
      expect(lines.slice(2).every((line) => /failing/.test(line))).toBe(true);
      if (hidden.length) expect(hidden[0]).toBe('Timings ms (token/ews/graph)');
    },
  );

  test('without a width (--wide, or not a terminal) every column is whole', () => {
    const { lines, hidden } = runTable(tenants);
    expect(hidden).toEqual([]);
    expect(lines[2]).toContain('Northwind Traders International Holdings');
    expect(lines[2]).toContain('ews.getFolder ews-canary 403, graph.inbox ews-canary 403');
  });
});
