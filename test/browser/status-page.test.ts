// The status page and the fleet report as a reader's browser shows them, on a desktop and on a phone: every app with its
// state, trend and readiness, no tenant named to an anonymous reader, and nothing that fails a reader.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetReport } from '../../shared/core/fleet';
import { openPage, screenshotPath, useBrowser, type OpenedPage } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { startServing, type ServingCommand } from '../helpers/serving-command';
import { defaultScenario } from '../../sim/catalogue';

useBrowser();

const tenants = defaultScenario().tenants as { name: string; tenantId: string }[];
let demo: ServingCommand;
let fleetHtml: string;
let fleet: FleetReport;
beforeAll(async () => {
  demo = await startServing(['demo', '--serve', '--port', '0']);
  const file = join(await mkdtemp(join(tmpdir(), 'th-fleet-page-')), 'fleet.html');
  const { code, stdout } = await runCli(['fleet', '--json', '--html', file]);
  expect(code).toBe(0);
  fleet = JSON.parse(stdout) as FleetReport;
  fleetHtml = await readFile(file, 'utf8');
}, 120_000);
afterAll(() => demo?.cleanUp());

const readable = (page: OpenedPage) =>
  expect({
    consoleErrors: page.consoleErrors,
    externalRequests: page.externalRequests,
    horizontalOverflow: page.horizontalOverflow,
    contrastFailures: page.contrastFailures,
    unnamedElements: page.unnamedElements,
  }).toEqual({
    consoleErrors: [],
    externalRequests: [],
    horizontalOverflow: false,
    contrastFailures: [],
    unnamedElements: [],
  });

describe.each([1280, 390])('at %i px wide', (width) => {
  let status: OpenedPage;
  let report: OpenedPage;
  beforeAll(async () => {
    status = await openPage({ url: `${demo.ready.baseUrl}/api/status/page` }, width);
    await status.screenshot(screenshotPath(`status-page-${width}.png`));
    report = await openPage({ html: fleetHtml }, width);
    await report.screenshot(screenshotPath(`fleet-${width}.png`));
  }, 60_000);
  afterAll(async () => {
    await status?.page.close();
    await report?.page.close();
  });

  test('the status page: nothing a reader trips on', () => readable(status));

  test('the status page lists every watched app with its state, last check, trend, readiness and days left', async () => {
    expect(status.text).toMatch(/^Mail access status\n/);
    expect(status.text).toMatch(/\d+ failing, \d+ degraded, \d+ healthy/);
    const rows = status.page.locator('tbody tr');
    expect(await rows.count()).toBe(tenants.length);
    const first = rows.first();
    expect(await first.innerText()).toMatch(/failing/);
    // On a phone each row is a card: its cells stack, each under the label the column header gave it.
    const display = await first
      .locator('td')
      .first()
      .evaluate((td: any) => (globalThis as any).getComputedStyle(td).display);
    expect(display).toBe(width === 390 ? 'block' : 'table-cell');
    const label = await first
      .locator('td')
      .nth(3)
      .evaluate((td: any) => (globalThis as any).getComputedStyle(td, '::before').content);
    expect(label).toBe(width === 390 ? '"Last check: "' : 'none');
    expect(await status.page.locator('[role="img"][aria-label^="Last 1 checks, oldest first: "]').count()).toBe(
      tenants.length,
    );
    expect(status.text).toMatch(/EWS in Exchange Online shuts down on 2027-04-01: \d+ days left/);
  });

  test('an anonymous reader sees aliases, never a tenant name or id', () => {
    const leaked = tenants.flatMap((t) => [t.name, t.tenantId]).filter((n) => status.text.includes(n));
    expect(leaked).toEqual([]);
    expect(status.text).toMatch(/tenant-[0-9a-f]{10}/);
  });

  test('the fleet report: nothing a reader trips on', () => readable(report));

  test('the fleet report names each tenant and app, explains the states, and shows each merge script', async () => {
    for (const state of ['broken', 'unknown', 'allowed', 'stale', 'dormant'])
      expect(report.text).toMatch(new RegExp(`^${state} `, 'm'));
    for (const t of fleet.tenants) expect(report.text).toContain(t.name);
    const scripts = report.page.locator('pre');
    expect(await scripts.count()).toBe(fleet.tenants.filter((t) => t.mergeScript).length);
    expect(await scripts.first().innerText()).toContain('Set-OrganizationConfig -EwsAllowedAppIDs');
    expect(report.text).toContain('Proseware Mail Archiver');
  });
});
