// The alert payload: valid by the repository's schema for every kind of notice, in step with the code's lists,
// bounded, and free of secrets; and the sample Logic App workflow that reads it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { ALERT_SCHEMA, invalidAlertPayload } from '../helpers/alert-schema';

const TENANT = '0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c';
const START = Date.parse('2026-11-21T09:00:00Z');

/** Every notice a sequence of conditions gives, reminders every hour. */
function notices(cycles: AlertCondition[][]): AlertNotice[] {
  let states: AlertState[] = [];
  return cycles.flatMap((conditions, i) => {
    const decision = decideAlerts({
      tenantId: TENANT,
      tenantName: 'Contoso',
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
  const workflow = JSON.parse(
    readFileSync(join(__dirname, '../../logic-app/tenant-health-alerts.workflow.json'), 'utf8'),
  );
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
    expect(actions.Post_to_Teams_channel.runAfter).toEqual({ Seen_before: ['Succeeded'] });
    expect(actions.Mail_errors_and_critical.actions.Send_mail.inputs.path).toBe('/v2/Mail');
  });
});
