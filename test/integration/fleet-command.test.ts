// `npx tenant-health fleet` as an MSP runs it: every simulated EWS app against its tenant's allow list, merge scripts written
// for the tenants that drift, JSON for machines, an HTML page, and bad input refused with exit 2.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetReport } from '../../shared/core/fleet';
import { runCli } from '../helpers/cli';
import { runMergeScript } from '../helpers/exchange-powershell-fake';
import { defaultScenario } from '../../sim/catalogue';
import { parseScenario } from '../../sim/scenario';

let dir: string;
let runFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'th-fleet-'));
  runFile = join(dir, 'run.json');
  const demo = await runCli(['demo', '--json']);
  expect(demo.code).toBe(0);
  await writeFile(runFile, demo.stdout);
}, 60_000);

test('lists every simulated tenant and every app its checks saw, worst first, and writes a merge script per drifting tenant', async () => {
  const scripts = join(dir, 'scripts');
  const html = join(dir, 'fleet.html');
  const { code, stdout, stderr } = await runCli([
    'fleet',
    '--run',
    runFile,
    '--json',
    '--scripts',
    scripts,
    '--html',
    html,
  ]);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as FleetReport;
  const scenario = parseScenario(defaultScenario());
  expect(report.tenants.map((t) => t.tenantId).sort()).toEqual(scenario.tenants.map((t) => t.tenantId).sort());
  // What breaks first comes first: no tenant with a broken app after one without.
  const broken = report.tenants.map((t) => t.apps.some((a) => a.state === 'broken'));
  expect(broken.indexOf(false)).toBeGreaterThan(0);
  expect(broken.slice(broken.indexOf(false))).not.toContain(true);

  const drifting = report.tenants.filter((t) => t.mergeScript);
  expect(drifting.length).toBeGreaterThan(0);
  expect((await readdir(scripts)).sort()).toEqual(
    drifting.map((t) => `ews-allow-list-${t.tenantId.toLowerCase()}.ps1`).sort(),
  );
  expect(stderr).toMatch(new RegExp(`wrote ${drifting.length} merge script`));
  for (const tenant of drifting) {
    const spec = scenario.tenants.find((t) => t.tenantId === tenant.tenantId)!;
    const script = await readFile(join(scripts, `ews-allow-list-${tenant.tenantId.toLowerCase()}.ps1`), 'utf8');
    const run = runMergeScript(script, {
      connectedTenantId: tenant.tenantId,
      ewsAllowedAppIds: spec.exchange.ewsAllowedAppIds?.join(',') ?? null,
    });
    expect(run.threw).toBeUndefined();
    const written = String(run.calls.find((c) => c.cmdlet === 'Set-OrganizationConfig')?.parameters.EwsAllowedAppIDs);
    for (const id of [...(spec.exchange.ewsAllowedAppIds ?? []), ...tenant.drift.missing])
      expect(written.split(',')).toContain(id.toLowerCase());
  }
  expect(await readFile(html, 'utf8')).toMatch(/<h1>EWS across the fleet<\/h1>/);
}, 60_000);

test('the text report names each tenant and app, and says where the merge scripts went', async () => {
  const scripts = join(dir, 'text-scripts');
  const { code, stdout } = await runCli(['fleet', '--run', runFile, '--scripts', scripts]);
  expect(code).toBe(0);
  expect(stdout.split('\n')[0]).toMatch(
    /^EWS across 29 tenants on \d{4}-\d{2}-\d{2}, \d+ days before the shutdown: \d+ broken, \d+ unknown, \d+ allowed, \d+ stale, \d+ dormant; \d+ allow lists drift\.$/,
  );
  expect(stdout).toMatch(
    /^Proseware \(4615ee8c-9cd5-44c3-821f-eeea6c03657d\) · readiness .* · EwsEnabled True, 1 in EwsAllowedAppIDs$/m,
  );
  expect(stdout).toMatch(
    /^ {2}broken {3}Proseware Mail Archiver +d2c7b024-36dc-47c7-8376-ffb203bffbdd .*not in EwsAllowedAppIDs$/m,
  );
  expect(stdout).toMatch(/merge script \(adds 1\): .*ews-allow-list-4615ee8c-9cd5-44c3-821f-eeea6c03657d\.ps1/);
});

test.each([
  [['fleet', '--run', 'x.json', '--scenarios', 'y.json'], /--run and --scenarios cannot be combined/],
  [['fleet', '--at', 'someday'], /--at/],
  [['fleet', '--colour'], /--colour/],
  [['fleet', '--tag', 'Tier=gold'], /--tag must be name:value/],
])('%j exits 2 and names the problem', async (argv, message) => {
  const { code, stderr } = await runCli(argv);
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
});
