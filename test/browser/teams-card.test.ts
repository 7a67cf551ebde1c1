// The Teams card the sample Logic App posts, rendered by Microsoft's Adaptive Cards renderer in chromium: it parses
// without warnings at the card version Teams reads, and a reader sees the tenant, the app, the cause, the fix and links.
import { readFileSync } from 'node:fs';
import { decideAlerts, DEFAULT_ALERT_POLICY, type AlertCondition } from '../../shared/alerts/decisions';
import { alertPayload } from '../../shared/alerts/payload';
import { openPage, screenshotPath, useBrowser, type OpenedPage } from '../helpers/browser';
import { CARD_BASE_URL, teamsCardFor } from '../helpers/workflow-expressions';

useBrowser();

const TENANT = '0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c';
const ARCHIVER = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
const RENDERER = readFileSync(require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'utf8');

const condition: AlertCondition = {
  check: 'ews',
  cause: 'ews_disabled',
  detail: 'app_not_in_ews_allowed_app_ids',
  severity: 'error',
  summary: 'EWS refused the app: it is not in EwsAllowedAppIDs, and EwsEnabled is True.',
  fix: [
    'Run the merge script from `tenant-health fleet --scripts DIR` in Exchange Online PowerShell.',
    'Check again: tenant-health check --tenant contoso.onmicrosoft.com',
  ],
  docs: ['https://learn.microsoft.com/powershell/module/exchange/set-organizationconfig'],
  evidence: ['ews.getFolder a@contoso.com: X-EWS-Policy-Reason: App not in EwsAllowedAppIDs'],
  urgency: { band: 'active bridge', daysToShutdown: 119 },
};

/** The first notice two failing cycles give, as the Logic App receives it. */
function payload() {
  let previous = decideAlerts({
    tenantId: TENANT,
    clientId: ARCHIVER,
    appName: 'Northwind Mail Archiver',
    tenantName: 'Contoso Pharmaceuticals',
    conditions: [condition],
    previous: [],
    suppressions: [],
    policy: DEFAULT_ALERT_POLICY,
    now: Date.parse('2026-12-03T08:00:00Z'),
  });
  for (let cycle = 1; previous.notices.length === 0 && cycle < 5; cycle++)
    previous = decideAlerts({
      tenantId: TENANT,
      clientId: ARCHIVER,
      appName: 'Northwind Mail Archiver',
      tenantName: 'Contoso Pharmaceuticals',
      conditions: [condition],
      previous: previous.states,
      suppressions: [],
      policy: DEFAULT_ALERT_POLICY,
      now: Date.parse('2026-12-03T08:00:00Z') + cycle * 900_000,
    });
  expect(previous.notices).toHaveLength(1);
  return alertPayload(previous.notices[0]!);
}

const page = (card: object) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Teams card</title>
<style>body { font-family: "Segoe UI", sans-serif; margin: 16px; background: #f5f5f5; } #card { background: #fff; max-width: 540px; }</style>
</head><body><main><h1>Alert card</h1><div id="card"></div></main>
<script>${RENDERER.replace(/<\/script/gi, '<\\/script')}</script>
<script>
  const card = new AdaptiveCards.AdaptiveCard();
  // Parsed as a Teams client at card version 1.4 reads it: anything newer or unknown is an event.
  const parse = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_4);
  card.parse(${JSON.stringify(card)}, parse);
  window.parseEvents = Array.from({ length: parse.eventCount }, (_, i) => parse.getEventAt(i).message);
  window.validation = card.validateProperties().validationEvents.map((e) => e.message);
  document.getElementById('card').appendChild(card.render());
</script></body></html>`;

let opened: OpenedPage;
let card: Record<string, any>;
beforeAll(async () => {
  card = teamsCardFor(payload());
  opened = await openPage({ html: page(card) }, 600, { javaScript: true });
  await opened.screenshot(screenshotPath('teams-card.png'));
}, 60_000);

test('the renderer accepts the card: no parse events, no validation failures, no script errors, nothing fetched', async () => {
  const { parseEvents, validation } = await opened.page.evaluate<{ parseEvents: string[]; validation: string[] }>(
    () => ({ parseEvents: (globalThis as any).parseEvents, validation: (globalThis as any).validation }),
  );
  expect({ parseEvents, validation, consoleErrors: opened.consoleErrors, external: opened.externalRequests }).toEqual({
    parseEvents: [],
    validation: [],
    consoleErrors: [],
    external: [],
  });
});

test('a reader sees the tenant, the app, the cause, each fix step, and buttons to the detail and the status page', async () => {
  const text = await opened.page.locator('#card').innerText();
  for (const seen of [
    'Contoso Pharmaceuticals',
    'Northwind Mail Archiver',
    'ews_disabled',
    'Run the merge script from',
    'tenant-health check --tenant contoso.onmicrosoft.com',
    'Open the detail',
    'Status page',
  ])
    expect(text).toContain(seen);
  expect(card.actions[0].url).toBe(`${CARD_BASE_URL}/api/status/${TENANT}/apps/${ARCHIVER}`);
  expect(opened.horizontalOverflow).toBe(false);
});
