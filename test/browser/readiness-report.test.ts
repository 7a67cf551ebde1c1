// The readiness page as a reader's browser shows it, on a desktop and on a phone: the legend, today on the timeline,
// apps by name, a fix beside every deduction, and nothing that fails a reader (overflow, contrast, unnamed parts).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReadinessHtml, type ReadinessRow } from '../../cli/readiness-report';
import { READINESS_BANDS, URGENCY_BANDS } from '../../shared/core/readiness';
import { READINESS_FIXES } from '../../shared/core/readiness-fixes';
import { openPage, screenshotPath, useBrowser, type OpenedPage, type PageChecks } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { PINNED_NOW } from '../helpers/sim';

useBrowser();

const DAY = 86_400_000;
const CRM_CONNECTOR = 'c2d4e6f8-1a3b-4c5d-9e7f-8a9b0c1d2e3f';
const MICROSOFT_OFFICE = 'd3590ed6-52b3-4102-aeff-aad2292ab01c';

let html: string;
let rows: ReadinessRow[];
beforeAll(async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'th-readiness-page-')), 'readiness.html');
  const { code, stdout } = await runCli(['readiness', '--at', PINNED_NOW, '--json', '--html', file]);
  expect(code).toBe(0);
  rows = (JSON.parse(stdout) as { tenants: ReadinessRow[] }).tenants;
  html = await readFile(file, 'utf8');
}, 60_000);

/** A fix as the page reads: its step, the commands no longer quoted, then the title of the docs link. */
const fixText = (rule: string) =>
  `${READINESS_FIXES[rule]!.step.replace(/`/g, '')} ${READINESS_FIXES[rule]!.docs.title}`;

describe.each([1280, 390])('at %i px wide', (width) => {
  let page: OpenedPage;
  /** The checks with every tenant's details opened, as a reader who opens them all sees the page. */
  let opened: PageChecks;
  beforeAll(async () => {
    page = await openPage({ html }, width);
    await page.screenshot(screenshotPath(`readiness-${width}.png`));
    await page.page.locator('summary').evaluateAll((all) => all.forEach((s: any) => (s.parentElement.open = true)));
    opened = await page.recheck();
    await page.screenshot(screenshotPath(`readiness-${width}-opened.png`));
  }, 60_000);

  test('nothing a reader trips on: no script errors, no fetches, no sideways scrolling, readable contrast, every part named', () => {
    const checks = { consoleErrors: page.consoleErrors, externalRequests: page.externalRequests };
    expect(checks).toEqual({ consoleErrors: [], externalRequests: [] });
    for (const state of [page, opened])
      expect(state).toEqual(
        expect.objectContaining({ horizontalOverflow: false, contrastFailures: [], unnamedElements: [] }),
      );
  });

  test('the legend gives every band its score range and every urgency its days left and factor', async () => {
    const legend = await page.page.locator('section[aria-labelledby="legend-heading"]').innerText();
    READINESS_BANDS.forEach(({ band, min }, i) =>
      expect(legend).toMatch(new RegExp(`\\b${band}\\s+${min}–${i === 0 ? 100 : READINESS_BANDS[i - 1]!.min - 1}\\s`)),
    );
    expect(legend).toMatch(/\bunknown\s+no score\s/);
    for (const { band, factor } of URGENCY_BANDS) expect(legend).toMatch(new RegExp(`${band}\\s[^×]+×${factor}\\s`));
    expect(legend).toMatch(/2026-10-01: EWS blocked by default/);
    expect(legend).toMatch(/2027-04-01: EWS in Exchange Online switched off/);
  });

  test("today's marker stands at the report's date on the timeline, and the days left are said in words", async () => {
    expect(page.text).toContain(
      'Today, 2026-11-21: 131 days until EWS in Exchange Online is switched off (2027-04-01).',
    );
    const track = (await page.page.locator('.track').boundingBox())!;
    const marker = (await page.page.locator('.track .today').boundingBox())!;
    const expected = (Date.parse(PINNED_NOW) - Date.parse('2026-10-01')) / (182 * DAY);
    expect((marker.x + marker.width / 2 - track.x) / track.width).toBeCloseTo(expected, 2);
    expect(await page.page.locator('.today-label').isVisible()).toBe(true);
    expect(page.text).toContain('today 2026-11-21');
  });

  test('apps are named before their id, by the names the tenant gives them', () => {
    expect(opened.text).toContain(`Fincher CRM Connector (app ${CRM_CONNECTOR})`);
    expect(opened.text).toContain('Contoso Mail Archiver (app 4c57dc1b-fff4-4ee3-8104-08c997f1289b)');
    // An id nobody names stays an id.
    expect(opened.text).toContain('EwsAllowedAppIDs lists app 90c195c2-b4cf-469c-862b-20a66197c911, which');
  });

  test('every deduction and every cap of every tenant sits beside its fix step', async () => {
    const shown = await page.page
      .locator('details table:has(caption:text-matches("^(Deductions from|Caps on)")) tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr: any) => [tr.querySelector('code').textContent, tr.querySelector('td:last-child').innerText]),
      );
    const expected = rows.flatMap((r) =>
      [...r.readiness.caps, ...r.readiness.deductions].map((d) => [d.rule, fixText(d.rule)]),
    );
    expect(shown.sort()).toEqual(expected.sort());
    expect(shown.length).toBeGreaterThan(50);
  });
});

test('a Microsoft app a tenant does not name gets its name from the well-known table', () => {
  const contoso = rows.find((r) => r.name === 'Contoso')!;
  const page = renderReadinessHtml(
    [{ ...contoso, readiness: { ...contoso.readiness, ewsApps: [...contoso.readiness.ewsApps!, MICROSOFT_OFFICE] } }],
    PINNED_NOW,
  );
  expect(page).toContain(`Microsoft Office <span class="id">(app ${MICROSOFT_OFFICE})</span>`);
});
