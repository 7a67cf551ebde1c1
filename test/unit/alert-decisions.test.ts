// Alert decisions as pure functions: sequences of cycles in, notices out; thresholds, dedup, reminders, escalation,
// snoozes and maintenance windows, without sockets or storage.
import {
  conditionsOf,
  decideAlerts,
  DEFAULT_ALERT_POLICY,
  type AlertCondition,
  type AlertKind,
  type AlertPolicy,
  type AlertState,
  type Suppression,
} from '../../shared/alerts/decisions';
import type { Finding } from '../../shared/diagnosis/engine';
import type { TenantResult } from '../../shared/service/pipeline';
import { assessReadiness } from '../../shared/core/readiness';

const TENANT = '0b7c3c1e-6a44-4f5e-9d1c-2b8f7e6a5d4c';
const START = Date.parse('2026-11-21T09:00:00Z');
const CYCLE = 15 * 60_000;

const condition = (over: Partial<AlertCondition> = {}): AlertCondition => ({
  check: 'ews',
  cause: 'ews_disabled',
  severity: 'error',
  summary: 'EWS refused 2 of 2 mailboxes.',
  fix: [],
  docs: [],
  evidence: [],
  ...over,
});

/** Runs cycles: each entry lists the conditions seen in that cycle; returns the notices of every cycle. */
function run(
  cycles: AlertCondition[][],
  options: { policy?: Partial<AlertPolicy>; suppressions?: Suppression[]; start?: number; step?: number } = {},
) {
  const policy = { ...DEFAULT_ALERT_POLICY, ...options.policy };
  let states: AlertState[] = [];
  return cycles.map((conditions, i) => {
    const decision = decideAlerts({
      tenantId: TENANT,
      tenantName: 'Contoso',
      conditions,
      previous: states,
      suppressions: options.suppressions ?? [],
      policy,
      now: (options.start ?? START) + i * (options.step ?? CYCLE),
    });
    states = decision.states;
    return decision;
  });
}
const kinds = (decisions: ReturnType<typeof run>) =>
  decisions.map((d) => d.notices.map((n) => n.kind).join(',') || '-');
/** F: the condition is seen; .: it is not. */
const pattern = (text: string, over: Partial<AlertCondition> = {}) =>
  [...text].map((c) => (c === 'F' ? [condition(over)] : []));

describe('thresholds and flap damping', () => {
  test.each<[string, string, Partial<AlertPolicy>, string[]]>([
    ['a healthy tenant raises nothing', '......', {}, ['-', '-', '-', '-', '-', '-']],
    ['one failure under the threshold raises nothing', 'F.....', {}, ['-', '-', '-', '-', '-', '-']],
    ['two failures in a row open, two clean cycles resolve', 'FF..', {}, ['-', 'open', '-', 'resolve']],
    [
      'a flapping tenant raises one alert and no resolve while it flaps',
      'F.F.F.F.F.',
      {},
      ['-', '-', 'open', '-', '-', '-', '-', '-', '-', '-'],
    ],
    ['flapping ends: one resolve after the success threshold', 'F.F...', {}, ['-', '-', 'open', '-', 'resolve', '-']],
    ['failures far apart never add up', 'F..F..F..', {}, ['-', '-', '-', '-', '-', '-', '-', '-', '-']],
    ['threshold 1 opens at once', 'F.', { failureThreshold: 1, successThreshold: 1 }, ['open', 'resolve']],
    [
      'success threshold 3 waits three clean cycles',
      'FF...',
      { successThreshold: 3 },
      ['-', 'open', '-', '-', 'resolve'],
    ],
  ])('%s', (_name, text, policy, expected) => {
    expect(kinds(run(pattern(text), { policy }))).toEqual(expected);
  });

  test('after a resolve, a new failure is a new alert with a new id', () => {
    const decisions = run(pattern('FF..FF'));
    const [first, second] = decisions.flatMap((d) => d.notices.filter((n) => n.kind === 'open'));
    expect(first!.alertId).not.toBe(second!.alertId);
    expect(decisions.map((d) => d.states.length)).toEqual([1, 1, 1, 0, 1, 1]);
  });

  test('a condition that never opened is forgotten once clear, leaving no state behind', () => {
    expect(run(pattern('F..')).map((d) => [d.states.length, d.forget])).toEqual([
      [1, []],
      [1, []],
      [0, ['ews.ews_disabled']],
    ]);
  });
});

describe('dedup by tenant, check and cause', () => {
  test('a changed count or wording in the message is not a new alert', () => {
    const cycles = [1, 2, 3, 4].map((n) => [
      condition({ summary: `EWS refused ${n} of 4 mailboxes.`, evidence: [`${n} calls`] }),
    ]);
    const decisions = run(cycles);
    expect(kinds(decisions)).toEqual(['-', 'open', '-', '-']);
    expect(decisions[3]!.states[0]!.condition.summary).toBe('EWS refused 4 of 4 mailboxes.');
  });

  test('the same cause on two checks, and two causes on one check, are separate alerts', () => {
    const cycles = [0, 1].map(() => [
      condition(),
      condition({ check: 'graph', cause: 'ews_disabled' }),
      condition({ cause: 'throttled' }),
    ]);
    const opened = run(cycles)[1]!.notices;
    expect(opened.map((n) => `${n.state.check}.${n.state.cause}`).sort()).toEqual([
      'ews.ews_disabled',
      'ews.throttled',
      'graph.ews_disabled',
    ]);
    expect(new Set(opened.map((n) => n.alertId)).size).toBe(3);
  });

  test('every notice of one alert shares its id and carries its own idempotency key', () => {
    const cycles = pattern('FF..');
    const notices = run(cycles, { policy: { reminderMs: 0 } }).flatMap((d) => d.notices);
    expect(notices.map((n) => n.idempotencyKey)).toEqual([`${notices[0]!.alertId}-0`, `${notices[0]!.alertId}-1`]);
  });
});

describe('reminders and escalation', () => {
  test('an open alert is repeated after the reminder interval, not before', () => {
    const decisions = run(pattern('FFFFFFF'), { policy: { reminderMs: 2 * 3_600_000 }, step: 3_600_000 });
    expect(kinds(decisions)).toEqual(['-', 'open', '-', 'remind', '-', 'remind', '-']);
  });

  test('a rise in severity escalates once; a fall is not announced', () => {
    const severities = ['warning', 'warning', 'error', 'error', 'warning', 'error', 'critical'] as const;
    const decisions = run(
      severities.map((severity) => [condition({ severity })]),
      { policy: { reminderMs: 0 } },
    );
    expect(kinds(decisions)).toEqual(['-', 'open', 'escalate', '-', '-', '-', 'escalate']);
    const escalations = decisions.flatMap((d) => d.notices.filter((n) => n.kind === 'escalate'));
    expect(escalations.map((n) => [n.previousSeverity, n.severity])).toEqual([
      ['warning', 'error'],
      ['error', 'critical'],
    ]);
  });
});

describe('snoozes and maintenance windows', () => {
  const window = (over: Partial<Suppression>): Suppression => ({
    id: 's1',
    kind: 'snooze',
    tenantId: TENANT,
    from: new Date(START).toISOString(),
    until: new Date(START + 4 * CYCLE).toISOString(),
    reason: 'vendor migrating the archive',
    createdAt: new Date(START).toISOString(),
    ...over,
  });

  test('a snoozed tenant raises nothing until the snooze ends, then what is still true opens', () => {
    const decisions = run(pattern('FFFFFF'), { suppressions: [window({})] });
    expect(kinds(decisions)).toEqual(['-', '-', '-', '-', 'open', '-']);
    expect(decisions[2]!.held).toEqual([
      {
        key: 'ews.ews_disabled',
        kind: 'open',
        by: expect.objectContaining({ reason: 'vendor migrating the archive' }),
      },
    ]);
  });

  test('a failure that clears during the snooze is never announced', () => {
    expect(kinds(run(pattern('FF....'), { suppressions: [window({})] }))).toEqual(['-', '-', '-', '-', '-', '-']);
  });

  test('an open alert that recovers during a maintenance window is resolved once the window ends', () => {
    const maintenance = window({ kind: 'maintenance', tenantId: '*', from: new Date(START + 2 * CYCLE).toISOString() });
    expect(kinds(run(pattern('FF.....'), { suppressions: [maintenance] }))).toEqual([
      '-',
      'open',
      '-',
      '-',
      'resolve',
      '-',
      '-',
    ]);
  });

  test("a snooze of one cause leaves the others alone; another tenant's snooze changes nothing", () => {
    const cycles = [0, 1].map(() => [condition(), condition({ cause: 'throttled' })]);
    const snoozes = [
      window({ cause: 'throttled' }),
      window({ id: 's2', tenantId: '11111111-2222-4333-8444-555555555555' }),
    ];
    expect(run(cycles, { suppressions: snoozes })[1]!.notices.map((n) => n.state.cause)).toEqual(['ews_disabled']);
  });
});

describe('conditions from a tenant result', () => {
  const finding = (over: Partial<Finding>): Finding => ({
    cause: 'ews_disabled',
    confidence: 'high',
    summary: 'EWS is blocked.',
    endpoints: ['ews'],
    ...over,
  });
  const resultAt = (at: string, over: Partial<TenantResult>): TenantResult => {
    const base = {
      tenantId: TENANT,
      name: 'Contoso',
      cloud: 'worldwide' as const,
      app: { clientId: 'c0ffee00-0000-4000-8000-000000000001', ews: 'oauth' as const, graph: true },
      verdict: 'failing' as const,
      findings: [],
      probes: [],
      permissions: [],
      evidence: [],
      checkedAt: at,
      ...over,
    };
    return { ...base, readiness: assessReadiness(base, Date.parse(at)) };
  };

  test('a healthy result has no conditions', () => {
    expect(
      conditionsOf(
        resultAt('2026-11-21T09:00:00Z', {
          verdict: 'healthy',
          credential: { type: 'secret', expiresOn: '2027-09-01T00:00:00Z' },
        }),
        START,
      ),
    ).toEqual([]);
  });

  test.each<[string, string, string]>([
    ['in the active bridge, a failing EWS check is an error', '2026-11-21T09:00:00Z', 'error'],
    ['in the final quarter it is critical', '2027-01-15T09:00:00Z', 'critical'],
  ])('%s', (_name, at, severity) => {
    const [only] = conditionsOf(resultAt(at, { findings: [finding({})] }), Date.parse(at));
    expect(only).toMatchObject({
      check: 'ews',
      cause: 'ews_disabled',
      severity,
      urgency: { daysToShutdown: expect.any(Number) },
    });
  });

  test('degraded EWS rises a step in the final quarter and two in the cut-over; Graph does not', () => {
    const findings = [
      finding({ cause: 'throttled', endpoints: ['ews'] }),
      finding({ cause: 'mailbox_out_of_scope', endpoints: ['graph'] }),
    ];
    const at = (date: string) =>
      conditionsOf(resultAt(date, { verdict: 'degraded', findings }), Date.parse(date)).map(
        (c) => `${c.check}:${c.severity}`,
      );
    expect(at('2026-11-21T09:00:00Z')).toEqual(['ews:warning', 'graph:warning']);
    expect(at('2027-01-15T09:00:00Z')).toEqual(['ews:error', 'graph:warning']);
    expect(at('2027-03-15T09:00:00Z')).toEqual(['ews:critical', 'graph:warning']);
  });

  test.each<[string, Finding['endpoints'], string]>([
    ['one finding failing on EWS and Graph is one alert, on EWS', ['graph', 'ews'], 'ews'],
    ['on Graph and the admin API, on Graph', ['adminapi', 'graph'], 'graph'],
    ['on the token endpoint only, on the token', ['token'], 'token'],
    ['tied to no call, on the tenant', undefined, 'tenant'],
  ])('%s', (_name, endpoints, check) => {
    const result = resultAt('2026-11-21T09:00:00Z', {
      findings: [finding({ cause: 'mailbox_not_found', ...(endpoints ? { endpoints } : { endpoints: undefined }) })],
    });
    expect(conditionsOf(result, START).map((c) => c.check)).toEqual([check]);
  });

  test('alternative readings of a failure raise nothing of their own', () => {
    const findings = [
      finding({ confidence: 'medium' }),
      finding({ cause: 'missing_app_permission', confidence: 'medium', alternative: true }),
    ];
    expect(conditionsOf(resultAt('2026-11-21T09:00:00Z', { findings }), START).map((c) => c.cause)).toEqual([
      'ews_disabled',
    ]);
  });

  test.each<[string, number, string | null]>([
    ['45 days ahead: nothing', 45, null],
    ['29 days ahead: warning', 29, 'warning'],
    ['6 days ahead: error', 6, 'error'],
    ['hours ahead: critical', 0.5, 'critical'],
    ['expired: critical', -3, 'critical'],
  ])('a credential expiring %s', (_name, days, severity) => {
    const expiresOn = new Date(START + days * 86_400_000).toISOString();
    const conditions = conditionsOf(
      resultAt('2026-11-21T09:00:00Z', { verdict: 'healthy', credential: { type: 'secret', expiresOn } }),
      START,
    );
    expect(conditions.map((c) => c.severity)).toEqual(severity ? [severity] : []);
    if (severity)
      expect(conditions[0]).toMatchObject({
        check: 'credential',
        cause: 'credential_expiring',
        credential: { expiresOn },
      });
  });

  test("escalation as the credential's expiry nears: open, then error, then critical", () => {
    const expiresOn = new Date(START + 10 * 86_400_000).toISOString();
    const days = [0, 1, 4, 8, 9.5];
    const cycles = days.map((d) =>
      conditionsOf(
        resultAt(new Date(START + d * 86_400_000).toISOString(), {
          verdict: 'healthy',
          credential: { type: 'secret', expiresOn },
        }),
        START + d * 86_400_000,
      ),
    );
    let states: AlertState[] = [];
    const seen: string[] = [];
    cycles.forEach((conditions, i) => {
      const decision = decideAlerts({
        tenantId: TENANT,
        tenantName: 'Contoso',
        conditions,
        previous: states,
        suppressions: [],
        policy: { ...DEFAULT_ALERT_POLICY, reminderMs: 0 },
        now: START + days[i]! * 86_400_000,
      });
      states = decision.states;
      seen.push(
        decision.notices.map((n: { kind: AlertKind; severity: string }) => `${n.kind}:${n.severity}`).join(',') || '-',
      );
    });
    expect(seen).toEqual(['-', 'open:warning', 'escalate:error', '-', 'escalate:critical']);
  });
});
