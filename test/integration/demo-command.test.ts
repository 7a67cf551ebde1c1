// `npx tenant-health demo` and `check` as a user runs them: the report, the run object, exit codes, and no secret in
// any output even when the simulated cloud holds recognisable canary secrets.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultScenario } from '../../sim/catalogue';
import { invalidAlertPayload } from '../helpers/alert-schema';
import { undocumented } from '../helpers/openapi';
import { startServing } from '../helpers/serving-command';

const BIN = join(__dirname, '../../bin/tenant-health.js');
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });

let dir: string;
let scenarioFile: string;
const canaries: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'th-demo-'));
  // Every secret the simulated cloud holds becomes a value that cannot appear anywhere by accident.
  const scenario = defaultScenario();
  for (const tenant of scenario.tenants) {
    for (const app of tenant.apps) {
      for (const secret of app.secrets ?? []) {
        secret.value = `CANARY-${randomBytes(12).toString('hex')}`;
        canaries.push(secret.value);
      }
    }
    if (tenant.probe.vaultValue) {
      tenant.probe.vaultValue = `CANARY-${randomBytes(12).toString('hex')}`;
      canaries.push(tenant.probe.vaultValue);
    }
  }
  scenarioFile = join(dir, 'canaries.json');
  await writeFile(scenarioFile, JSON.stringify(scenario));
});

function expectNoSecrets(output: string) {
  for (const canary of canaries) expect(output).not.toContain(canary);
  expect(output).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/);
  expect(output).not.toMatch(/Bearer\s+[\w-]{20,}/);
  expect(output).not.toMatch(/"authorization"\s*:/i);
  expect(output).not.toContain('PRIVATE KEY');
  expect(output).not.toMatch(/\bsig=[\w-]{20,}/);
}

test('the report names each tenant with its verdict and what failed, and leaks no secret', async () => {
  const { stdout, stderr } = await run(['demo', '--scenarios', scenarioFile]);
  expectNoSecrets(stdout + stderr);
  const lines = stdout.split('\n');
  expect(lines[0]).toMatch(
    /^Tenant\s+App\s+Verdict\s+Readiness\s+Top cause\s+Timings ms \(token\/ews\/graph\)\s+Failed probes \(status\)$/,
  );
  expect(lines.find((l) => l.startsWith('Contoso '))).toMatch(
    /^Contoso\s+Contoso Mail Archiver\s+healthy\s+60 at risk\s+-\s+\d+\/\d+\/\d+\s+-$/,
  );
  expect(lines.find((l) => l.startsWith('Southridge Video '))).toMatch(
    /^Southridge Video\s+Southridge Video Archiver\s+healthy\s+100 ready\s+/,
  );
  expect(lines.find((l) => l.startsWith('Fourth Coffee '))).toMatch(/^Fourth Coffee\s+\S.*?\s+failing\s+- unknown\s+/);
  expect(stdout).toMatch(
    /^EWS readiness: 1 ready, 1 on track, 16 at risk, 3 critical, 8 unknown; \d+ days until EWS is switched off on 2027-04-01/m,
  );
  expect(lines.find((l) => l.startsWith('Proseware '))).toMatch(/failing .* ews\.getFolder ews-canary 403/);
  expect(lines.find((l) => l.startsWith('Fourth Coffee '))).toMatch(/token\.exchange 401, token\.graph 401/);
  expect(stderr).toMatch(/demo: 29 tenant results written to Table storage/);
  expect(stdout).toMatch(
    /^29 tenants: 6 healthy, 3 degraded, 20 failing, 0 unknown \(\d+\.\d s, run [0-9a-f-]{36}\)$/m,
  );
  expect(stdout).toMatch(/^Alerts: (\d+) raised \(\1 open; [^)]*\), \1 delivered to the Logic App$/m);
}, 60_000);

test('--json prints the run object and nothing else on stdout, with no secret in it', async () => {
  const { stdout, stderr } = await run(['demo', '--json', '--scenarios', scenarioFile]);
  expectNoSecrets(stdout + stderr);
  const result = JSON.parse(stdout) as Record<string, any>;
  expect(result).toEqual(
    expect.objectContaining({
      runId: expect.any(String),
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    }),
  );
  expect(result.summary).toEqual({ tenants: 29, healthy: 6, degraded: 3, failing: 20, unknown: 0 });
  // Alerts (issue 7): the demo opens one per problem of every unhealthy tenant at once, and delivers them all; a healthy
  // tenant raises nothing.
  const alerts = result.alerts as {
    tenantId: string;
    kind: string;
    cause: string;
    check: string;
    severity: string;
    idempotencyKey: string;
    delivered: boolean;
  }[];
  for (const t of result.tenants as {
    tenantId: string;
    name: string;
    verdict: string;
    findings: { cause: string }[];
  }[]) {
    const mine = alerts.filter((a) => a.tenantId === t.tenantId);
    if (t.verdict === 'healthy') expect([t.name, mine]).toEqual([t.name, []]);
    else expect([t.name, mine.map((a) => a.cause)]).toEqual([t.name, expect.arrayContaining([t.findings[0]!.cause])]);
  }
  for (const a of alerts)
    expect(a).toEqual({
      tenantId: expect.any(String),
      kind: 'open',
      cause: expect.any(String),
      check: expect.any(String),
      severity: expect.stringMatching(/^(warning|error|critical)$/),
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{20}-0$/),
      delivered: true,
    });
  expect(new Set(alerts.map((a) => a.idempotencyKey)).size).toBe(alerts.length);
  const contoso = result.tenants[0];
  expect(contoso).toEqual(
    expect.objectContaining({ tenantId: expect.any(String), name: 'Contoso', verdict: 'healthy', findings: [] }),
  );
  expect(contoso.probes[0]).toEqual(
    expect.objectContaining({ name: expect.any(String), ok: true, status: 200, ms: expect.any(Number) }),
  );
  // Every tenant's readiness: a score from 0 to 100, or none with low confidence and the reason; a band; the days to
  // 2027-04-01 from the run's date (issue 6's acceptance).
  for (const t of result.tenants as { name: string; checkedAt: string; readiness: Record<string, any> }[]) {
    const { score, band, confidence, daysToShutdown, reason } = t.readiness;
    expect([t.name, daysToShutdown]).toEqual([
      t.name,
      Math.ceil((Date.parse('2027-04-01T00:00:00Z') - Date.parse(t.checkedAt)) / 86_400_000),
    ]);
    if (score === null)
      expect([band, confidence, reason]).toEqual(['unknown', 'low', expect.stringMatching(/^not enough evidence: /)]);
    else
      expect([
        score >= 0 && score <= 100 && Number.isInteger(score),
        ['ready', 'on track', 'at risk', 'critical'].includes(band),
      ]).toEqual([true, true]);
  }
  // Every simulated scenario's top finding is its cause, with high confidence (issue 4's acceptance).
  const expected = defaultScenario().tenants.map((t) => [t.name, t.expectedCause]);
  const found = result.tenants.map((t: { name: string; findings: { cause: string; confidence: string }[] }) => [
    t.name,
    t.findings[0] ? `${t.findings[0].cause} ${t.findings[0].confidence}` : 'healthy',
  ]);
  expect(found).toEqual(expected.map(([name, cause]) => [name, cause === 'healthy' ? 'healthy' : `${cause} high`]));
  const litware = result.tenants.find((t: { name: string }) => t.name === 'Litware');
  expect(litware.findings[0].fix.join('\n')).toContain('<t:ExchangeImpersonation>');
  expect(litware.findings[0].docs).toContain(
    'https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth',
  );

  // Saved evidence goes back into `diagnose` unchanged: one failed call alone, and the whole run tenant by tenant.
  const callFile = join(dir, 'litware-ews.json');
  await writeFile(callFile, JSON.stringify(litware.evidence.find((e: { endpoint: string }) => e.endpoint === 'ews')));
  expect(JSON.parse((await run(['diagnose', callFile, '--json'])).stdout).findings[0].cause).toBe(
    'missing_impersonation_header',
  );
  const runFile = join(dir, 'run.json');
  await writeFile(runFile, stdout);
  const again = JSON.parse((await run(['diagnose', runFile, '--json'])).stdout) as {
    verdict: string;
    findings: { cause: string }[];
  }[];
  expect(again.map((d) => [d.verdict, d.findings[0]?.cause])).toEqual(
    result.tenants.map((t: { verdict: string; findings: { cause: string }[] }) => [t.verdict, t.findings[0]?.cause]),
  );
  // In text, each result is headed by its tenant and app, not only its place in the run.
  const text = (await run(['diagnose', runFile])).stdout;
  expect(text).toMatch(/^\[0\] \S.* \(.+\): (healthy|degraded|failing|unknown)/);
  expect(text).toContain(`] Litware (${litware.app.name ?? litware.app.clientId}): failing`);
}, 60_000);

test('--fail-on-unhealthy exits 1 when a tenant is not healthy', async () => {
  await expect(run(['demo', '--fail-on-unhealthy', '--scenarios', scenarioFile])).rejects.toMatchObject({ code: 1 });
}, 60_000);

test('--serve answers the status routes on loopback after its cycle, one ready line on stdout, until SIGTERM', async () => {
  const demo = await startServing(['demo', '--serve', '--port', '0', '--scenarios', scenarioFile]);
  try {
    expect(demo.before).toEqual([]); // the report goes to stderr, so a script can read the ready line first
    expect(demo.ready).toEqual({ ready: true, baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const api = (path: string, init?: RequestInit) => fetch(`${demo.ready.baseUrl}/api/${path}`, init);

    const summary = await api('status');
    expect([summary.status, summary.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    const body = (await summary.json()) as {
      status: string;
      counts: Record<string, number>;
      tenants: { tenantId: string; name: string; status: string }[];
    };
    expect([body.status, body.counts]).toEqual([
      'failing',
      { total: 29, apps: 29, healthy: 6, degraded: 3, failing: 20, unknown: 0, stale: 0 },
    ]);
    expect(
      undocumented('statusSummary', {
        status: summary.status,
        headers: Object.fromEntries(summary.headers),
        jsonBody: body,
      }),
    ).toEqual([]);
    expect((await api('status', { headers: { 'if-none-match': summary.headers.get('etag') ?? '' } })).status).toBe(304);
    expect((await api('status?failOn=failing')).status).toBe(503);

    // Anonymous readers get aliases, never a customer's name or tenant id (STATUS_PUBLIC_NAMES is off).
    expect(body.tenants.every((t) => /^tenant-[0-9a-f]{10}$/.test((t as unknown as { alias: string }).alias))).toBe(
      true,
    );
    expect(JSON.stringify(body)).not.toMatch(/Contoso|f23cddea/);
    const spec = (name: string) => defaultScenario().tenants.find((t) => t.name === name)!;
    const id = (name: string) => spec(name).tenantId;
    expect(await (await api(`status/${id('Contoso')}/badge`)).json()).toEqual(
      expect.objectContaining({ schemaVersion: 1, message: 'healthy', color: 'brightgreen' }),
    );
    const detail = (await (await api(`status/${id('Proseware')}`)).json()) as {
      findings: { cause: string }[];
      history: unknown[];
    };
    expect(detail.findings[0]?.cause).toBe(
      defaultScenario().tenants.find((t) => t.name === 'Proseware')?.expectedCause,
    );
    const app = (await (await api(`status/${id('Proseware')}/apps/${spec('Proseware').probe.clientId}`)).json()) as {
      findings: { cause: string }[];
    };
    expect(app.findings).toEqual(detail.findings);
    const checked = await api(`check/${id('Contoso')}`, { method: 'POST' });
    expect([checked.status, ((await checked.json()) as { verdict: string }).verdict]).toEqual([200, 'healthy']);
    expect(((await (await api(`status/${id('Contoso')}`)).json()) as { history: unknown[] }).history).toHaveLength(2);

    // What the simulated Logic App received: every payload valid by the repository's schema, none for a healthy
    // tenant, and checking a failing tenant again adds nothing (its alert is open already).
    const simBase = /simulated Microsoft 365 cloud with \d+ tenants at (http:\/\/127\.0\.0\.1:\d+)/.exec(
      demo.stderr(),
    )![1]!;
    const inbox = async () =>
      ((await (await fetch(`${simBase}/_sim/logicapp`)).json()) as { body: { tenant: { name: string } } }[]).map(
        (r) => r.body,
      );
    const bodies = await inbox();
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) expect(invalidAlertPayload(b)).toEqual([]);
    expectNoSecrets(JSON.stringify(bodies));
    const healthyNames = body.tenants.filter((t) => t.status === 'healthy').map((t) => t.name);
    expect(bodies.filter((b) => healthyNames.includes(b.tenant.name))).toEqual([]);
    expect((await api(`check/${id('Proseware')}`, { method: 'POST' })).status).toBe(200);
    expect(await inbox()).toHaveLength(bodies.length);

    const wrongMethod = await api('status', { method: 'DELETE' });
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await api('status/%27%20or%20true%20or%20%27')).status).toBe(400);
    expect((await api('nothing/here')).status).toBe(404);

    expect(await demo.stop()).toBe(0);
    expect(demo.after).toEqual([]);
    expect(demo.stderr()).toMatch(/^Proseware\s+Proseware Mail Archiver\s+failing/m);
    expect(demo.stderr()).toMatch(/POST \/api\/check\/[0-9a-f-]{36} 200/);
    expectNoSecrets(demo.stderr());
  } finally {
    await demo.cleanUp();
  }
}, 60_000);

test('--serve --json prints the run object as one line, then the ready line', async () => {
  const demo = await startServing(['demo', '--serve', '--json', '--scenarios', scenarioFile]);
  try {
    expect(demo.before).toHaveLength(1);
    expect((JSON.parse(demo.before[0] ?? '') as { summary: unknown }).summary).toEqual({
      tenants: 29,
      healthy: 6,
      degraded: 3,
      failing: 20,
      unknown: 0,
    });
    expect((await fetch(`${demo.ready.baseUrl}/api/status`)).status).toBe(200);
    expect(await demo.stop('SIGINT')).toBe(0);
  } finally {
    await demo.cleanUp();
  }
}, 60_000);

test.each([
  [['demo', '--port', '8080'], /demo: --port only applies with --serve/],
  [['demo', '--serve', '--port', '99999'], /demo: --port must be a whole number from 0 to 65535/],
  [['check'], /check: --config FILE is required/],
  [['check', '--config', '/nonexistent.json'], /check: --config: cannot read \/nonexistent.json: ENOENT/],
  [['demo', '--scenarios', '/nonexistent.json'], /demo: --scenarios: cannot read/],
])('bad input %j exits 2 naming the problem', (args, message) => {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 10_000 });
  expect([result.status, result.stdout]).toEqual([2, '']);
  expect(result.stderr).toMatch(message);
});

test('check refuses an invalid tenants file naming the tenant and field, and a file without a vault or --secrets', async () => {
  const bad = join(dir, 'bad.json');
  await writeFile(
    bad,
    JSON.stringify({
      tenants: [
        {
          tenantId: 'contoso.onmicrosoft.com',
          name: 'Contoso',
          clientId: 'nope',
          credential: { type: 'secret', keyVaultSecretName: 'x' },
          canaries: ['a@b.cd'],
        },
      ],
    }),
  );
  const invalid = spawnSync(process.execPath, [BIN, 'check', '--config', bad], { encoding: 'utf8' });
  expect(invalid.status).toBe(2);
  expect(invalid.stderr).toMatch(/tenants\[0\] \(Contoso\)\.clientId: expected a GUID/);
  const noVault = join(dir, 'novault.json');
  await writeFile(
    noVault,
    JSON.stringify({
      tenants: [
        {
          tenantId: 'contoso.onmicrosoft.com',
          name: 'Contoso',
          clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b',
          credential: { type: 'secret', keyVaultSecretName: 'x' },
          canaries: ['a@b.cd'],
        },
      ],
    }),
  );
  const missing = spawnSync(process.execPath, [BIN, 'check', '--config', noVault], { encoding: 'utf8' });
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/has no keyVaultUrl; give it one, or pass --secrets FILE/);
});

test('a secrets file that is not valid JSON is refused with its line, never with its content', async () => {
  const config = join(dir, 'laptop.json');
  await writeFile(
    config,
    JSON.stringify({
      tenants: [
        {
          tenantId: 'contoso.onmicrosoft.com',
          name: 'Contoso',
          clientId: '4c57dc1b-fff4-4ee3-8104-08c997f1289b',
          credential: { type: 'secret', keyVaultSecretName: 'contoso' },
          canaries: ['a@b.cd'],
        },
      ],
    }),
  );
  const secrets = join(dir, 'bad-secrets.json');
  const planted = `CANARY-${randomBytes(12).toString('hex')}`;
  await writeFile(secrets, `{\n  "contoso": "${planted}"\n  "other": "x"\n}`);
  const result = spawnSync(process.execPath, [BIN, 'check', '--config', config, '--secrets', secrets], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(
    /bad-secrets\.json is not valid JSON at line 3; its content is not shown because it holds secrets/,
  );
  expect(result.stdout + result.stderr).not.toContain(planted.slice(7));
});

describe('the demo under faults', () => {
  const runWith = async (adjust: (scenario: ReturnType<typeof defaultScenario>) => void) => {
    const scenario = defaultScenario();
    adjust(scenario);
    const file = join(dir, `faults-${randomBytes(4).toString('hex')}.json`);
    await writeFile(file, JSON.stringify(scenario));
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'demo', '--json', '--scenarios', file], {
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TENANT_DEADLINE_SECONDS: '5' },
    });
    return {
      run: JSON.parse(stdout) as {
        startedAt: string;
        finishedAt: string;
        tenants: { name: string; verdict: string; findings: { cause: string; detail?: string; origin?: string }[] }[];
      },
    };
  };

  test('with every Key Vault call hanging it ends within the tenant deadline and a margin, and no tenant that reads the vault is healthy', async () => {
    const { run: result } = await runWith((s) => {
      s.faults = [{ route: 'keyvault', hang: true }];
    });
    // The cycle itself (the run object's own times, without start-up): tenants wait for the vault together, once,
    // not batch after batch (29 tenants, 8 at a time, would take at least four 5 s deadlines).
    expect(Date.parse(result.finishedAt) - Date.parse(result.startedAt)).toBeLessThan(2 * 5_000);
    const federated = new Set(
      defaultScenario()
        .tenants.filter((t) => t.probe.credential === 'federated')
        .map((t) => t.name),
    );
    for (const tenant of result.tenants.filter((t) => !federated.has(t.name))) {
      expect([tenant.name, tenant.verdict, tenant.findings[0]?.detail, tenant.findings[0]?.origin]).toEqual([
        tenant.name,
        'unknown',
        'key_vault_unavailable',
        'monitoring_infrastructure',
      ]);
    }
  }, 60_000);

  test('with EWS answering 200 with a cut SOAP body for one tenant, that tenant is not healthy and says why', async () => {
    const { run: result } = await runWith((s) => {
      const contoso = s.tenants.find((t) => t.name === 'Contoso')!;
      s.faults = [{ route: 'ews', tenantId: contoso.tenantId, malformedRate: 1 }];
    });
    const contoso = result.tenants.find((t) => t.name === 'Contoso')!;
    expect(contoso.verdict).toBe('failing');
    expect(contoso.findings[0]).toMatchObject({ cause: 'other', detail: 'expected_answer_missing' });
    expect(result.tenants.find((t) => t.name === 'Fabrikam')!.verdict).toBe('healthy');
  }, 60_000);
});
