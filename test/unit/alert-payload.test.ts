// The alert payload: valid by the repository's schema for every kind of notice, in step with the code's lists,
// bounded, and free of secrets; and the sample Logic App workflow that reads it.
import Ajv from 'ajv';
import { CAUSES } from '../../shared/core/causes';
import {
  ALERT_CHECKS,
  ALERT_KINDS,
  CREDENTIAL_EXPIRING,
  decideAlerts,
  DEFAULT_ALERT_POLICY,
  SEVERITIES,
  type AlertCondition,
  type AlertNotice,
  type AlertState,
} from '../../shared/alerts/decisions';
import { alertPayload, ALERT_PAYLOAD_SCHEMA } from '../../shared/alerts/payload';
import { HTTP_ROUTES } from '../../shared/service/status-api';
import { ALERT_SCHEMA, invalidAlertPayload } from '../helpers/alert-schema';
import { ALERT_WORKFLOW, CARD_BASE_URL, evaluateWorkflowValue, teamsCardFor } from '../helpers/workflow-expressions';

const TENANT = '0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c';
const START = Date.parse('2026-11-21T09:00:00Z');

/** Every notice a sequence of conditions gives, reminders every hour. */
function notices(cycles: AlertCondition[][], app: { clientId?: string; appName?: string } = {}): AlertNotice[] {
  let states: AlertState[] = [];
  return cycles.flatMap((conditions, i) => {
    const decision = decideAlerts({
      tenantId: TENANT,
      tenantName: 'Contoso',
      ...app,
      conditions,
      previous: states,
      suppressions: [],
      policy: { ...DEFAULT_ALERT_POLICY, reminderMs: 3_600_000 },
      now: START + i * 3_600_000,
    });
    states = decision.states;
    return decision.notices;
  });
}

const ews = (severity: AlertCondition['severity']): AlertCondition => ({
  check: 'ews',
  cause: 'ews_disabled',
  detail: 'app_not_in_ews_allowed_app_ids',
  severity,
  summary: 'EWS refused the app: it is not in EwsAllowedAppIDs.',
  fix: ['Set-OrganizationConfig -EwsAllowedAppIDs @{Add="4c57dc1b-fff4-4ee3-8104-08c997f1289b"}'],
  docs: ['https://learn.microsoft.com/powershell/module/exchange/set-organizationconfig'],
  evidence: ['ews.getFolder a@contoso.com: X-EWS-Policy-Reason: App not in EwsAllowedAppIDs'],
  urgency: { band: 'active bridge', daysToShutdown: 131 },
});
const credential: AlertCondition = {
  check: 'credential',
  cause: CREDENTIAL_EXPIRING,
  severity: 'warning',
  summary: "The app's secret in Key Vault expires on 2026-12-10, in 19 days.",
  fix: ['Add a new client secret.'],
  docs: [],
  evidence: [],
  credential: { type: 'secret', expiresOn: '2026-12-10T00:00:00.000Z', daysLeft: 19 },
};

test('open, escalate, remind and resolve notices, and credential ones, are all valid by the schema', () => {
  const all = notices([
    [ews('error')],
    [ews('error')],
    [ews('critical'), credential],
    [ews('critical'), credential],
    [ews('critical'), credential],
    [credential],
    [credential],
    [],
    [],
  ]);
  expect(all.map((n) => `${n.kind}:${n.state.check}`)).toEqual([
    'open:ews',
    'escalate:ews',
    'remind:ews',
    'open:credential',
    'remind:ews',
    'remind:credential',
    'remind:credential',
    'resolve:ews',
    'remind:credential',
    'resolve:credential',
  ]);
  for (const notice of all) expect(invalidAlertPayload(alertPayload(notice))).toEqual([]);
  const escalation = alertPayload(all[1]!);
  expect(escalation).toMatchObject({
    kind: 'escalate',
    severity: 'critical',
    previousSeverity: 'error',
    ews: { urgency: 'active bridge', daysToShutdown: 131 },
  });
  expect(escalation.text).toMatch(
    /Severity rose from error to critical\.\nEWS in Exchange Online is switched off in 131 days/,
  );
});

test('a payload that breaks the schema is caught: the check can fail', () => {
  const payload = alertPayload(notices([[ews('error')], [ews('error')]])[0]!);
  expect(invalidAlertPayload({ ...payload, kind: 'closed' })).not.toEqual([]);
  expect(invalidAlertPayload({ ...payload, kind: 'escalate' })).not.toEqual([]); // an escalation names the severity it rose from
  expect(invalidAlertPayload({ ...payload, extra: true })).not.toEqual([]);
});

test("the schema's lists are the code's lists", () => {
  const props = ALERT_SCHEMA.properties;
  expect(ALERT_SCHEMA.$id).toBe(ALERT_PAYLOAD_SCHEMA);
  expect(props.cause.enum).toEqual([...CAUSES, CREDENTIAL_EXPIRING]);
  expect(props.check.enum).toEqual(ALERT_CHECKS);
  expect(props.kind.enum.sort()).toEqual([...ALERT_KINDS].sort());
  expect(props.severity.enum).toEqual(SEVERITIES);
});

test('a resolve carries no fix; long or secret-bearing text is cut and scrubbed', () => {
  const leaky = {
    ...ews('error'),
    summary: `Token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln was refused at https://x.logic.azure.com/?sig=abc123 ${'x'.repeat(5000)}`,
    fix: Array.from({ length: 30 }, (_, i) => `step ${i}`),
  };
  const [open, resolve] = notices([[leaky], [leaky], [], []]);
  const payload = alertPayload(open!);
  expect(payload.summary.length).toBeLessThanOrEqual(2000);
  expect(payload.fix).toHaveLength(10);
  expect(JSON.stringify(payload)).not.toMatch(/eyJhbGciOiJSUzI1NiJ9\.eyJ|abc123/);
  expect(invalidAlertPayload(payload)).toEqual([]);
  expect(alertPayload(resolve!)).toMatchObject({
    kind: 'resolve',
    fix: [],
    summary: expect.stringMatching(/^Cleared: no longer seen since/),
  });
});

describe('the sample Logic App workflow (logic-app/tenant-health-alerts.workflow.json)', () => {
  const workflow = ALERT_WORKFLOW;
  const trigger = workflow.definition.triggers.manual;

  test("its trigger's schema accepts every kind of notice we send, and requires nothing the payload schema does not", () => {
    const validate = new Ajv({ strict: false }).compile(trigger.inputs.schema);
    const all = notices([
      [ews('error')],
      [ews('error')],
      [ews('critical'), credential],
      [ews('critical'), credential],
      [credential],
      [],
      [],
      [],
    ]);
    expect(new Set(all.map((n) => n.kind))).toEqual(new Set(ALERT_KINDS));
    for (const notice of all)
      expect([notice.kind, validate(alertPayload(notice)), validate.errors ?? null]).toEqual([notice.kind, true, null]);
    for (const name of trigger.inputs.schema.required) expect(ALERT_SCHEMA.required).toContain(name);
    expect(trigger.operationOptions).toBe('EnableSchemaValidation');
  });

  test('every field it reads exists in the payload schema', () => {
    const text = JSON.stringify(workflow.definition);
    const paths = [...text.matchAll(/triggerBody\(\)((?:\?\[\\?'[A-Za-z]+\\?'\])+)/g)].map((m) =>
      [...m[1]!.matchAll(/'([A-Za-z]+)\\?'/g)].map((p) => p[1]!),
    );
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      let schema: Record<string, any> | undefined = ALERT_SCHEMA;
      for (const name of path) schema = schema?.properties?.[name];
      expect([path.join('.'), schema !== undefined]).toEqual([path.join('.'), true]);
    }
  });

  test('it records the idempotency key before posting, and a key seen before ends the run without a second post', () => {
    const { actions } = workflow.definition;
    expect(actions.Record_idempotency_key.inputs.body).toEqual(
      expect.objectContaining({ RowKey: "@triggerBody()?['idempotencyKey']" }),
    );
    expect(actions.Seen_before.expression.and[0].equals).toEqual([
      "@outputs('Record_idempotency_key')?['statusCode']",
      409,
    ]);
    expect(actions.Seen_before.actions.Already_handled.type).toBe('Terminate');
    expect(actions.Compose_Teams_card.runAfter).toEqual({ Seen_before: ['Succeeded'] });
    expect(actions.Post_card_to_Teams_channel.runAfter).toEqual({ Compose_Teams_card: ['Succeeded'] });
    expect(actions.Mail_errors_and_critical.actions.Send_mail.inputs.path).toBe('/v2/Mail');
  });
});

describe('the Teams card the sample workflow posts', () => {
  const ARCHIVER = '4c57dc1b-fff4-4ee3-8104-08c997f1289b';
  const sequence = notices([[ews('error')], [ews('error')], [ews('critical')], [], [], []], {
    clientId: ARCHIVER,
    appName: 'Northwind Mail Archiver',
  });
  const open = sequence.find((n) => n.kind === 'open');
  const resolve = sequence.find((n) => n.kind === 'resolve');
  const facts = (card: Record<string, any>) =>
    Object.fromEntries(
      card.body.find((e: any) => e.type === 'FactSet').facts.map((f: any) => [f.title, f.value]),
    ) as Record<string, string>;
  const texts = (card: Record<string, any>) =>
    card.body.filter((e: any) => e.type === 'TextBlock' && e.isVisible !== false).map((e: any) => e.text as string);

  test('it names the tenant, the app, the cause and each fix step, with a link to the detail and the status page', () => {
    const payload = alertPayload(open!);
    const card = teamsCardFor(payload);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: expect.stringMatching(/^1\.[0-5]$/) });
    expect(facts(card)).toEqual({
      Tenant: `Contoso (${TENANT})`,
      App: `Northwind Mail Archiver (${ARCHIVER})`,
      Check: 'ews',
      Cause: 'ews_disabled',
      Severity: 'error, open',
    });
    expect(texts(card)).toEqual([payload.title, payload.summary, 'Fix', payload.fix.join('\n\n')]);
    expect(card.body[0].color).toBe('Attention');
    const detail = HTTP_ROUTES.statusDetail.route.replace('{tenant}', TENANT).replace('{app}', ARCHIVER);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the detail', url: `${CARD_BASE_URL}/api/${detail}` },
      { type: 'Action.OpenUrl', title: 'Status page', url: `${CARD_BASE_URL}/api/${HTTP_ROUTES.statusPage.route}` },
    ]);
  });

  test('a resolve shows green with no fix; an alert with no app names the tenant as a whole and links the tenant', () => {
    const resolved = teamsCardFor(alertPayload(resolve!));
    expect(resolved.body[0].color).toBe('Good');
    expect(texts(resolved)).not.toContain('Fix');
    const operator = teamsCardFor(alertPayload(notices([[credential], [credential]])[0]!));
    expect(facts(operator).App).toBe('the tenant as a whole');
    expect(operator.actions[0].url).toBe(
      `${CARD_BASE_URL}/api/${HTTP_ROUTES.statusTenant.route.replace('{tenant}', TENANT)}`,
    );
    expect(operator.body[0].color).toBe('Warning');
  });

  test("the card is posted with the Teams connector's card action, to the configured channel, as the composed card", () => {
    const post = ALERT_WORKFLOW.definition.actions.Post_card_to_Teams_channel;
    expect(post.inputs.path).toBe(
      "/v1.0/teams/conversation/adaptivecard/poster/Flow bot/location/@{encodeURIComponent('Channel')}",
    );
    const card = teamsCardFor(alertPayload(open!));
    const body = evaluateWorkflowValue(post.inputs.body, {
      triggerBody: alertPayload(open!),
      parameters: { teamsGroupId: 'g', teamsChannelId: 'c' },
      outputs: { Compose_Teams_card: card },
    }) as { recipient: unknown; messageBody: string };
    expect(body.recipient).toEqual({ groupId: 'g', channelId: 'c' });
    expect(JSON.parse(body.messageBody)).toEqual(card);
  });

  test('every expression in the workflow evaluates for every kind of notice (a typo in any of them fails here)', () => {
    const all = [open!, resolve!, ...notices([[credential], [credential], [credential]])];
    const parameters = Object.fromEntries(
      Object.keys(ALERT_WORKFLOW.definition.parameters).map((name) => [name, `<${name}>`]),
    );
    for (const notice of all)
      expect(() =>
        evaluateWorkflowValue(ALERT_WORKFLOW.definition.actions, {
          triggerBody: alertPayload(notice),
          parameters: {
            ...parameters,
            $connections: { teams: { connectionId: 't' }, office365: { connectionId: 'o' } },
          },
          outputs: {},
        }),
      ).not.toThrow();
  });
});
